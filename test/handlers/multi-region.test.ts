import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { coldStartSuite } from './cold-start-suite';
import { coldStart, jsonHeaders, lambdaContext, ledgerChange, postPayment, validBody } from './events';
import { LambdaStandIn } from './lambda-stand-in';
import { HANDLER_ENVIRONMENT } from './payment-harness';
import { DynamoDBStandIn } from './stand-in';
import { toAuditObject } from '../../src/handlers/audit-records';
import { Charges } from '../../src/handlers/charges';
import { Completer, Completion } from '../../src/handlers/completer';
import { chargeLeaseMs } from '../../src/handlers/deadline';
import { IdempotencyStore } from '../../src/handlers/idempotency';
import { LambdaProcessor } from '../../src/handlers/lambda-processor';
import { Ledger } from '../../src/handlers/ledger';
import { routePaymentRequest } from '../../src/handlers/payment-routes';
import { PaymentService } from '../../src/handlers/payments';
import { simulatedReference } from '../../src/handlers/simulated-processor';

/**
 * The payment handler of two Regions at once. MRSC, which moto_server does not offer, gives every
 * Region one latest version of each item and checks conditions against it: two handlers on the
 * same moto_server tables stand in for it. Two handlers on separate tables stand in for eventual
 * consistency (MREC), where each Region checks its own copy. A `ReplicatedWriteConflictException`,
 * which only MRSC produces, comes from a loopback stand-in that answers some requests with it and
 * passes the rest to moto_server (named "fault injected").
 */
type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;
type RegionalHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

const suite = coldStartSuite(async (moto) => {
  for (const suffix of ['', '-east', '-west']) {
    await moto.createLedgerTable(`ledger${suffix}`);
    await moto.createIdempotencyTable(`idempotency${suffix}`);
  }
});

/** A fresh copy of the bundled handler's entry point, started as a Lambda container of `region` would be. */
function regionalHandler(region: string, tables: { ledger: string; idempotency: string }): RegionalHandler {
  const handler = coldStart<{ handler: Handler }>({
    ...HANDLER_ENVIRONMENT,
    LEDGER_TABLE_NAME: tables.ledger,
    IDEMPOTENCY_TABLE_NAME: tables.idempotency,
    PAYMENTS_ORIGIN_REGION: region,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  }, () => require('../../src/handlers/payment-handler.lambda')).handler;
  return (event) => handler(event, lambdaContext());
}

/** The same key sent to both handlers, `rounds` times each, all at once. */
async function sendFromBothRegions(east: RegionalHandler, west: RegionalHandler, key: string, rounds: number) {
  const request = () => postPayment({ headers: jsonHeaders(key), body: validBody() });
  const sent = Array.from({ length: rounds }, () => [east(request()), west(request())]).flat();
  return Promise.all(sent);
}

const createdIds = (responses: APIGatewayProxyResult[]) =>
  responses.filter((r) => r.statusCode === 201).map((r) => JSON.parse(r.body).transactionId as string);

test('two Regions on the one strongly consistent table: concurrent requests with one key make exactly one payment', async () => {
  const east = regionalHandler('us-east-1', { ledger: 'ledger', idempotency: 'idempotency' });
  const west = regionalHandler('us-west-2', { ledger: 'ledger', idempotency: 'idempotency' });
  const responses = await sendFromBothRegions(east, west, 'mrsc-key', 10);

  // Every answer is the payment or "still in progress, retry"; never a second payment.
  expect(responses.every((r) => r.statusCode === 201 || r.statusCode === 409)).toBe(true);
  const ledger = await suite.moto().scan('ledger');
  expect(ledger).toHaveLength(1);
  expect(new Set(createdIds(responses))).toEqual(new Set([ledger[0].transaction_id.S]));

  // Retries from either Region once the first attempt is done replay that payment.
  const retries = await sendFromBothRegions(east, west, 'mrsc-key', 1);
  expect(retries.map((r) => r.statusCode)).toEqual([201, 201]);
  expect(new Set(createdIds(retries))).toEqual(new Set([ledger[0].transaction_id.S]));
  expect(await suite.moto().scan('ledger')).toHaveLength(1);
  // The item names the Region that accepted it, for that Region's audit writer alone.
  expect(['us-east-1', 'us-west-2']).toContain(ledger[0].origin_region.S);
});

test('two Regions on separate copies (eventual consistency): the same key pays twice, which is why MREC is refused', async () => {
  const east = regionalHandler('us-east-1', { ledger: 'ledger-east', idempotency: 'idempotency-east' });
  const west = regionalHandler('us-west-2', { ledger: 'ledger-west', idempotency: 'idempotency-west' });
  const responses = await sendFromBothRegions(east, west, 'mrec-key', 1);

  expect(responses.map((r) => r.statusCode)).toEqual([201, 201]);
  const [eastId, westId] = createdIds(responses);
  expect(eastId).not.toBe(westId);
  const payments = [...await suite.moto().scan('ledger-east'), ...await suite.moto().scan('ledger-west')];
  expect(payments.map((item) => item.transaction_id.S).sort()).toEqual([eastId, westId].sort());
});

