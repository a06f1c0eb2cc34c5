import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { MotoServer } from './moto';
import { Payment, Ledger, paymentBody } from '../../src/handlers/ledger';
import type { PaymentRequest } from '../../src/handlers/payment-request';

/** The ledger table against moto_server: what an item holds, and who may read it back. */
const TABLE = 'ledger';
let moto: MotoServer;
let ledger: Ledger;
let idCounter = 0;

beforeAll(async () => {
  moto = await MotoServer.start();
  await moto.createLedgerTable(TABLE);
  ledger = new Ledger(moto.dynamodb(), TABLE);
});

afterAll(async () => {
  await moto?.stop();
});

function payment(): Payment {
  return {
    transactionId: `ledger-tx-${++idCounter}`,
    status: 'accepted',
    amount: 1999,
    currency: 'EUR',
    merchantId: 'm_ledger',
    createdAt: '2026-12-02T09:00:00.000Z',
  };
}

const request: PaymentRequest = { amount: 1999, currency: 'EUR', merchantId: 'm_ledger', paymentMethodToken: 'tok_ledger' };
const item = async (transactionId: string) => (await moto.scan(TABLE)).find((entry) => entry.transaction_id.S === transactionId);

test('a payment\'s item holds its fields, the client, and the description and metadata the request gave', async () => {
  const accepted = payment();
  const withExtras = { ...request, description: 'Order 1', metadata: { order: '1', note: 'ünïcode' } };
  expect(await ledger.append(accepted, withExtras, 'key:client-a')).toBe(true);
  expect(await item(accepted.transactionId)).toEqual({
    transaction_id: { S: accepted.transactionId },
    timestamp: { S: accepted.createdAt },
    status: { S: 'accepted' },
    amount: { N: '1999' },
    currency: { S: 'EUR' },
    merchant_id: { S: 'm_ledger' },
    client_id: { S: 'key:client-a' },
    description: { S: 'Order 1' },
    metadata: { M: { order: { S: '1' }, note: { S: 'ünïcode' } } },
  });
});

test('a payment without a description or metadata has neither attribute, and empty metadata is kept as an empty map', async () => {
  const plain = payment();
  await ledger.append(plain, request, 'key:client-a');
  expect(Object.keys((await item(plain.transactionId))!).sort()).toEqual(
    ['amount', 'client_id', 'currency', 'merchant_id', 'status', 'timestamp', 'transaction_id']);
  const empty = payment();
  await ledger.append(empty, { ...request, metadata: {} }, 'key:client-a');
  expect((await item(empty.transactionId))?.metadata).toEqual({ M: {} });
});

test('a second write of the same payment is refused and leaves the first item as it was', async () => {
  const accepted = payment();
  await ledger.append(accepted, { ...request, description: 'first' }, 'key:client-a');
  expect(await ledger.append({ ...accepted, amount: 5 }, { ...request, description: 'second' }, 'key:client-b')).toBe(false);
  const kept = await item(accepted.transactionId);
  expect([kept?.amount.N, kept?.description.S, kept?.client_id.S]).toEqual(['1999', 'first', 'key:client-a']);
});

test('a written payment is found by its key, and no other key is', async () => {
  const accepted = payment();
  await ledger.append(accepted, request, 'key:client-a');
  expect(await ledger.contains(accepted.transactionId, accepted.createdAt)).toBe(true);
  expect(await ledger.contains(accepted.transactionId, '2026-12-02T09:00:00.001Z')).toBe(false);
  expect(await ledger.contains('ledger-tx-none', accepted.createdAt)).toBe(false);
});

test('a payment is read back, as the 201 body gave it, by the client that created it and by no other', async () => {
  const accepted = payment();
  await ledger.append(accepted, { ...request, description: 'not in the body' }, 'key:client-a');
  const found = await ledger.find(accepted.transactionId, 'key:client-a');
  expect(paymentBody(found!)).toBe(paymentBody(accepted));
  expect(await ledger.find(accepted.transactionId, 'key:client-b')).toBeUndefined();
  expect(await ledger.find('ledger-tx-none', 'key:client-a')).toBeUndefined();
});

test('an item without a client (written outside the API) is read back by no client', async () => {
  const orphan = payment();
  await moto.dynamodb().send(new PutItemCommand({
    TableName: TABLE,
    Item: {
      transaction_id: { S: orphan.transactionId },
      timestamp: { S: orphan.createdAt },
      status: { S: 'accepted' },
      amount: { N: '1' },
      currency: { S: 'EUR' },
      merchant_id: { S: 'm_ledger' },
    },
  }));
  expect(await ledger.find(orphan.transactionId, 'key:client-a')).toBeUndefined();
  expect(await ledger.find(orphan.transactionId, '')).toBeUndefined();
});

test('both reads ask DynamoDB for a strongly consistent read (requests inspected: moto_server is always consistent)', async () => {
  // A payment read back right after its 201, and the replay check of a retry, must see the write.
  const client = moto.dynamodb();
  const sent: Array<{ command: string; consistentRead: unknown }> = [];
  client.middlewareStack.add((next, context) => async (args) => {
    sent.push({ command: context.commandName ?? '', consistentRead: (args.input as { ConsistentRead?: unknown }).ConsistentRead });
    return next(args);
  }, { step: 'initialize', name: 'recordReads' });
  const inspected = new Ledger(client, TABLE);
  const accepted = payment();
  await inspected.append(accepted, request, 'key:client-a');
  await inspected.contains(accepted.transactionId, accepted.createdAt);
  await inspected.find(accepted.transactionId, 'key:client-a');
  expect(sent.filter((entry) => entry.command !== 'PutItemCommand')).toEqual([
    { command: 'GetItemCommand', consistentRead: true },
    { command: 'QueryCommand', consistentRead: true },
  ]);
});
