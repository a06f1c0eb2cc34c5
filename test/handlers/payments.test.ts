import { ConditionalCheckFailedException, DynamoDBClient, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { MotoServer } from './moto';
import { isInvalidInput, isRefused, isThrottling, isUnavailable } from '../../src/handlers/dependency';
import { IdempotencyStore } from '../../src/handlers/idempotency';
import { Ledger } from '../../src/handlers/ledger';
import type { PaymentRequest } from '../../src/handlers/payment-request';
import { LEASE_MS, PaymentService } from '../../src/handlers/payments';

/**
 * How the payment service tells DynamoDB's failures apart, and what it answers for each: a refusal
 * (nothing was written, the claim is given back), throttling (retry in a second), an unknown outcome
 * (the claim is kept for the lease) and anything else (a 500). Then the lease of a claim: when a
 * retry may take it over, and what it answers when it cannot.
 */
const classes = (error: unknown) => ({
  throttling: isThrottling(error),
  refused: isRefused(error),
  unavailable: isUnavailable(error),
  invalidInput: isInvalidInput(error),
});

const serviceError = (name: string, fault: 'client' | 'server', httpStatusCode?: number) =>
  new DynamoDBServiceException({ name, $fault: fault, $metadata: { httpStatusCode }, message: `${name} from DynamoDB` });

describe('which DynamoDB failures are throttling, refusals and unknown outcomes', () => {
  test.each(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException'])(
    'throttling (%s) is a refusal, not an unknown outcome', (name) => {
      expect(classes(serviceError(name, 'client', 400))).toEqual({ throttling: true, refused: true, unavailable: false, invalidInput: false });
    });

  test('a client error that DynamoDB answered with a status is a refusal: nothing was written', () => {
    expect(classes(serviceError('ResourceNotFoundException', 'client', 400))).toEqual(
      { throttling: false, refused: true, unavailable: false, invalidInput: false });
    expect(classes(serviceError('ValidationException', 'client', 400))).toEqual(
      { throttling: false, refused: true, unavailable: false, invalidInput: true });
  });

  test('a failed condition is a refusal that is not invalid input (the store and the ledger handle it)', () => {
    const failed = new ConditionalCheckFailedException({ $metadata: { httpStatusCode: 400 }, message: 'The conditional request failed' });
    expect(classes(failed)).toEqual({ throttling: false, refused: true, unavailable: false, invalidInput: false });
  });

  test('a client error without a response is no refusal: the request may have been written', () => {
    expect(classes(serviceError('ValidationException', 'client'))).toEqual(
      { throttling: false, refused: false, unavailable: true, invalidInput: true });
    const withoutMetadata = Object.assign(new Error('no metadata'), { name: 'SomeClientError', $fault: 'client' });
    expect(classes(withoutMetadata)).toEqual({ throttling: false, refused: false, unavailable: false, invalidInput: false });
  });

  test('a server error is an unknown outcome, not a refusal', () => {
    expect(classes(serviceError('InternalFailure', 'server', 500))).toEqual(
      { throttling: false, refused: false, unavailable: true, invalidInput: false });
  });

  test('a response status without a fault is neither a refusal nor an unknown outcome', () => {
    const answered = Object.assign(new Error('answered'), { name: 'SomeError', $metadata: { httpStatusCode: 400 } });
    expect(classes(answered)).toEqual({ throttling: false, refused: false, unavailable: false, invalidInput: false });
  });

  test.each(['TimeoutError', 'RequestTimeout', 'AbortError', 'InternalServerError', 'ServiceUnavailable'])(
    'a timeout or a failure on DynamoDB\'s side (%s) is an unknown outcome', (name) => {
      const error = Object.assign(new Error('no answer'), { name });
      expect(classes(error)).toEqual({ throttling: false, refused: false, unavailable: true, invalidInput: false });
    });

  test.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'])(
    'a network failure (%s) is an unknown outcome', (code) => {
      const error = Object.assign(new Error('socket'), { code });
      expect(classes(error)).toEqual({ throttling: false, refused: false, unavailable: true, invalidInput: false });
    });

  test('an unknown outcome is found in the cause of a wrapping error, and only there', () => {
    const timeout = Object.assign(new Error('no answer'), { name: 'TimeoutError' });
    expect(isUnavailable(new Error('wrapped', { cause: timeout }))).toBe(true);
    expect(isUnavailable(new Error('wrapped', { cause: new Error('wrapped', { cause: timeout }) }))).toBe(true);
    expect(isUnavailable(new Error('wrapped', { cause: new Error('plain') }))).toBe(false);
    expect(isUnavailable(new Error('wrapped', { cause: { $fault: 'server' } }))).toBe(false);
  });

  test('an error that says nothing of DynamoDB, and anything that is not an Error, is none of the classes', () => {
    const none = { throttling: false, refused: false, unavailable: false, invalidInput: false };
    expect(classes(new Error('plain'))).toEqual(none);
    expect(classes(Object.assign(new Error('odd code'), { code: 'EWHATEVER' }))).toEqual(none);
    for (const shaped of [
      { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } },
      { name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 } },
      { name: 'TimeoutError', $fault: 'server', $metadata: {}, code: 'ECONNRESET' },
      'ThrottlingException',
      undefined,
    ]) {
      expect(classes(shaped)).toEqual(none);
    }
  });
});

