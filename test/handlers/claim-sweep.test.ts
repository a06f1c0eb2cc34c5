import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { coldStartSuite } from './cold-start-suite';
import { coldStart, lambdaContext } from './events';
import { HANDLER_ENVIRONMENT } from './payment-harness';
import { DynamoDBFault, DynamoDBStandIn } from './stand-in';
import { ClaimSweeper } from '../../src/handlers/claim-sweep';

/**
 * The sweeper that deletes expired idempotency claims from a table without TTL (a multi-Region
 * strongly consistent one), against moto_server.
 */
const suite = coldStartSuite();
const { output } = suite;
let table = 0;
const NOW_MS = Math.floor(Date.now() / 1000) * 1000;
const NOW_S = NOW_MS / 1000;

/** A new claims table holding one claim per entry of `expiries` (epoch seconds), named `claim-<i>`. */
async function claimsTable(expiries: number[]): Promise<string> {
  const name = `claims-${++table}`;
  await suite.moto().createIdempotencyTable(name);
  const client = suite.moto().dynamodb();
  for (const [i, expiresAt] of expiries.entries()) {
    await client.send(new PutItemCommand({ TableName: name, Item: { id: { S: `claim-${i}` }, expires_at: { N: String(expiresAt) }, attempt: { S: 'a' } } }));
  }
  return name;
}
const ids = async (name: string) => (await suite.moto().scan(name)).map((item) => item.id.S).sort();

test('deletes the expired claims and keeps the live ones, over every page of the scan', async () => {
  const name = await claimsTable([NOW_S - 1, NOW_S + 1, NOW_S - 86_400, NOW_S, NOW_S - 2, NOW_S + 86_400, NOW_S - 3]);
  const result = await new ClaimSweeper(suite.moto().dynamodb(), name, 2).sweep(NOW_MS, NOW_MS + 60_000);
  expect(result).toEqual({ deleted: 4, skipped: 0, complete: true });
  // A claim is live until the second it expires, as the handler's claim condition has it.
  expect(await ids(name)).toEqual(['claim-1', 'claim-3', 'claim-5']);
});

test('a claim renewed between the scan and its delete is kept (the delete is conditional)', async () => {
  const name = await claimsTable([NOW_S - 10, NOW_S - 10]);
  const client = suite.moto().dynamodb();
  // After the scan has read both, a request claims claim-0's key again, as the handler would.
  client.middlewareStack.add((next, context) => async (args) => {
    const result = await next(args);
    if (context.commandName === 'ScanCommand') {
      await suite.moto().dynamodb().send(new PutItemCommand({ TableName: name, Item: { id: { S: 'claim-0' }, expires_at: { N: String(NOW_S + 86_400) }, attempt: { S: 'b' } } }));
    }
    return result;
  }, { step: 'initialize', name: 'renewAfterScan' });
  const result = await new ClaimSweeper(client, name).sweep(NOW_MS, NOW_MS + 60_000);
  expect(result).toEqual({ deleted: 1, skipped: 1, complete: true });
  expect(await ids(name)).toEqual(['claim-0']);
});

test('stops starting pages at its deadline and says the sweep is incomplete', async () => {
  const name = await claimsTable([NOW_S - 1, NOW_S - 1, NOW_S - 1, NOW_S - 1]);
  let reads = 0;
  // The clock passes the deadline after the first page.
  const clock = () => (reads++ === 0 ? NOW_MS : NOW_MS + 60_000);
  const result = await new ClaimSweeper(suite.moto().dynamodb(), name, 2).sweep(NOW_MS, NOW_MS + 60_000, clock);
  expect(result).toEqual({ deleted: 2, skipped: 0, complete: false });
  expect(await ids(name)).toHaveLength(2);

  const rest = await new ClaimSweeper(suite.moto().dynamodb(), name, 2).sweep(NOW_MS, NOW_MS + 60_000);
  expect(rest).toEqual({ deleted: 2, skipped: 0, complete: true });
  expect(await ids(name)).toEqual([]);
});

test('a sweep past its deadline before it starts reads nothing', async () => {
  const name = await claimsTable([NOW_S - 1]);
  const result = await new ClaimSweeper(suite.moto().dynamodb(), name).sweep(NOW_MS, NOW_MS, () => NOW_MS);
  expect(result).toEqual({ deleted: 0, skipped: 0, complete: false });
  expect(await ids(name)).toEqual(['claim-0']);
});

test('a failure other than a failed condition fails the sweep, for the next run to repeat', async () => {
  const sweeper = new ClaimSweeper(suite.moto().dynamodb(), 'no-such-table');
  await expect(sweeper.sweep(NOW_MS, NOW_MS + 60_000)).rejects.toThrow(/non-existent table|not found|ResourceNotFound/i);
});

