import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { coldStartSuite } from './cold-start-suite';
import { jsonHeaders, postPayment, validBody } from './events';
import { LambdaStandIn } from './lambda-stand-in';
import { DynamoDBFault, DynamoDBStandIn } from './stand-in';
import { IdempotencyStore } from '../../src/handlers/idempotency';
import { LambdaProcessor } from '../../src/handlers/lambda-processor';
import { Ledger } from '../../src/handlers/ledger';
import { routePaymentRequest } from '../../src/handlers/payment-routes';
import { PaymentService } from '../../src/handlers/payments';

/**
 * The phases around the processor call where DynamoDB misbehaves or an earlier attempt got
 * further than its record says: the write-ahead refused, failed or found already settled, and an
 * outcome recorded in the ledger by another attempt first. Against moto_server, with the faults
 * that it never produces injected by a loopback stand-in in front of it (named "fault injected"),
 * and the processor behind the loopback Lambda Invoke stand-in.
 */
const LEDGER = 'charges-ledger';
const IDEMPOTENCY = 'charges-idempotency';
const TIMEOUT_MS = 800;
const suite = coldStartSuite(async (moto) => {
  await moto.createLedgerTable(LEDGER);
  await moto.createIdempotencyTable(IDEMPOTENCY);
});

let processor: LambdaStandIn;
let dynamodb: DynamoDBStandIn;
/** The faults to inject, by `<operation> <table>`, each answered to that many calls. */
let faults: Map<string, { fault: DynamoDBFault; times: number }>;
let keys = 0;
const newKey = () => `charges-${Date.now()}-${++keys}`;

beforeAll(async () => {
  processor = await LambdaStandIn.start({ lateMs: TIMEOUT_MS + 400 });
  dynamodb = await DynamoDBStandIn.start(suite.moto(), (call) => {
    const planned = faults.get(call);
    if (!planned || planned.times === 0) {
      return undefined;
    }
    planned.times--;
    return planned.fault;
  });
});

beforeEach(() => {
  faults = new Map();
});

afterEach(() => processor?.simulate());

afterAll(async () => {
  await processor?.stop();
  await dynamodb?.stop();
});

const THROTTLED: DynamoDBFault = { status: 400, type: 'ProvisionedThroughputExceededException' };
const INVALID: DynamoDBFault = { status: 400, type: 'ValidationException' };
const UNAVAILABLE: DynamoDBFault = { status: 500, type: 'InternalServerError' };

/** A service as the handler builds it (one attempt per call here, so that a fault is not retried away), through the stand-in. */
function service(ledgerTable = LEDGER): PaymentService {
  const client = new DynamoDBClient({ ...suite.moto().clientConfig(), endpoint: dynamodb.endpoint, maxAttempts: 1 });
  const lambda = new LambdaClient({ ...suite.moto().clientConfig(), endpoint: processor.endpoint, maxAttempts: 1 });
  return new PaymentService({
    ledger: new Ledger(client, ledgerTable),
    idempotency: new IdempotencyStore(client, IDEMPOTENCY, 86400),
    processor: { processor: new LambdaProcessor(lambda, 'payments-processor', TIMEOUT_MS), timeoutMs: TIMEOUT_MS, keyRetentionMs: 86400_000 },
  });
}
const post = async (key: string, token = 'tok_visa_4242', ledgerTable?: string): Promise<APIGatewayProxyResult> => {
  const event = postPayment({ headers: jsonHeaders(key), body: validBody({ paymentMethodToken: token }) });
  return (await routePaymentRequest(event, service(ledgerTable), false)).response;
};
const errorOf = (response: APIGatewayProxyResult) => JSON.parse(response.body).error;
const records = async () => suite.moto().scan(IDEMPOTENCY);
const recordOf = async (transactionId: string) => (await records()).find((item) => item.transaction_id.S === transactionId);
const callsFor = (transactionId: string) => processor.calls.filter((call) => call.request.transactionId === transactionId);
const inject = (call: string, fault: DynamoDBFault, times = 1) => faults.set(call, { fault, times });

describe('the write-ahead refused by DynamoDB (fault injected): the claim is given back, nothing is kept, the processor is not called', () => {
  test('a value the ledger cannot store: 400, and the key is free for a corrected request', async () => {
    const key = newKey();
    const before = (await records()).length;
    const calls = processor.calls.length;
    inject(`PutItem ${LEDGER}`, INVALID);
    const refused = await post(key);
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused)).toMatchObject({ code: 'validation_error', details: [{ field: 'body', issue: 'holds a value that the ledger cannot store' }] });
    expect(await records()).toHaveLength(before);
    expect(processor.calls).toHaveLength(calls);

    const accepted = await post(key);
    expect(accepted.statusCode).toBe(201);
    expect(JSON.parse(accepted.body).status).toBe('authorized');
  });

  test('throttled: 503 with Retry-After 1, the claim given back', async () => {
    const before = (await records()).length;
    inject(`PutItem ${LEDGER}`, THROTTLED);
    const throttled = await post(newKey());
    expect(throttled.statusCode).toBe(503);
    expect(throttled.headers?.['Retry-After']).toBe('1');
    expect(await records()).toHaveLength(before);
  });

  test('another refusal (a table that is not there): 500, the claim given back', async () => {
    const before = (await records()).length;
    const calls = processor.calls.length;
    const failed = await post(newKey(), 'tok_visa_4242', 'no-such-ledger');
    expect(failed.statusCode).toBe(500);
    expect(await records()).toHaveLength(before);
    expect(processor.calls).toHaveLength(calls);
  });

  test('a refusal whose claim cannot be given back either: 503 until the lease runs out, the claim kept', async () => {
    const before = (await records()).length;
    inject(`PutItem ${LEDGER}`, THROTTLED);
    inject(`DeleteItem ${IDEMPOTENCY}`, THROTTLED);
    const failed = await post(newKey());
    expect(failed.statusCode).toBe(503);
    // Not the 1 second of a throttled write: the claim holds until the lease (the timeout plus 10 s) ends.
    expect(Number(failed.headers?.['Retry-After'])).toBeGreaterThanOrEqual(10);
    expect(await records()).toHaveLength(before + 1);
  });
});