test('a single-Region handler writes no origin Region, and its audit records carry none', async () => {
  const handler = regionalHandler('', { ledger: 'ledger', idempotency: 'idempotency' });
  const created = await handler(postPayment({ headers: jsonHeaders('single-region-key'), body: validBody() }));
  expect(created.statusCode).toBe(201);
  const id = JSON.parse(created.body).transactionId;
  const item = (await suite.moto().scan('ledger')).find((i) => i.transaction_id.S === id)!;
  expect(item.origin_region).toBeUndefined();
  const audit = toAuditObject(ledgerChange(item as never, { eventID: 'e1', sequenceNumber: '1' }), 'audit/');
  expect(JSON.parse(audit.body)).not.toHaveProperty('originRegion');
});

test('an audit record names the Region that accepted the payment', async () => {
  const handler = regionalHandler('us-east-2', { ledger: 'ledger', idempotency: 'idempotency' });
  const created = await handler(postPayment({ headers: jsonHeaders('audited-key'), body: validBody() }));
  const id = JSON.parse(created.body).transactionId;
  const item = (await suite.moto().scan('ledger')).find((i) => i.transaction_id.S === id)!;
  const audit = toAuditObject(ledgerChange(item as never, { eventID: 'e2', sequenceNumber: '2' }), 'audit/');
  expect(JSON.parse(audit.body)).toMatchObject({ transactionId: id, originRegion: 'us-east-2' });
});

describe('a write that conflicts with one in another Region (fault injected)', () => {
  let standIn: DynamoDBStandIn;
  let conflicts: Map<string, number>;

  beforeAll(async () => {
    standIn = await DynamoDBStandIn.start(suite.moto(), (call) => {
      const left = conflicts.get(call) ?? 0;
      if (left === 0) {
        return undefined;
      }
      conflicts.set(call, left - 1);
      return { status: 400, type: 'ReplicatedWriteConflictException' };
    });
  });

  afterAll(() => standIn?.stop());

  beforeEach(() => {
    conflicts = new Map();
    standIn.seen.length = 0;
  });

  /** A service on a client like the handler's (two attempts), through the stand-in. */
  function service(): PaymentService {
    const client = new DynamoDBClient({ ...suite.moto().clientConfig(), endpoint: standIn.endpoint, maxAttempts: 2 });
    return new PaymentService({ ledger: new Ledger(client, 'ledger', 'us-east-1'), idempotency: new IdempotencyStore(client, 'idempotency', 86400) });
  }
  const post = (key: string) => routePaymentRequest(postPayment({ headers: jsonHeaders(key), body: validBody() }), service(), false);
  const claimOf = async (key: string) =>
    (await suite.moto().scan('idempotency')).find((item) => item.id.S === IdempotencyStore.recordId('key:key-client-a', key));
  const ledgerCount = async () => (await suite.moto().scan('ledger')).length;
  const claimWrites = () => standIn.seen.filter((call) => call === 'PutItem idempotency').length;

  test('one conflict on the claim is retried by the SDK, and the payment is made once', async () => {
    conflicts.set('PutItem idempotency', 1);
    const before = await ledgerCount();
    const created = await post('conflict-once');
    expect(created.response.statusCode).toBe(201);
    expect(claimWrites()).toBe(2);
    expect(await ledgerCount()).toBe(before + 1);
  });

  test('a claim that keeps conflicting: 503 with Retry-After 1, and nothing is written', async () => {
    conflicts.set('PutItem idempotency', 2);
    const before = await ledgerCount();
    const refused = await post('conflict-claim');
    expect(refused.response.statusCode).toBe(503);
    expect(refused.response.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(refused.response.body).error.code).toBe('service_unavailable');
    expect(await claimOf('conflict-claim')).toBeUndefined();
    expect(await ledgerCount()).toBe(before);
  });

  test('a ledger write that keeps conflicting: 503 with Retry-After 1, the claim is released, and the retry pays once', async () => {
    conflicts.set('PutItem ledger', 2);
    const before = await ledgerCount();
    const refused = await post('conflict-ledger');
    expect(refused.response.statusCode).toBe(503);
    expect(refused.response.headers?.['Retry-After']).toBe('1');
    expect(await claimOf('conflict-ledger')).toBeUndefined();
    expect(await ledgerCount()).toBe(before);

    const retried = await post('conflict-ledger');
    expect(retried.response.statusCode).toBe(201);
    expect(await ledgerCount()).toBe(before + 1);
  });

  test('a failed condition is not retried as a conflict is, and no request is a transaction (MRSC has none)', async () => {
    const first = await post('condition-key');
    expect(first.response.statusCode).toBe(201);
    standIn.seen.length = 0;
    const replay = await post('condition-key');
    expect(replay.response.statusCode).toBe(201);
    expect(replay.result).toBe('replayed');
    expect(claimWrites()).toBe(1);
    expect(standIn.seen.filter((call) => call.startsWith('Transact') || call.startsWith('ExecuteTransaction'))).toEqual([]);
  });
});

