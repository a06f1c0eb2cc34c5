import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { coldStartSuite } from './cold-start-suite';
import { coldStart, getPayment, jsonHeaders, lambdaContext, postPayment, validBody } from './events';
import { LambdaStandIn } from './lambda-stand-in';
import { HANDLER_ENVIRONMENT, IDEMPOTENCY, LEDGER } from './payment-harness';
import { simulatedReference } from '../../src/handlers/simulated-processor';

/**
 * The contract's "Payment processor" section, through the bundled handler's entry point against
 * moto_server, with the processor behind a loopback server that speaks the Lambda Invoke API (the
 * SDK's per-service endpoint, `AWS_ENDPOINT_URL_LAMBDA`). By default that server answers as the
 * simulated processor, by the payment's token.
 */
type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;

const TIMEOUT_MS = 800;
const suite = coldStartSuite(async (moto) => {
  await moto.createLedgerTable(LEDGER);
  await moto.createIdempotencyTable(IDEMPOTENCY);
});

let processor: LambdaStandIn;
let handler: Handler;
let keys = 0;
const newKey = () => `processor-${Date.now()}-${++keys}`;

beforeAll(async () => {
  processor = await LambdaStandIn.start({ lateMs: TIMEOUT_MS + 400 });
  suite.moto().useAsAwsEndpoint();
  handler = coldStart<{ handler: Handler }>({
    ...HANDLER_ENVIRONMENT,
    AWS_ENDPOINT_URL_LAMBDA: processor.endpoint,
    PROCESSOR_FUNCTION_NAME: 'payments-processor',
    PROCESSOR_TIMEOUT_MS: String(TIMEOUT_MS),
    // eslint-disable-next-line @typescript-eslint/no-require-imports
  }, () => require('../../src/handlers/processor-payment-handler.lambda')).handler;
});

afterEach(() => processor?.simulate());

afterAll(() => processor?.stop());

const post = (key: string, fields: Record<string, unknown> = {}, apiKeyId?: string) =>
  handler(postPayment({ headers: jsonHeaders(key), body: validBody(fields), apiKeyId }), lambdaContext());
const get = (transactionId: string) => handler(getPayment(transactionId), lambdaContext());
const ledgerItem = async (transactionId: string) =>
  (await suite.moto().scan(LEDGER)).filter((item) => item.transaction_id.S === transactionId);
const callsFor = (transactionId: string) => processor.calls.filter((call) => call.request.transactionId === transactionId);

describe('an authorization', () => {
  let key: string;
  let first: APIGatewayProxyResult;
  let transactionId: string;

  beforeAll(async () => {
    key = newKey();
    first = await post(key, { description: 'Order 42', metadata: { order: '42' } });
    transactionId = JSON.parse(first.body).transactionId;
  });

  test('201 with status authorized and the processor\'s reference, and a Location', () => {
    expect(first.statusCode).toBe(201);
    expect(JSON.parse(first.body)).toEqual({
      transactionId,
      status: 'authorized',
      amount: 1999,
      currency: 'USD',
      merchantId: 'm_1',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      processorReference: simulatedReference(transactionId),
    });
    expect(first.headers?.Location).toBe(`/payments/${transactionId}`);
    expect(first.headers?.['Idempotent-Replayed']).toBeUndefined();
  });

  test('one call to the processor, with the payment, and the transactionId as its idempotency key', () => {
    expect(callsFor(transactionId)).toEqual([{
      functionName: 'payments-processor',
      request: {
        transactionId,
        idempotencyKey: transactionId,
        amount: 1999,
        currency: 'USD',
        merchantId: 'm_1',
        paymentMethodToken: 'tok_visa_4242',
        description: 'Order 42',
        metadata: { order: '42' },
      },
    }]);
  });

  test('the ledger item moved from pending to authorized, with the reference; the record forgot the processor request', async () => {
    const [item] = await ledgerItem(transactionId);
    expect(item).toMatchObject({ status: { S: 'authorized' }, processor_reference: { S: simulatedReference(transactionId) } });
    expect(item.decline_code).toBeUndefined();
    const [record] = (await suite.moto().scan(IDEMPOTENCY)).filter((r) => r.transaction_id.S === transactionId);
    expect(record.response_status).toEqual({ N: '201' });
    expect(Number(record.expires_at.N)).toBeGreaterThan(Date.now() / 1000 + 86_000);
    for (const gone of ['processor_request', 'client_id', 'pending_shard', 'retry_at', 'tries']) {
      expect(record[gone]).toBeUndefined();
    }
  });

  test('a retry replays the 201 byte for byte without calling the processor again', async () => {
    const again = await post(key, { description: 'Order 42', metadata: { order: '42' } });
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers?.['Idempotent-Replayed']).toBe('true');
    expect(callsFor(transactionId)).toHaveLength(1);
  });

  test('GET shows the authorized payment with its reference', async () => {
    const found = await get(transactionId);
    expect(found.statusCode).toBe(200);
    expect(found.body).toBe(first.body);
  });
});

