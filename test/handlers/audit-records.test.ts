import type { DynamoDBRecord } from 'aws-lambda';
import { CHANGE_TIME, ledgerChange, ledgerInsert } from './events';
import { toAuditObject } from '../../src/handlers/audit-records';

const line = (record: DynamoDBRecord) => JSON.parse(toAuditObject(record, 'audit/').body);

test('the audit record of a new payment holds the change, the item\'s keys, when and which stream record, and the new image', () => {
  const object = toAuditObject(ledgerInsert('e1', 't1', '100'), 'audit/');
  expect(object.body).toBe(JSON.stringify({
    change: 'INSERT',
    transactionId: 't1',
    createdAt: '2026-11-27T10:00:01.250Z',
    changedAt: '2026-11-27T10:00:01.000Z',
    eventId: 'e1',
    streamSequenceNumber: '100',
    newImage: {
      transaction_id: 't1',
      timestamp: '2026-11-27T10:00:01.250Z',
      status: 'accepted',
      amount: 1999,
      currency: 'EUR',
      merchant_id: 'm_audit',
      client_id: 'key:client',
      description: 'a description',
    },
  }) + '\n');
  expect(object.sequenceNumber).toBe('100');
});

test('an edit holds the item before and after; a delete holds the item as it was', () => {
  const before = ledgerInsert('e1', 't1', '100').dynamodb!.NewImage!;
  const after = { ...before, status: { S: 'authorized' }, processor_reference: { S: 'ch_1' } };
  expect(line(ledgerChange(after, { eventID: 'e2', sequenceNumber: '101', oldImage: before }))).toMatchObject({
    change: 'MODIFY',
    transactionId: 't1',
    oldImage: { status: 'accepted' },
    newImage: { status: 'authorized', processor_reference: 'ch_1' },
  });
  const removed = line(ledgerChange(undefined, { eventID: 'e3', sequenceNumber: '102', oldImage: after }));
  expect(removed).toMatchObject({ change: 'REMOVE', transactionId: 't1', createdAt: '2026-11-27T10:00:01.250Z', oldImage: { status: 'authorized' } });
  expect(removed).not.toHaveProperty('newImage');
});

test('an edit on a stream of new images only holds the new image', () => {
  const record = ledgerChange(ledgerInsert('e1', 't1', '100').dynamodb!.NewImage!, { eventID: 'e4', sequenceNumber: '103' });
  record.eventName = 'MODIFY';
  const audit = line(record);
  expect(audit).toMatchObject({ change: 'MODIFY', newImage: { status: 'accepted' } });
  expect(audit).not.toHaveProperty('oldImage');
});

test('every attribute type of an operator\'s edit is kept as JSON, numbers with every digit', () => {
  const image = {
    ...ledgerInsert('e1', 't1', '100').dynamodb!.NewImage!,
    big: { N: '12345678901234567890123' },
    fraction: { N: '0.5' },
    padded: { N: '007' },
    flag: { BOOL: false },
    nothing: { NULL: true as const },
    nested: { M: { note: { S: 'refund checked' }, tries: { N: '2' } } },
    list: { L: [{ S: 'a' }, { N: '1' }] },
    tags: { SS: ['x', 'y'] },
    numbers: { NS: ['1', '99999999999999999999'] },
    blob: { B: 'AAE=' },
    blobs: { BS: ['AAE='] },
  };
  expect(line(ledgerChange(image, { eventID: 'e5', sequenceNumber: '104' })).newImage).toMatchObject({
    big: '12345678901234567890123',
    fraction: 0.5,
    padded: '007',
    flag: false,
    nothing: null,
    nested: { note: 'refund checked', tries: 2 },
    list: ['a', 1],
    tags: ['x', 'y'],
    numbers: [1, '99999999999999999999'],
    blob: 'AAE=',
    blobs: ['AAE='],
  });
});

