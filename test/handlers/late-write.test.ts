import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { coldStartSuite } from './cold-start-suite';
import { coldStart, jsonHeaders, lambdaContext, postPayment, validBody } from './events';
import { HANDLER_ENVIRONMENT, IDEMPOTENCY, LEDGER } from './payment-harness';
import { DynamoDBStandIn } from './stand-in';

/**
 * The 503 row of the contract (version 3): a ledger write can reach DynamoDB after the handler
 * gave up on it, so the client that got 503 cannot know whether the payment was recorded. The
 * retry with the same key and body answers the one outcome. A loopback stand-in in front of
 * moto_server holds the ledger write past the handler's request timeouts and then lets it land.
 */
type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;

const suite = coldStartSuite(async (moto) => {
  await moto.createLedgerTable(LEDGER);
  await moto.createIdempotencyTable(IDEMPOTENCY);
});

let standIn: DynamoDBStandIn;
let holdLedgerWrites = true;

beforeAll(async () => {
  // Longer than the handler's two attempts of three seconds each.
  standIn = await DynamoDBStandIn.start(suite.moto(), () => undefined, (call) => (holdLedgerWrites && call === `PutItem ${LEDGER}` ? 7_000 : undefined));
});

afterAll(() => standIn?.stop());

test('a ledger write that lands after the handler answered 503: the retry with the same key replays that one payment', async () => {
  const handler = coldStart<{ handler: Handler }>({ ...HANDLER_ENVIRONMENT, AWS_ENDPOINT_URL: standIn.endpoint },
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require('../../src/handlers/payment-handler.lambda')).handler;
  const send = () => handler(postPayment({ headers: jsonHeaders('late-write-key'), body: validBody() }), lambdaContext());
  const ledger = () => suite.moto().scan(LEDGER);

  const unknown = await send();
  expect(unknown.statusCode).toBe(503);
  expect(JSON.parse(unknown.body).error.code).toBe('service_unavailable');
  expect(Number(unknown.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
  // The handler has answered; the write has not reached the table yet.
  expect(await ledger()).toHaveLength(0);

  // A retry while the first attempt's lease runs: still in progress.
  const early = await send();
  expect(early.statusCode).toBe(409);
  expect(JSON.parse(early.body).error.code).toBe('idempotency_in_progress');

  await standIn.heldRequestsLanded();
  const items = await ledger();
  expect(items).toHaveLength(1);
  holdLedgerWrites = false;

  const retried = await send();
  expect(retried.statusCode).toBe(201);
  expect(retried.headers?.['Idempotent-Replayed']).toBe('true');
  expect(JSON.parse(retried.body).transactionId).toBe(items[0].transaction_id.S);
  expect(retried.headers?.Location).toBe(`/payments/${items[0].transaction_id.S}`);
  // Both of the SDK's attempts reached the table; the second found the first's item and wrote nothing.
  expect(standIn.seen.filter((call) => call === `PutItem ${LEDGER}`)).toHaveLength(2);
  expect(await ledger()).toHaveLength(1);
}, 30_000);
