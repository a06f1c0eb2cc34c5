import type { DynamoDBRecord } from 'aws-lambda';

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
  /** The Region that accepted the payment, where the ledger is a multi-Region table. */
  readonly originRegion?: string;
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
 *
 * A new payment whose record lacks what every ledger item holds (its image, its sequence number or
 * one of the item's attributes) throws, naming the record and what it lacks: the batch fails and
 * Lambda retries it and then sends it to the dead-letter queue, rather than an audit line with a
 * blank field.
 */
export function toAuditObject(records: DynamoDBRecord[], prefix: string): AuditObject | undefined {
  const inserts = records.filter((record) => record.eventName === 'INSERT');
  if (inserts.length === 0) {
    return undefined;
  }
  const lines = inserts.map(toAuditRecord);
  const first = lines[0].createdAt;
  const datePath = first.slice(0, 10).replace(/-/g, '/');
  const compactTime = first.replace(/[-:.]/g, '');
  return {
    key: `${prefix}${datePath}/${compactTime}-${required(inserts[0].eventID, inserts[0], 'eventID')}.jsonl`,
    body: lines.map((line) => JSON.stringify(line)).join('\n') + '\n',
    count: lines.length,
  };
}

function toAuditRecord(record: DynamoDBRecord): AuditRecord {
  const image = required(record.dynamodb?.NewImage, record, 'dynamodb.NewImage');
  const text = (name: string) => required(image[name]?.S, record, `the string attribute ${name}`);
  return {
    transactionId: text('transaction_id'),
    createdAt: text('timestamp'),
    amount: Number(required(image.amount?.N, record, 'the number attribute amount')),
    currency: text('currency'),
    merchantId: text('merchant_id'),
    clientId: text('client_id'),
    status: text('status'),
    // Stryker disable next-line OptionalChaining: record.dynamodb is there, since its NewImage was read above
    streamSequenceNumber: required(record.dynamodb?.SequenceNumber, record, 'dynamodb.SequenceNumber'),
    // Absent from single-Region ledgers, and then from the JSON line.
    originRegion: image.origin_region?.S,
  };
}

function required<T>(value: T | undefined, record: DynamoDBRecord, what: string): T {
  if (value === undefined) {
    throw new Error(`Ledger stream record ${record.eventID ?? '(without eventID)'} lacks ${what}; every new payment's record holds it.`);
  }
  return value;
}