describe('payments through a processor: each Region calls its own, and a takeover in another Region keeps the key', () => {
  const TIMEOUT_MS = 800;
  let processor: LambdaStandIn;
  const charging = (region: string): RegionalHandler => {
    const handler = coldStart<{ handler: Handler }>({
      ...HANDLER_ENVIRONMENT,
      LEDGER_TABLE_NAME: 'ledger',
      IDEMPOTENCY_TABLE_NAME: 'idempotency',
      PAYMENTS_ORIGIN_REGION: region,
      AWS_ENDPOINT_URL_LAMBDA: processor.endpoint,
      PROCESSOR_FUNCTION_NAME: `processor-${region}`,
      PROCESSOR_TIMEOUT_MS: String(TIMEOUT_MS),
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    }, () => require('../../src/handlers/processor-payment-handler.lambda')).handler;
    return (event) => handler(event, lambdaContext());
  };
  const callsFor = (transactionId: string) => processor.calls.filter((call) => call.request.transactionId === transactionId)
    .map((call) => ({ functionName: call.functionName, idempotencyKey: call.request.idempotencyKey }));
  const itemOf = async (transactionId: string) => (await suite.moto().scan('ledger')).filter((item) => item.transaction_id.S === transactionId);

  beforeAll(async () => {
    processor = await LambdaStandIn.start({ lateMs: TIMEOUT_MS + 400 });
  });

  afterAll(() => processor?.stop());

  test('a client\'s retry in another Region: that Region\'s processor, the same key, one payment stamped with the first Region', async () => {
    const east = charging('us-east-1');
    const west = charging('us-west-2');
    const request = () => postPayment({ headers: jsonHeaders('processor-retry-key'), body: validBody({ paymentMethodToken: 'tok_flaky' }) });
    // The first call for a key fails: the payment stays pending, and the lease ends with the answer.
    const failed = await east(request());
    expect(failed.statusCode).toBe(503);
    const transactionId = JSON.parse(failed.body).error.transactionId;

    const taken = await west(request());
    expect(taken.statusCode).toBe(201);
    expect(JSON.parse(taken.body)).toMatchObject({ transactionId, status: 'authorized', processorReference: simulatedReference(transactionId) });
    expect(callsFor(transactionId)).toEqual([
      { functionName: 'processor-us-east-1', idempotencyKey: transactionId },
      { functionName: 'processor-us-west-2', idempotencyKey: transactionId },
    ]);
    const items = await itemOf(transactionId);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: { S: 'authorized' }, origin_region: { S: 'us-east-1' } });

    // Either Region replays the outcome, byte for byte, without a call.
    const [fromEast, fromWest] = [await east(request()), await west(request())];
    expect(fromEast.body).toBe(taken.body);
    expect(fromWest.body).toBe(taken.body);
    expect(callsFor(transactionId)).toHaveLength(2);
  });

  test('the completer of another Region finishes a payment with its own processor and the same key', async () => {
    const east = charging('us-east-1');
    const failed = await east(postPayment({ headers: jsonHeaders('processor-completer-key'), body: validBody({ paymentMethodToken: 'tok_flaky' }) }));
    const transactionId = JSON.parse(failed.body).error.transactionId;
    const dynamodb = suite.moto().dynamodb();
    const idempotency = new IdempotencyStore(dynamodb, 'idempotency', 86400);
    const lambda = new LambdaClient({ ...suite.moto().clientConfig(), endpoint: processor.endpoint, maxAttempts: 1 });
    const clock = Date.now() + 1_000;
    const westCompleter = new Completer({
      idempotency,
      charges: new Charges(new Ledger(dynamodb, 'ledger', 'us-west-2'), idempotency, new LambdaProcessor(lambda, 'processor-us-west-2', TIMEOUT_MS), () => clock),
      leaseMs: chargeLeaseMs(TIMEOUT_MS),
      keyRetentionMs: 86400_000,
      now: () => clock,
    });
    const run = await westCompleter.run('west-completer', clock + 60_000);
    expect(run.completions.find((c) => c.transactionId === transactionId)?.completion).toBe(Completion.COMPLETED);
    expect(callsFor(transactionId)).toEqual([
      { functionName: 'processor-us-east-1', idempotencyKey: transactionId },
      { functionName: 'processor-us-west-2', idempotencyKey: transactionId },
    ]);
    expect((await itemOf(transactionId))[0]).toMatchObject({ status: { S: 'authorized' }, origin_region: { S: 'us-east-1' } });
    // The change is the first Region's to audit: the stream of each Region carries it, and only the
    // audit writer whose filter names the item's origin Region keeps it.
    const settled = (await itemOf(transactionId))[0];
    expect(JSON.parse(toAuditObject(ledgerChange(settled as never, { eventID: 'e3', sequenceNumber: '3' }), 'audit/').body))
      .toMatchObject({ transactionId, originRegion: 'us-east-1', newImage: expect.objectContaining({ status: 'authorized' }) });
  });
});