describe('a decline', () => {
  test('402 payment_declined with the decline code, the transactionId and a Location; replayed byte for byte; GET shows it', async () => {
    const key = newKey();
    const declined = await post(key, { paymentMethodToken: 'tok_decline_insufficient_funds' });
    expect(declined.statusCode).toBe(402);
    const { error } = JSON.parse(declined.body);
    expect(Object.keys(error)).toEqual(['code', 'message', 'requestId', 'declineCode', 'transactionId']);
    expect(error).toMatchObject({ code: 'payment_declined', declineCode: 'insufficient_funds', requestId: expect.stringMatching(/^api-request-/) });
    expect(declined.headers?.Location).toBe(`/payments/${error.transactionId}`);

    const again = await post(key, { paymentMethodToken: 'tok_decline_insufficient_funds' });
    expect(again.statusCode).toBe(402);
    expect(again.body).toBe(declined.body);
    expect(again.headers).toMatchObject({ 'Idempotent-Replayed': 'true', 'Location': `/payments/${error.transactionId}` });
    expect(callsFor(error.transactionId)).toHaveLength(1);

    const found = JSON.parse((await get(error.transactionId)).body);
    expect(found).toMatchObject({ status: 'declined', declineCode: 'insufficient_funds', processorReference: simulatedReference(error.transactionId) });
    const [item] = await ledgerItem(error.transactionId);
    expect(item).toMatchObject({ status: { S: 'declined' }, decline_code: { S: 'insufficient_funds' } });
  });
});

describe('a processor failure: 503 processor_unavailable, the payment pending, and the retry calls again with the same key', () => {
  test.each([
    ['an error', 'tok_flaky'],
    ['no answer within the processor timeout', 'tok_timeout'],
  ])('%s', async (_case, token) => {
    const key = newKey();
    const started = performance.now();
    const failed = await post(key, { paymentMethodToken: token });
    const tookMs = performance.now() - started;
    expect(failed.statusCode).toBe(503);
    const { error } = JSON.parse(failed.body);
    expect(error).toMatchObject({ code: 'processor_unavailable', transactionId: expect.any(String) });
    expect(failed.headers?.['Retry-After']).toBe('1');
    expect(tookMs).toBeLessThan(TIMEOUT_MS + 1_000);
    const [item] = await ledgerItem(error.transactionId);
    expect(item.status).toEqual({ S: 'pending' });
    expect(JSON.parse((await get(error.transactionId)).body).status).toBe('pending');

    if (token === 'tok_timeout') {
      processor.answer = async (request) => ({ kind: 'result', payload: { outcome: 'authorized', processorReference: simulatedReference(request.idempotencyKey) } });
    }
    const retried = await post(key, { paymentMethodToken: token });
    expect(retried.statusCode).toBe(201);
    expect(JSON.parse(retried.body)).toMatchObject({ transactionId: error.transactionId, status: 'authorized' });
    expect(retried.headers?.['Idempotent-Replayed']).toBeUndefined();
    expect(callsFor(error.transactionId).map((call) => call.request.idempotencyKey)).toEqual([error.transactionId, error.transactionId]);
    expect(await ledgerItem(error.transactionId)).toHaveLength(1);
  });
});

