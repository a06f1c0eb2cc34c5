import type { DynamoDBRecord } from 'aws-lambda';
import { ledgerInsert } from './events';
import { toAuditObject } from '../../src/handlers/audit-records';

test('an audit line holds the payment as the ledger item has it, and the record\'s sequence number', () => {
  const object = toAuditObject([ledgerInsert('e1', 't1', '100')], 'audit/')!;
  expect(object.body).toBe(JSON.stringify({
    transactionId: 't1',
    createdAt: '2026-11-27T10:00:01.250Z',
    amount: 1999,
    currency: 'EUR',
    merchantId: 'm_audit',
    clientId: 'key:client',
    status: 'accepted',
    streamSequenceNumber: '100',
  }) + '\n');
  expect(object.count).toBe(1);
});

test('an audit object is named after its first new payment: date path, compact time and event id', () => {
  const modify: DynamoDBRecord = { eventID: 'm0', eventName: 'MODIFY', dynamodb: { NewImage: {} } };
  const object = toAuditObject([modify, ledgerInsert('e1', 't1', '100'), ledgerInsert('e2', 't2', '101')], 'trail/')!;
  expect(object.key).toBe('trail/2026/11/27/20261127T100001250Z-e1.jsonl');
  expect(object.count).toBe(2);
  expect(object.body.split('\n')).toHaveLength(3);
  expect(object.body.split('\n').slice(0, 2).map((line) => JSON.parse(line).transactionId)).toEqual(['t1', 't2']);
});

test('records other than new payments are skipped, and a batch of none gives no object', () => {
  const modify: DynamoDBRecord = { eventID: 'm0', eventName: 'MODIFY', dynamodb: { NewImage: {} } };
  const remove: DynamoDBRecord = { eventID: 'r0', eventName: 'REMOVE', dynamodb: {} };
  expect(toAuditObject([modify, remove], 'audit/')).toBeUndefined();
  expect(toAuditObject([], 'audit/')).toBeUndefined();
});

describe('a new payment\'s record that lacks what every ledger item holds fails the batch, naming the record and what it lacks', () => {
  test.each(['transaction_id', 'timestamp', 'status', 'currency', 'merchant_id', 'client_id'])('the string attribute %s', (name) => {
    const record = ledgerInsert('e7', 't7', '107');
    delete record.dynamodb!.NewImage![name];
    expect(() => toAuditObject([record], 'audit/')).toThrow(
      `Ledger stream record e7 lacks the string attribute ${name}; every new payment's record holds it.`);
  });

  test('a string attribute held as another type', () => {
    const record = ledgerInsert('e7', 't7', '107');
    record.dynamodb!.NewImage!.currency = { N: '978' };
    expect(() => toAuditObject([record], 'audit/')).toThrow('Ledger stream record e7 lacks the string attribute currency;');
  });

  test('the number attribute amount', () => {
    const record = ledgerInsert('e7', 't7', '107');
    record.dynamodb!.NewImage!.amount = { S: '1999' };
    expect(() => toAuditObject([record], 'audit/')).toThrow('Ledger stream record e7 lacks the number attribute amount;');
    delete record.dynamodb!.NewImage!.amount;
    expect(() => toAuditObject([record], 'audit/')).toThrow('Ledger stream record e7 lacks the number attribute amount;');
  });

  test('the new image', () => {
    const record = ledgerInsert('e7', 't7', '107');
    delete record.dynamodb!.NewImage;
    expect(() => toAuditObject([record], 'audit/')).toThrow('Ledger stream record e7 lacks dynamodb.NewImage;');
    expect(() => toAuditObject([{ eventID: 'e8', eventName: 'INSERT' }], 'audit/')).toThrow('Ledger stream record e8 lacks dynamodb.NewImage;');
  });

  test('the sequence number', () => {
    const record = ledgerInsert('e7', 't7', '107');
    delete record.dynamodb!.SequenceNumber;
    expect(() => toAuditObject([record], 'audit/')).toThrow('Ledger stream record e7 lacks dynamodb.SequenceNumber;');
  });

  test('the event id', () => {
    const record = ledgerInsert('e7', 't7', '107');
    delete record.eventID;
    expect(() => toAuditObject([record], 'audit/')).toThrow('Ledger stream record (without eventID) lacks eventID;');
  });

  test('in a later record of the batch too', () => {
    const later = ledgerInsert('e9', 't9', '109');
    delete later.dynamodb!.NewImage!.client_id;
    expect(() => toAuditObject([ledgerInsert('e1', 't1', '100'), later], 'audit/')).toThrow('Ledger stream record e9 lacks the string attribute client_id;');
  });
});