describe('faults that moto_server never gives (fault injected by a loopback stand-in)', () => {
  let standIn: DynamoDBStandIn;
  let faults: DynamoDBFault[];

  beforeAll(async () => {
    standIn = await DynamoDBStandIn.start(suite.moto(), (call) => (call.startsWith('DeleteItem') ? faults.shift() : undefined));
  });
  afterAll(() => standIn?.stop());
  beforeEach(() => {
    faults = [];
  });
  const client = () => new DynamoDBClient({ ...suite.moto().clientConfig(), endpoint: standIn.endpoint, maxAttempts: 1 });

  test('a delete that meets a write in another Region leaves the claim for the next sweep', async () => {
    const name = await claimsTable([NOW_S - 1, NOW_S - 1]);
    faults = [{ status: 400, type: 'ReplicatedWriteConflictException' }];
    const result = await new ClaimSweeper(client(), name).sweep(NOW_MS, NOW_MS + 60_000);
    expect(result).toEqual({ deleted: 1, skipped: 1, complete: true });
    expect(await ids(name)).toHaveLength(1);
  });

  test('a delete that fails otherwise fails the sweep', async () => {
    const name = await claimsTable([NOW_S - 1]);
    faults = [{ status: 400, type: 'ValidationException' }];
    await expect(new ClaimSweeper(client(), name).sweep(NOW_MS, NOW_MS + 60_000)).rejects.toThrow('ValidationException (stand-in)');
    expect(await ids(name)).toEqual(['claim-0']);
  });

  test('the Lambda entry point retries a delete that DynamoDB failed on its side, up to five attempts', async () => {
    const name = await claimsTable([Math.floor(Date.now() / 1000) - 5]);
    faults = Array.from({ length: 4 }, () => ({ status: 500, type: 'InternalServerError' }));
    const entry = sweeperEntry({ IDEMPOTENCY_TABLE_NAME: name, AWS_ENDPOINT_URL: standIn.endpoint });
    await entry.handler({}, runFor(300_000));
    expect(standIn.seen.filter((call) => call === `DeleteItem ${name}`)).toHaveLength(5);
    expect(await ids(name)).toEqual([]);
  });
});

type SweeperEntry = { handler: (event: unknown, context: unknown) => Promise<void> };
/** The sweeper's Lambda entry point at a cold start, against moto_server unless `variables` say otherwise. */
function sweeperEntry(variables: Record<string, string | undefined>): SweeperEntry {
  return coldStart<SweeperEntry>({
    ...HANDLER_ENVIRONMENT,
    POWERTOOLS_SERVICE_NAME: 'payments-claim-sweeper',
    ...variables,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  }, () => require('../../src/handlers/claim-sweeper.lambda'));
}

/** A Lambda context with `remainingMs` left to run (the sweeper is configured for five minutes). */
function runFor(remainingMs: number) {
  return { ...lambdaContext(), getRemainingTimeInMillis: () => remainingMs };
}

/** What one invocation of the entry point writes. */
async function linesOf(entry: SweeperEntry, remainingMs: number) {
  const mark = output.mark();
  await entry.handler({}, runFor(remainingMs));
  const lines = output.linesSince(mark);
  return { summary: lines.find((line) => line.message === 'expired idempotency claims swept'), metrics: lines.find((line) => '_aws' in line) };
}

test('the Lambda entry point stops its sweep 30 seconds before its time runs out', async () => {
  const name = await claimsTable([Math.floor(Date.now() / 1000) - 5]);
  const { summary } = await linesOf(sweeperEntry({ IDEMPOTENCY_TABLE_NAME: name }), 29_000);
  expect(await ids(name)).toEqual(['claim-0']);
  expect(summary).toMatchObject({ deleted: 0, complete: false });
});

test('the Lambda entry point\'s metrics say "unknown" for an environment and platform it was not given', async () => {
  const name = await claimsTable([]);
  const entry = sweeperEntry({ IDEMPOTENCY_TABLE_NAME: name, PAYMENTS_ENVIRONMENT: undefined, PAYMENTS_PLATFORM: undefined });
  const { metrics } = await linesOf(entry, 300_000);
  expect(metrics).toMatchObject({ ExpiredClaimsDeleted: 0, environment: 'unknown', platform: 'unknown' });
});

test('the Lambda entry point sweeps the table it is given and reports what it deleted', async () => {
  const name = await claimsTable([Math.floor(Date.now() / 1000) - 5, Math.floor(Date.now() / 1000) + 3600]);
  const { summary, metrics } = await linesOf(sweeperEntry({ IDEMPOTENCY_TABLE_NAME: name }), 300_000);
  expect(await ids(name)).toEqual(['claim-1']);
  expect(summary).toMatchObject({ deleted: 1, skipped: 0, complete: true });
  expect(metrics).toMatchObject({ ExpiredClaimsDeleted: 1, environment: 'test', platform: 'test-platform' });
});
