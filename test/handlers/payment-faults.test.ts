import { DynamoDBClient, DynamoDBServiceException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { jsonHeaders, postPayment, validBody } from './events';
import { MotoServer } from './moto';
import { IdempotencyStore } from '../../src/handlers/idempotency';
import { Ledger } from '../../src/handlers/ledger';
import { routePaymentRequest } from '../../src/handlers/payment-routes';
import { PaymentService } from '../../src/handlers/payments';

/**
 * Failures of DynamoDB while a payment is accepted. Throttling and a lost response cannot be
 * provoked from moto_server, so those are injected into the real SDK client for one call (and
 * named "fault injected"); everything else runs against moto_server as it is.
 */
const LEDGER = 'ledger';
const IDEMPOTENCY = 'idempotency';
type Fault = 'throttle' | 'lose-response' | 'refuse-item';

let moto: MotoServer;
let keyCounter = 0;
const newKey = () => `fault-key-${++keyCounter}`;

beforeAll(async () => {
  moto = await MotoServer.start();
  await moto.createLedgerTable(LEDGER);
  await moto.createIdempotencyTable(IDEMPOTENCY);
});

afterAll(async () => {
  await moto?.stop();
});

/** A service on a real client that fails the next write to `table` in the given way. */
function serviceWithFault(table: string, fault?: Fault, client: DynamoDBClient = moto.dynamodb()) {
  let armed = fault !== undefined;
  client.middlewareStack.add((next, context) => async (args) => {
    const input = args.input as { TableName?: string };
    if (!armed || context.commandName !== 'PutItemCommand' || input.TableName !== table) {
      return next(args);
    }
    armed = false;
    if (fault === 'throttle') {
      throw new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds the allowed throughput.', $metadata: {} });
    }
    if (fault === 'refuse-item') {
      throw new DynamoDBServiceException({
        name: 'ValidationException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'One or more parameter values were invalid',
      });
    }
    await next(args);
    throw Object.assign(new Error('socket timed out after the request was sent'), { name: 'TimeoutError' });
  }, { step: 'initialize', name: 'injectFault' });
  return new PaymentService({ ledger: new Ledger(client, LEDGER), idempotency: new IdempotencyStore(client, IDEMPOTENCY, 86400) });
}

const post = (service: PaymentService, key: string, body = validBody()) =>
  routePaymentRequest(postPayment({ headers: jsonHeaders(key), body }), service, false);
const ledgerCount = async () => (await moto.scan(LEDGER)).length;
const idempotencyRecord = async (key: string) =>
  (await moto.scan(IDEMPOTENCY)).find((item) => item.id.S === IdempotencyStore.recordId('key:key-client-a', key));

test('ledger throttled (fault injected): 503 with Retry-After, nothing written, and the retry succeeds', async () => {
  const key = newKey();
  const before = await ledgerCount();
  const refused = await post(serviceWithFault(LEDGER, 'throttle'), key);
  expect(refused.response.statusCode).toBe(503);
  expect(JSON.parse(refused.response.body).error.code).toBe('service_unavailable');
  expect(refused.response.headers?.['Retry-After']).toBe('1');
  expect(await ledgerCount()).toBe(before);
  expect(await idempotencyRecord(key)).toBeUndefined();

  const retried = await post(serviceWithFault(LEDGER), key);
  expect(retried.response.statusCode).toBe(201);
  expect(retried.result).toBe('accepted');
  expect(await ledgerCount()).toBe(before + 1);
});

test('ledger refuses the item for what it holds (fault injected): 400, the claim is released, and the key is free', async () => {
  const key = newKey();
  const before = await ledgerCount();
  const refused = await post(serviceWithFault(LEDGER, 'refuse-item'), key, validBody({ description: 'first try' }));
  expect(refused.response.statusCode).toBe(400);
  expect(JSON.parse(refused.response.body).error).toMatchObject({
    code: 'validation_error',
    details: [{ field: 'body', issue: 'holds a value that the ledger cannot store' }],
  });
  expect(refused.failure).toBeInstanceOf(DynamoDBServiceException);
  expect(refused.response.body).not.toContain('parameter values');
  expect(await ledgerCount()).toBe(before);
  expect(await idempotencyRecord(key)).toBeUndefined();

  const corrected = await post(serviceWithFault(LEDGER), key, validBody({ description: 'second try' }));
  expect(corrected.response.statusCode).toBe(201);
  expect(corrected.result).toBe('accepted');
});

test('ledger refuses the item and the claim cannot be given back (faults injected): 503 with the lease\'s Retry-After', async () => {
  const key = newKey();
  const client = moto.dynamodb();
  // The release's delete is refused too, as when DynamoDB throttles it.
  client.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'DeleteItemCommand') {
      throw new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds the allowed throughput.', $metadata: {} });
    }
    return next(args);
  }, { step: 'initialize', name: 'refuseRelease' });
  const before = await ledgerCount();
  const refused = await post(serviceWithFault(LEDGER, 'refuse-item', client), key);
  expect({ status: refused.response.statusCode, code: JSON.parse(refused.response.body).error.code }).toEqual({ status: 503, code: 'service_unavailable' });
  // The claim stays until its lease of ten seconds runs out; the client is told to wait that long
  // (rounded up, less what the request itself took).
  expect(['9', '10']).toContain(refused.response.headers?.['Retry-After']);
  expect(await ledgerCount()).toBe(before);
  expect(await idempotencyRecord(key)).toBeDefined();
});