test('a multi-Region item\'s origin Region is named, from the old image of a delete too', () => {
  const image = { ...ledgerInsert('e1', 't1', '100').dynamodb!.NewImage!, origin_region: { S: 'us-east-2' } };
  expect(line(ledgerChange(image, { eventID: 'e1', sequenceNumber: '1' }))).toMatchObject({ originRegion: 'us-east-2' });
  expect(line(ledgerChange(undefined, { eventID: 'e2', sequenceNumber: '2', oldImage: image }))).toMatchObject({ originRegion: 'us-east-2' });
  expect(line(ledgerInsert('e3', 't3', '3'))).not.toHaveProperty('originRegion');
});

test('a delete on a stream of new images only holds no image, and names no origin Region', () => {
  const record = ledgerChange(undefined, { eventID: 'e6', sequenceNumber: '105', oldImage: ledgerInsert('e1', 't1', '100').dynamodb!.NewImage! });
  delete record.dynamodb!.OldImage;
  const audit = line(record);
  expect(audit).toMatchObject({ change: 'REMOVE', transactionId: 't1' });
  expect(Object.keys(audit).sort()).toEqual(['change', 'changedAt', 'createdAt', 'eventId', 'streamSequenceNumber', 'transactionId']);
});

test('an audit object is named after its own change only: date path of the change, compact time and event id', () => {
  expect(toAuditObject(ledgerInsert('e1', 't1', '100'), 'trail/').key).toBe('trail/2026/11/27/20261127T100001000Z-e1.jsonl');
  const nextDay = ledgerChange(ledgerInsert('e2', 't1', '101').dynamodb!.NewImage!, {
    eventID: 'e2', sequenceNumber: '101', oldImage: ledgerInsert('e1', 't1', '100').dynamodb!.NewImage!, approximateCreationDateTime: CHANGE_TIME + 86_400 - 1,
  });
  expect(toAuditObject(nextDay, 'audit/').key).toBe('audit/2026/11/28/20261128T100000000Z-e2.jsonl');
});

describe('a record that lacks what every ledger change holds is refused, naming the record and what it lacks', () => {
  const lacking = (edit: (record: DynamoDBRecord) => void) => {
    const record = ledgerInsert('e7', 't7', '107');
    edit(record);
    return () => toAuditObject(record, 'audit/');
  };
  test.each<[string, (record: DynamoDBRecord) => void]>([
    ['eventName', (r) => delete r.eventName],
    ['dynamodb', (r) => delete r.dynamodb],
    ['dynamodb.Keys', (r) => delete r.dynamodb!.Keys],
    ['dynamodb.ApproximateCreationDateTime', (r) => delete r.dynamodb!.ApproximateCreationDateTime],
    ['dynamodb.SequenceNumber', (r) => delete r.dynamodb!.SequenceNumber],
    ['the key attribute transaction_id', (r) => delete r.dynamodb!.Keys!.transaction_id],
    ['the key attribute timestamp', (r) => { r.dynamodb!.Keys!.timestamp = { N: '1' }; }],
  ])('%s', (what, edit) => {
    expect(lacking(edit)).toThrow(`Ledger stream record e7 lacks ${what}; every ledger change's record holds it.`);
  });

  test('the event id', () => {
    expect(lacking((r) => delete r.eventID)).toThrow('Ledger stream record (without eventID) lacks eventID; every ledger change\'s record holds it.');
  });

  test('an event name that is no change', () => {
    expect(lacking((r) => { r.eventName = 'TRUNCATE' as never; })).toThrow(
      "Ledger stream record e7 has eventName 'TRUNCATE'; a ledger change is INSERT, MODIFY or REMOVE.");
    expect(lacking((r) => { r.eventName = 'TRUNCATE' as never; delete r.eventID; })).toThrow(
      "Ledger stream record (without eventID) has eventName 'TRUNCATE'");
  });

  test('keys without the timestamp attribute at all', () => {
    expect(lacking((r) => delete r.dynamodb!.Keys!.timestamp)).toThrow('Ledger stream record e7 lacks the key attribute timestamp;');
  });
});
