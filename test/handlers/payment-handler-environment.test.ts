import { createServer, Server, Socket } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { coldStartSuite } from './cold-start-suite';
import { coldStart, getPayment, jsonHeaders, lambdaContext, loadModule, postPayment, validBody } from './events';
import { HANDLER_ENVIRONMENT, IDEMPOTENCY, LEDGER } from './payment-harness';

/**
 * What the payment handler takes from its environment when Lambda starts it, and how its DynamoDB
 * client behaves: each test starts a fresh copy of the handler module, as a cold start does.
 */
type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const suite = coldStartSuite(async (moto) => {
  await moto.createLedgerTable(LEDGER);
  await moto.createIdempotencyTable(IDEMPOTENCY);
});
const { output } = suite;

/** A cold start of the handler with the function's environment and `overrides` (undefined removes a variable). */
function startHandler(overrides: Record<string, string | undefined> = {}): Handler {
  return coldStart<{ handler: Handler }>(
    { ...HANDLER_ENVIRONMENT, PAYMENTS_ENVIRONMENT: 'staging', PAYMENTS_PLATFORM: 'payments-staging', ...overrides },
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require('../../src/handlers/payment-handler.lambda'),
  ).handler;
}

/** The metrics line (the request's summary) that one invocation writes. */
async function summaryOf(handler: Handler, event: APIGatewayProxyEvent) {
  const mark = output.lines().length;
  const response = await handler(event, lambdaContext());
  const summary = output.lines().slice(mark).find((line) => 'HandlerLatency' in line);
  return { response, summary };
}

test('metrics carry the environment and platform names the function is given', async () => {
  const { summary } = await summaryOf(startHandler(), getPayment(UNKNOWN_ID));
  expect(summary).toMatchObject({ environment: 'staging', platform: 'payments-staging' });
});

test('without PAYMENTS_ENVIRONMENT and PAYMENTS_PLATFORM, metrics are dimensioned "unknown" rather than dropped', async () => {
  const handler = startHandler({ PAYMENTS_ENVIRONMENT: undefined, PAYMENTS_PLATFORM: undefined });
  const { response, summary } = await summaryOf(handler, getPayment(UNKNOWN_ID));
  expect(response.statusCode).toBe(404);
  expect(summary).toMatchObject({ environment: 'unknown', platform: 'unknown', status: '404' });
});

test('IAM_AUTHORIZATION=true: the IAM principal owns the payment, not the API key it came with', async () => {
  const handler = startHandler({ IAM_AUTHORIZATION: 'true' });
  const alice = 'arn:aws:iam::123456789012:user/alice';
  const created = await handler(postPayment({ headers: jsonHeaders('iam-key-1'), body: validBody(), apiKeyId: 'shared', userArn: alice }), lambdaContext());
  expect(created.statusCode).toBe(201);
  const { transactionId } = JSON.parse(created.body);

  const byAliceWithAnotherKey = await handler(getPayment(transactionId, { apiKeyId: 'other', userArn: alice }), lambdaContext());
  expect(byAliceWithAnotherKey.statusCode).toBe(200);
  const byBobWithTheSameKey = await handler(getPayment(transactionId, { apiKeyId: 'shared', userArn: 'arn:aws:iam::123456789012:user/bob' }), lambdaContext());
  expect(byBobWithTheSameKey.statusCode).toBe(404);
});

test('IAM_AUTHORIZATION other than "true": the API key owns the payment, whoever signed', async () => {
  for (const setting of ['false', 'TRUE', undefined]) {
    const handler = startHandler({ IAM_AUTHORIZATION: setting });
    const created = await handler(postPayment({
      headers: jsonHeaders(`key-owned-${setting}`), body: validBody(), apiKeyId: 'shared', userArn: 'arn:aws:iam::123456789012:user/alice',
    }), lambdaContext());
    expect(created.statusCode).toBe(201);
    const { transactionId } = JSON.parse(created.body);
    const sameKeyOtherPrincipal = getPayment(transactionId, { apiKeyId: 'shared', userArn: 'arn:aws:iam::123456789012:user/bob' });
    expect((await handler(sameKeyOtherPrincipal, lambdaContext())).statusCode).toBe(200);
  }
});

describe('a DynamoDB endpoint that accepts connections and never answers', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let requests = 0;

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', (chunk) => {
        requests += (chunk.toString('latin1').match(/^POST \/ HTTP\/1\.1\r$/gm) ?? []).length;
      });
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) {
      socket.destroy();
    }
    // After a failure with a mutant active, the mutation run skips the beforeAll (not the afterAll).
    await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
  });

  test('gets one retry, and the client a 503 with Retry-After well inside API Gateway\'s 29 seconds', async () => {
    const handler = startHandler({ AWS_ENDPOINT_URL: `http://127.0.0.1:${(silent.address() as { port: number }).port}` });
    const started = performance.now();
    const response = await handler(getPayment(UNKNOWN_ID), lambdaContext());
    const tookMs = performance.now() - started;

    expect(response.statusCode).toBe(503);
    expect(Number(response.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(response.body).error.code).toBe('service_unavailable');
    // Two attempts of 3 seconds each, and the SDK's short back-off between them.
    expect(requests).toBe(2);
    expect(tookMs).toBeGreaterThanOrEqual(5_500);
    expect(tookMs).toBeLessThan(10_000);
  }, 20_000);
});

test('a failure that is not an Error (thrown by a stand-in service: fault injected) is logged by its text, named "unknown"', async () => {
  startHandler();
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    jest.doMock('../../src/handlers/payments', () => ({
      PaymentService: class {
        public get(): never {
          // eslint-disable-next-line @typescript-eslint/only-throw-error
          throw 'ledger gone';
        }
      },
    }));
    handler = loadModule<{ handler: Handler }>(
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      () => require('../../src/handlers/payment-handler.lambda'),
    ).handler;
  });
  jest.dontMock('../../src/handlers/payments');

  const mark = output.lines().length;
  const response = await handler!(getPayment(UNKNOWN_ID), lambdaContext());
  expect(response.statusCode).toBe(500);
  const errors = output.lines().slice(mark).filter((line) => line.level === 'ERROR');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ message: 'request failed', result: 'internal_error', error: { name: 'unknown', message: 'ledger gone' } });
});

test('the first failure is logged under the service name the function was started with, whatever the environment says by then', async () => {
  const handler = startHandler({ POWERTOOLS_SERVICE_NAME: 'payments-api' });
  // As in the local server, which imports the completer after the handler, in the same process.
  process.env.POWERTOOLS_SERVICE_NAME = 'payments-completer';
  const mark = output.lines().length;
  const response = await handler(postPayment({ headers: jsonHeaders('service-name-key'), body: validBody(), apiKeyId: '' }), lambdaContext());
  expect(response.statusCode).toBe(500);
  const errors = output.lines().slice(mark).filter((line) => line.level === 'ERROR');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ message: 'request failed', service: 'payments-api' });
});