test('the write-ahead fails with DynamoDB unavailable (fault injected): 503 until the lease ends, the claim kept, no call', async () => {
  const before = (await records()).length;
  const calls = processor.calls.length;
  inject(`PutItem ${LEDGER}`, UNAVAILABLE);
  const failed = await post(newKey());
  expect(failed.statusCode).toBe(503);
  expect(Number(failed.headers?.['Retry-After'])).toBeGreaterThanOrEqual(10);
  expect(await records()).toHaveLength(before + 1);
  expect(processor.calls).toHaveLength(calls);
});

test('a retry that took over is refused the write-ahead (fault injected): the claim stays, the payment is not lost, the next retry pays once', async () => {
  const key = newKey();
  const failed = await post(key, 'tok_flaky');
  expect(failed.statusCode).toBe(503);
  const transactionId = errorOf(failed).transactionId;
  inject(`PutItem ${LEDGER}`, THROTTLED);
  const throttled = await post(key, 'tok_flaky');
  expect(throttled.statusCode).toBe(503);
  // Nothing was written or called: the retry's lease ends, and the next retry may go on at once.
  expect(throttled.headers?.['Retry-After']).toBe('1');
  const record = await recordOf(transactionId);
  expect(record).toMatchObject({ pending_shard: expect.anything() });
  expect(Number(record!.locked_until.N)).toBeLessThanOrEqual(Date.now());
  const paid = await post(key, 'tok_flaky');
  expect(paid.statusCode).toBe(201);
  expect(JSON.parse(paid.body)).toMatchObject({ transactionId, status: 'authorized' });
  expect(callsFor(transactionId).map((call) => call.request.idempotencyKey)).toEqual([transactionId, transactionId]);
});

describe('an outcome that the ledger already holds is answered from it, without a call', () => {
  /** A payment whose processor call settled the ledger, as another attempt would have, and then failed. */
  async function settledButPending(outcome: 'authorized' | 'declined') {
    const key = newKey();
    const ledger = new Ledger(suite.moto().dynamodb(), LEDGER);
    processor.answer = async (request) => {
      await ledger.settle(request.transactionId, (await recordOf(request.transactionId))!.created_at.S!, outcome === 'authorized'
        ? { outcome, processorReference: `ref_earlier_${request.transactionId}` }
        : { outcome, processorReference: `ref_earlier_${request.transactionId}`, declineCode: 'insufficient_funds' });
      return { kind: 'error' };
    };
    const failed = await post(key);
    expect(failed.statusCode).toBe(503);
    processor.simulate();
    return { key, transactionId: errorOf(failed).transactionId as string };
  }

  test('authorized: 201 with the reference recorded first', async () => {
    const { key, transactionId } = await settledButPending('authorized');
    const answered = await post(key);
    expect(answered.statusCode).toBe(201);
    expect(JSON.parse(answered.body)).toMatchObject({ transactionId, status: 'authorized', processorReference: `ref_earlier_${transactionId}` });
    expect(callsFor(transactionId)).toHaveLength(1);
    expect((await recordOf(transactionId))?.pending_shard).toBeUndefined();
  });

  test('declined: 402 with the decline code recorded first', async () => {
    const { key, transactionId } = await settledButPending('declined');
    const answered = await post(key);
    expect(answered.statusCode).toBe(402);
    expect(errorOf(answered)).toMatchObject({ code: 'payment_declined', declineCode: 'insufficient_funds', transactionId });
    expect(callsFor(transactionId)).toHaveLength(1);
  });
});

test('an outcome recorded in the ledger by another attempt while this one called: this one answers that outcome', async () => {
  const key = newKey();
  const ledger = new Ledger(suite.moto().dynamodb(), LEDGER);
  processor.answer = async (request) => {
    await ledger.settle(request.transactionId, (await recordOf(request.transactionId))!.created_at.S!,
      { outcome: 'declined', processorReference: 'ref_first', declineCode: 'do_not_honor' });
    return { kind: 'result', payload: { outcome: 'authorized', processorReference: 'ref_second' } };
  };
  const answered = await post(key);
  expect(answered.statusCode).toBe(402);
  expect(errorOf(answered)).toMatchObject({ code: 'payment_declined', declineCode: 'do_not_honor' });
  const transactionId = errorOf(answered).transactionId;
  const item = (await suite.moto().scan(LEDGER)).find((i) => i.transaction_id.S === transactionId);
  expect(item).toMatchObject({ status: { S: 'declined' }, processor_reference: { S: 'ref_first' }, decline_code: { S: 'do_not_honor' } });
  expect((await post(key)).body).toBe(answered.body);
});
