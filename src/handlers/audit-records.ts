import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/** One line of an audit object: an accepted payment as the ledger holds it, and where it came from. */
export interface AuditRecord {
  readonly transactionId: string;
  readonly createdAt: string;
  readonly amount: number;
  readonly currency: string;
  readonly merchantId: string;
  readonly clientId: string;
  readonly status: string;
  readonly streamSequenceNumber: string;
}

/** A batch of audit records as one S3 object of JSON lines. */
export interface AuditObject {
  readonly key: string;
  readonly body: string;
  readonly count: number;
}

/**
 * Turns a batch of ledger stream records into one audit object, or nothing if the batch holds no
 * new payment. The key depends only on the batch's first record, so a retried batch maps to the
 * same object, which is then written once (the writer refuses to overwrite it).
 *
 * Key: `audit/YYYY/MM/DD/<first payment's time>-<first stream event id>.jsonl`, dated by the first
 * payment's acceptance time (UTC).
 */
export function toAuditObject(records: DynamoDBRecord[], prefix: string): AuditObject | undefined {
  const lines: AuditRecord[] = [];
  let firstEventId: string | undefined;
  for (const record of records) {
    if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) {
      continue;
    }
    firstEventId ??= record.eventID;
    lines.push(toAuditRecord(record.dynamodb.NewImage, record.dynamodb.SequenceNumber ?? ''));
  }
  if (lines.length === 0 || !firstEventId) {
    return undefined;
  }
  const first = lines[0].createdAt;
  const datePath = first.slice(0, 10).replace(/-/g, '/');
  const compactTime = first.replace(/[-:.]/g, '');
  return {
    key: `${prefix}${datePath}/${compactTime}-${firstEventId}.jsonl`,
    body: lines.map((line) => JSON.stringify(line)).join('\n') + '\n',
    count: lines.length,
  };
}

function toAuditRecord(image: Record<string, AttributeValue>, sequenceNumber: string): AuditRecord {
  return {
    transactionId: image.transaction_id?.S ?? '',
    createdAt: image.timestamp?.S ?? '',
    amount: Number(image.amount?.N),
    currency: image.currency?.S ?? '',
    merchantId: image.merchant_id?.S ?? '',
    clientId: image.client_id?.S ?? '',
    status: image.status?.S ?? '',
    streamSequenceNumber: sequenceNumber,
  };
}
