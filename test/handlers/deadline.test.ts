import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { coldStartSuite } from './cold-start-suite';
import { coldStart, jsonHeaders, lambdaContext, postPayment, validBody } from './events';
import { HANDLER_ENVIRONMENT, IDEMPOTENCY, LEDGER } from './payment-harness';
import { DynamoDBStandIn } from './stand-in';
import { Deadline, REQUEST_BUDGET_MS, RequestDeadlineError } from '../../src/handlers/deadline';
import { IdempotencyStore } from '../../src/handlers/idempotency';
import { Ledger } from '../../src/handlers/ledger';
import { routePaymentRequest } from '../../src/handlers/payment-routes';
import { PaymentService } from '../../src/handlers/payments';

/**
 * Every request's deadline: the handler answers before API Gateway's 29 seconds however slowly
 * DynamoDB answers, with a 503 and Retry-After, and the retry with the same key settles it.
 */
describe('Deadline', () => {
  test('the budget leaves API Gateway\'s 29 seconds room for a cold start and the answer', () => {
    expect(REQUEST_BUDGET_MS).toBe(25_000);
  });

  test('a call that answers in time gives its result; one that fails in time gives its failure', async () => {
    const deadline = new Deadline(1_000);
    await expect(deadline.run(async () => 'answer')).resolves.toBe('answer');
    await expect(deadline.run(async () => {
      throw new Error('refused');
    })).rejects.toThrow('refused');
  });

  test('a call still running at the deadline gives a timeout, at the deadline', async () => {
    const deadline = new Deadline(100);
    const started = performance.now();
    const error = await deadline.run(() => new Promise((resolve) => setTimeout(resolve, 2_000))).catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect(error).toBeInstanceOf(RequestDeadlineError);
    // Read by the service as a dependency that timed out: its outcome is unknown.
    expect((error as Error).name).toBe('TimeoutError');
    expect((error as Error).message).toBe('The request reached its deadline before a dependency answered.');
    expect(waited).toBeGreaterThanOrEqual(95);
    expect(waited).toBeLessThan(1_000);
  });

  test('after the deadline no call is started', async () => {
    let now = 0;
    const deadline = new Deadline(50, () => now);
    now = 50;
    let started = false;
    await expect(deadline.run(async () => {
      started = true;
    })).rejects.toBeInstanceOf(RequestDeadlineError);
    expect(started).toBe(false);
  });

  test('the time left is shared by the calls of one request', async () => {
    let now = 0;
    const deadline = new Deadline(1_000, () => now);
    now = 990;
    const started = performance.now();
    await expect(deadline.run(() => new Promise((resolve) => setTimeout(resolve, 500)))).rejects.toBeInstanceOf(RequestDeadlineError);
    expect(performance.now() - started).toBeLessThan(400);
  });
});

type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;

describe('the payment handler against a DynamoDB that answers slowly (a loopback stand-in in front of moto_server)', () => {
  const suite = coldStartSuite(async (moto) => {
    await moto.createLedgerTable(LEDGER);
    await moto.createIdempotencyTable(IDEMPOTENCY);
  });
  let standIn: DynamoDBStandIn;
  let holdMs = 0;

  beforeAll(async () => {
    // Each request held just under the SDK's 3-second request timeout, so that no attempt times out.
    standIn = await DynamoDBStandIn.start(suite.moto(), () => undefined, () => (holdMs > 0 ? holdMs : undefined));
  });
  afterAll(() => standIn?.stop());

  const start = () => coldStart<{ handler: Handler }>({ ...HANDLER_ENVIRONMENT, AWS_ENDPOINT_URL: standIn.endpoint },
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require('../../src/handlers/payment-handler.lambda')).handler;
  /** A Lambda context whose function has `remainingMs` left, as one configured with that timeout. */
  const withRemaining = (remainingMs: number) => ({ ...lambdaContext(), getRemainingTimeInMillis: () => remainingMs });

  test('a request whose calls outlast its time answers 503 with Retry-After at its deadline, and the retry finds the one claim', async () => {
    const handler = start();
    holdMs = 1_500;
    // With 3 seconds left the budget is 2 seconds: the claim (1.5 s) and the ledger write (1.5 s) do not fit.
    const started = performance.now();
    const late = await handler(postPayment({ headers: jsonHeaders('deadline-key'), body: validBody() }), withRemaining(3_000));
    const took = performance.now() - started;
    expect(late.statusCode).toBe(503);
    expect(JSON.parse(late.body).error).toMatchObject({ code: 'service_unavailable', message: 'The service is temporarily unavailable. Retry with the same Idempotency-Key.' });
    expect(Number(late.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(took).toBeGreaterThanOrEqual(1_950);
    expect(took).toBeLessThan(2_500);

    // The ledger write in flight at the deadline may still land; the retry with the same key settles it.
    await standIn.heldRequestsLanded();
    holdMs = 0;
    const retried = await handler(postPayment({ headers: jsonHeaders('deadline-key'), body: validBody() }), withRemaining(30_000));
    const ledger = await suite.moto().scan(LEDGER);
    expect(ledger).toHaveLength(1);
    expect(retried.statusCode).toBe(201);
    expect(JSON.parse(retried.body).transactionId).toBe(ledger[0].transaction_id.S);
  });

  test('a refused ledger write whose release meets the deadline leaves the claim to its lease: 503 with the lease\'s Retry-After (faults injected)', async () => {
    const refusing = await DynamoDBStandIn.start(suite.moto(),
      (call) => (call === `PutItem ${LEDGER}` ? { status: 400, type: 'ThrottlingException' } : undefined),
      (call) => (call === `DeleteItem ${IDEMPOTENCY}` ? 1_500 : undefined));
    try {
      const client = new DynamoDBClient({ ...suite.moto().clientConfig(), endpoint: refusing.endpoint, maxAttempts: 1 });
      const service = new PaymentService({
        ledger: new Ledger(client, LEDGER), idempotency: new IdempotencyStore(client, IDEMPOTENCY, 86_400), budgetMs: 1_000,
      });
      const outcome = await routePaymentRequest(postPayment({ headers: jsonHeaders('release-deadline-key'), body: validBody() }), service, false);
      expect(outcome.response.statusCode).toBe(503);
      // Not the 1 second of a throttled write that was given back: the claim holds until its lease ends.
      expect(Number(outcome.response.headers?.['Retry-After'])).toBeGreaterThanOrEqual(9);
      await refusing.heldRequestsLanded();
    } finally {
      await refusing.stop();
    }
  });

  test('with the function\'s full time, the same slow calls fit the 25-second budget', async () => {
    const handler = start();
    holdMs = 1_500;
    const created = await handler(postPayment({ headers: jsonHeaders('deadline-fits-key'), body: validBody() }), withRemaining(30_000));
    expect(created.statusCode).toBe(201);
    holdMs = 0;
  });
});