describe('the lease of a claim', () => {
  const LEDGER = 'ledger';
  const IDEMPOTENCY = 'idempotency';
  const CLIENT = 'key:client-a';
  const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
  const request: PaymentRequest = { amount: 1999, currency: 'EUR', merchantId: 'm_lease', paymentMethodToken: 'tok_lease' };
  let moto: MotoServer;
  let keyCounter = 0;
  const newKey = () => `lease-key-${++keyCounter}`;

  beforeAll(async () => {
    moto = await MotoServer.start();
    await moto.createLedgerTable(LEDGER);
    await moto.createIdempotencyTable(IDEMPOTENCY);
  });

  afterAll(async () => {
    await moto?.stop();
  });

  /**
   * A service on a real client whose clock stands at `nowMs`. `beforeSend` runs before each of the
   * client's commands reaches moto_server, and may throw in its place.
   */
  function service(nowMs: number, beforeSend?: (command: string, table: string) => Promise<void>, client: DynamoDBClient = moto.dynamodb()) {
    if (beforeSend) {
      client.middlewareStack.add((next, context) => async (args) => {
        await beforeSend(context.commandName ?? '', (args.input as { TableName: string }).TableName);
        return next(args);
      }, { step: 'initialize', name: 'beforeSend' });
    }
    return new PaymentService({
      ledger: new Ledger(client, LEDGER),
      idempotency: new IdempotencyStore(client, IDEMPOTENCY, 86_400),
      now: () => nowMs,
    });
  }

  /** A ledger write that times out before it reaches DynamoDB (fault injected): the claim is kept. */
  const ledgerTimesOut = async (command: string, table: string) => {
    if (command === 'PutItemCommand' && table === LEDGER) {
      throw Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
    }
  };

  const claimOf = async (key: string) =>
    (await moto.scan(IDEMPOTENCY)).find((item) => item.id.S === IdempotencyStore.recordId(CLIENT, key));
  const ledgerItems = async (transactionId: string) =>
    (await moto.scan(LEDGER)).filter((item) => item.transaction_id.S === transactionId);

  test('a ledger write with an unknown outcome (fault injected) answers 503 with the lease as Retry-After and keeps the claim', async () => {
    const key = newKey();
    await expect(service(T0, ledgerTimesOut).create(CLIENT, key, request)).rejects.toMatchObject({ status: 503, retryAfterSeconds: 10 });
    expect((await claimOf(key))?.locked_until.N).toBe(String(T0 + LEASE_MS));
  });

  test('a retry at the moment the lease runs out takes the claim over and writes the payment once', async () => {
    const key = newKey();
    await expect(service(T0, ledgerTimesOut).create(CLIENT, key, request)).rejects.toMatchObject({ status: 503 });
    await expect(service(T0 + LEASE_MS - 1).create(CLIENT, key, request)).rejects.toMatchObject({ status: 409, retryAfterSeconds: 1 });
    const created = await service(T0 + LEASE_MS).create(CLIENT, key, request);
    expect(created.replayed).toBe(false);
    expect(await ledgerItems(created.transactionId)).toHaveLength(1);
  });

  test('a retry that loses the takeover to a concurrent one answers 409 with the whole lease as Retry-After', async () => {
    const key = newKey();
    await expect(service(T0, ledgerTimesOut).create(CLIENT, key, request)).rejects.toMatchObject({ status: 503 });
    const later = T0 + LEASE_MS + 1;
    let concurrent: Promise<unknown> | undefined;
    const losing = service(later, async (command) => {
      if (command === 'UpdateItemCommand' && !concurrent) {
        // Another request takes the claim over, and completes, between this one's read and its takeover.
        concurrent = service(later).create(CLIENT, key, request);
        await concurrent;
      }
    });
    await expect(losing.create(CLIENT, key, request)).rejects.toMatchObject({ status: 409, retryAfterSeconds: LEASE_MS / 1000 });
    const winner = await concurrent as { transactionId: string; replayed: boolean };
    expect(winner.replayed).toBe(false);
    expect(await ledgerItems(winner.transactionId)).toHaveLength(1);
  });

  test('a claim taken over holds a lease of its own: a retry while its ledger write runs answers 409 until that lease ends', async () => {
    const key = newKey();
    await expect(service(T0, ledgerTimesOut).create(CLIENT, key, request)).rejects.toMatchObject({ status: 503 });
    const takeoverAt = T0 + LEASE_MS;
    let retry: Promise<unknown> | undefined;
    const takingOver = service(takeoverAt, async (command, table) => {
      if (command === 'PutItemCommand' && table === LEDGER && !retry) {
        retry = service(takeoverAt + LEASE_MS - 1).create(CLIENT, key, request).catch((error: unknown) => error);
        await retry;
      }
    });
    const created = await takingOver.create(CLIENT, key, request);
    expect(await retry).toMatchObject({ status: 409, retryAfterSeconds: 1 });
    expect(await ledgerItems(created.transactionId)).toHaveLength(1);
  });

  test('after a takeover, a ledger write with an unknown outcome (fault injected) answers 503 with the new lease as Retry-After', async () => {
    const key = newKey();
    await expect(service(T0, ledgerTimesOut).create(CLIENT, key, request)).rejects.toMatchObject({ status: 503 });
    await expect(service(T0 + LEASE_MS, ledgerTimesOut).create(CLIENT, key, request)).rejects.toMatchObject({ status: 503, retryAfterSeconds: 10 });
  });

  test('an unclassified failure of the ledger write (fault injected) is thrown as it is, for a 500, and the claim is kept', async () => {
    const key = newKey();
    const unexpected = new Error('unexpected');
    const failing = service(T0, async (command, table) => {
      if (command === 'PutItemCommand' && table === LEDGER) {
        throw unexpected;
      }
    });
    await expect(failing.create(CLIENT, key, request)).rejects.toBe(unexpected);
    expect(await claimOf(key)).toBeDefined();
  });

  test('an idempotency table that does not exist is thrown as it is, for a 500', async () => {
    const client = moto.dynamodb();
    const missing = new PaymentService({ ledger: new Ledger(client, LEDGER), idempotency: new IdempotencyStore(client, 'no-such-table', 86_400) });
    await expect(missing.create(CLIENT, newKey(), request)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('DynamoDB unreachable: a payment is answered 503 with the lease as Retry-After, a read with one second', async () => {
    const closed = new DynamoDBClient({ ...moto.clientConfig(), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const unreachable = service(T0, undefined, closed);
    await expect(unreachable.create(CLIENT, newKey(), request)).rejects.toMatchObject({ status: 503, retryAfterSeconds: 10 });
    await expect(unreachable.get(CLIENT, 'any')).rejects.toMatchObject({ status: 503, retryAfterSeconds: 1 });
  });
});