describe('an answer that the contract does not allow', () => {
  const CARD = '4111111111111111';
  test.each([
    ['an unknown outcome that echoes the token and a card number', { outcome: 'captured', processorReference: 'ref_1', token: 'tok_visa_4242', card: CARD }],
    ['a decline without a code', { outcome: 'declined', processorReference: 'ref_1' }],
    ['a reference that is too long', { outcome: 'authorized', processorReference: 'r'.repeat(129) }],
    ['not an object', [CARD]],
  ])('%s: 503 processor_unavailable; nothing of it is stored, logged or returned', async (_case, payload) => {
    processor.answer = async () => ({ kind: 'result', payload });
    const mark = suite.output.mark();
    const failed = await post(newKey());
    expect(failed.statusCode).toBe(503);
    const { error } = JSON.parse(failed.body);
    expect(error.code).toBe('processor_unavailable');
    const stored = JSON.stringify([await suite.moto().scan(LEDGER), await suite.moto().scan(IDEMPOTENCY)]);
    for (const text of [failed.body, suite.output.textSince(mark), stored]) {
      expect(text).not.toContain(CARD);
      expect(text).not.toContain('captured');
      expect(text).not.toContain('r'.repeat(129));
    }
    // The token stays where the contract keeps it: the pending record's processor request, for the completer.
    expect(failed.body).not.toContain('tok_visa_4242');
    expect(suite.output.textSince(mark)).not.toContain('tok_visa_4242');
    // The processor's error answer quotes the token; only the kind of failure reaches the log.
    expect(suite.output.textSince(mark)).toContain('invalid_answer');
  });

  test('a function error whose message quotes the token: logged as an error of the processor, without the message', async () => {
    const mark = suite.output.mark();
    const failed = await post(newKey(), { paymentMethodToken: 'tok_error' });
    expect(JSON.parse(failed.body).error.code).toBe('processor_unavailable');
    const logged = suite.output.textSince(mark);
    expect(logged).toContain('The processor call failed: error.');
    expect(logged).not.toContain('declined to answer');
    expect(logged).not.toContain('tok_error');
  });
});

describe('concurrency', () => {
  test('a retry while the processor call is in flight: 409 idempotency_in_progress, and no second call', async () => {
    const slow = processor.answer;
    processor.answer = async (request, call) => ({ ...(await slow(request, call)), delayMs: 400 });
    const key = newKey();
    const first = post(key);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const during = await post(key);
    expect(during.statusCode).toBe(409);
    expect(JSON.parse(during.body).error.code).toBe('idempotency_in_progress');
    expect(Number(during.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
    const created = await first;
    expect(created.statusCode).toBe(201);
    expect(callsFor(JSON.parse(created.body).transactionId)).toHaveLength(1);
  });

  test('50 concurrent requests with one key: one payment, one idempotency key at the processor', async () => {
    const key = newKey();
    const before = processor.calls.length;
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(key)));
    const created = responses.filter((r) => r.statusCode === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(responses.every((r) => r.statusCode === 201 || r.statusCode === 409)).toBe(true);
    const ids = new Set(created.map((r) => JSON.parse(r.body).transactionId));
    expect(ids.size).toBe(1);
    const [transactionId] = ids;
    expect(await ledgerItem(transactionId)).toHaveLength(1);
    expect(new Set(processor.calls.slice(before).map((call) => call.request.idempotencyKey))).toEqual(new Set([transactionId]));
  });

  test('the same key from two clients: two payments, two idempotency keys at the processor', async () => {
    const key = newKey();
    const [a, b] = await Promise.all([post(key, {}, 'client-a'), post(key, {}, 'client-b')]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    const [idA, idB] = [JSON.parse(a.body).transactionId, JSON.parse(b.body).transactionId];
    expect(idA).not.toBe(idB);
    expect(callsFor(idA).map((call) => call.request.idempotencyKey)).toEqual([idA]);
    expect(callsFor(idB).map((call) => call.request.idempotencyKey)).toEqual([idB]);
  });
});