test('idempotency claim throttled (fault injected): 503 with Retry-After, nothing written', async () => {
  const key = newKey();
  const before = await ledgerCount();
  const refused = await post(serviceWithFault(IDEMPOTENCY, 'throttle'), key);
  expect(refused.response.statusCode).toBe(503);
  expect(refused.response.headers?.['Retry-After']).toBe('1');
  expect(await ledgerCount()).toBe(before);
  expect(await idempotencyRecord(key)).toBeUndefined();
});

test('ledger response lost after the write (fault injected): 503, and the retry replays the one payment', async () => {
  const key = newKey();
  const before = await ledgerCount();
  const unknown = await post(serviceWithFault(LEDGER, 'lose-response'), key);
  expect(unknown.response.statusCode).toBe(503);
  expect(Number(unknown.response.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
  expect(await ledgerCount()).toBe(before + 1);

  const retried = await post(serviceWithFault(LEDGER), key);
  expect(retried.response.statusCode).toBe(201);
  expect(retried.response.headers?.['Idempotent-Replayed']).toBe('true');
  expect(await ledgerCount()).toBe(before + 1);
});

test('DynamoDB unreachable: 503 with Retry-After and no error text from the SDK', async () => {
  const closed = new DynamoDBClient({ ...moto.clientConfig(), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
  const outcome = await post(serviceWithFault(LEDGER, undefined, closed), newKey());
  expect(outcome.response.statusCode).toBe(503);
  expect(Number(outcome.response.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
  expect(outcome.response.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
});

test('an unexpected failure: 500 internal_error with the request id, and no stack or AWS error text', async () => {
  const client = moto.dynamodb();
  const service = new PaymentService({ ledger: new Ledger(client, 'no-such-table'), idempotency: new IdempotencyStore(client, IDEMPOTENCY, 86400) });
  const key = newKey();
  const outcome = await post(service, key);
  expect(outcome.response.statusCode).toBe(500);
  // DynamoDB answered that the table does not exist: nothing was written, so no claim is kept.
  expect(await idempotencyRecord(key)).toBeUndefined();
  const body = JSON.parse(outcome.response.body);
  expect(body).toEqual({
    error: {
      code: 'internal_error',
      message: 'An unexpected error occurred. Quote the request id when you contact support.',
      requestId: expect.stringMatching(/^api-request-/),
    },
  });
  expect(outcome.failure).toBeInstanceOf(Error);
  expect(outcome.result).toBe('internal_error');
  expect(outcome.response.body).not.toMatch(/ResourceNotFound|no-such-table|at /);
});
