import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/** What happened to the ledger item: created, changed or deleted. */
export type AuditChange = 'INSERT' | 'MODIFY' | 'REMOVE';

/** A ledger item's attributes as plain JSON values. */
export type AuditImage = { [attribute: string]: unknown };

/** One audit record: one change of one ledger item, as its stream record tells it. */
export interface AuditRecord {
  readonly change: AuditChange;
  readonly transactionId: string;
  readonly createdAt: string;
  /** When DynamoDB made the change (the stream record's approximate creation time, in seconds). */
  readonly changedAt: string;
  readonly eventId: string;
  readonly streamSequenceNumber: string;
  /** The Region that accepted the payment, where the ledger is a multi-Region table. */
  readonly originRegion?: string;
  /** The item before the change, where the stream carries old images (not for an insert). */
  readonly oldImage?: AuditImage;
  /** The item after the change, where the stream carries it (not for a delete). */
  readonly newImage?: AuditImage;
}

/** An audit record as the S3 object that holds it: one JSON line. */
export interface AuditObject {
  readonly key: string;
  readonly body: string;
  /** The stream record's sequence number. */
  readonly sequenceNumber: string;
}

const CHANGES: readonly string[] = ['INSERT', 'MODIFY', 'REMOVE'];

/**
 * Turns a ledger stream record into the one audit object that holds it. The key depends only on
 * the record itself (the date and time of the change, and the stream's event id), never on the
 * batch it arrived in, so a record delivered again in any other batch maps to the same key and is
 * written once (the writer refuses to overwrite a key).
 *
 * Key: `audit/YYYY/MM/DD/<change time>-<event id>.jsonl`, dated by the change (UTC).
 *
 * A record that lacks what every ledger stream record holds (its event name, id, sequence number,
 * creation time, or the item's keys) throws, naming the record and what it lacks, rather than
 * giving an audit record with a blank field.
 */
export function toAuditObject(record: DynamoDBRecord, prefix: string): AuditObject {
  const line = toAuditRecord(record);
  const datePath = line.changedAt.slice(0, 10).replace(/-/g, '/');
  const compactTime = line.changedAt.replace(/[-:.]/g, '');
  return {
    key: `${prefix}${datePath}/${compactTime}-${line.eventId}.jsonl`,
    body: JSON.stringify(line) + '\n',
    sequenceNumber: line.streamSequenceNumber,
  };
}

function toAuditRecord(record: DynamoDBRecord): AuditRecord {
  const change = required(record.eventName, record, 'eventName');
  if (!CHANGES.includes(change)) {
    throw new Error(`Ledger stream record ${record.eventID ?? '(without eventID)'} has eventName '${change}'; a ledger change is INSERT, MODIFY or REMOVE.`);
  }
  const stream = required(record.dynamodb, record, 'dynamodb');
  const keys = required(stream.Keys, record, 'dynamodb.Keys');
  const creation = required(stream.ApproximateCreationDateTime, record, 'dynamodb.ApproximateCreationDateTime');
  const image = stream.NewImage ?? stream.OldImage;
  return {
    change: change as AuditChange,
    transactionId: required(keys.transaction_id?.S, record, 'the key attribute transaction_id'),
    createdAt: required(keys.timestamp?.S, record, 'the key attribute timestamp'),
    changedAt: new Date(creation * 1000).toISOString(),
    eventId: required(record.eventID, record, 'eventID'),
    streamSequenceNumber: required(stream.SequenceNumber, record, 'dynamodb.SequenceNumber'),
    // Absent from single-Region ledgers, and then from the JSON line.
    originRegion: image?.origin_region?.S,
    oldImage: stream.OldImage && plainImage(stream.OldImage),
    newImage: stream.NewImage && plainImage(stream.NewImage),
  };
}

function plainImage(image: { [name: string]: AttributeValue }): AuditImage {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, plainValue(value)]));
}

/**
 * A DynamoDB attribute value as JSON. A number stays a JSON number where that keeps every digit,
 * and is kept as its decimal string otherwise (DynamoDB numbers have up to 38 digits).
 */
function plainValue(value: AttributeValue): unknown {
  if (value.S !== undefined) {
    return value.S;
  }
  if (value.N !== undefined) {
    return plainNumber(value.N);
  }
  if (value.BOOL !== undefined) {
    return value.BOOL;
  }
  if (value.NULL !== undefined) {
    return null;
  }
  if (value.M !== undefined) {
    return plainImage(value.M);
  }
  if (value.L !== undefined) {
    return value.L.map(plainValue);
  }
  if (value.NS !== undefined) {
    return value.NS.map(plainNumber);
  }
  // Binary values arrive base64-encoded in a Lambda event, as do binary sets; strings sets as strings.
  return value.B ?? value.SS ?? value.BS;
}

function plainNumber(text: string): number | string {
  const number = Number(text);
  return String(number) === text ? number : text;
}

function required<T>(value: T | undefined, record: DynamoDBRecord, what: string): T {
  if (value === undefined) {
    throw new Error(`Ledger stream record ${record.eventID ?? '(without eventID)'} lacks ${what}; every ledger change's record holds it.`);
  }
  return value;
}
