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
/** The claims left in a table: every item but the sweepers' places. */
const ids = async (name: string) => (await suite.moto().scan(name)).map((item) => item.id.S!).filter((id) => !id.startsWith('sweep-position#')).sort();
const REGION = 'us-east-1';

/** A clock that lets a sweep read one page: the deadline has passed from its second reading on. */
function onePage(atMs = NOW_MS): () => number {
  let readings = 0;
  return () => (readings++ === 0 ? atMs : atMs + 60_000);
}

test('deletes the expired claims and keeps the live ones, over every page of the scan', async () => {
  const name = await claimsTable([NOW_S - 1, NOW_S + 1, NOW_S - 86_400, NOW_S, NOW_S - 2, NOW_S + 86_400, NOW_S - 3]);
  const result = await new ClaimSweeper(suite.moto().dynamodb(), name, REGION, 2).sweep(NOW_MS, NOW_MS + 60_000);
  expect(result).toMatchObject({ deleted: 4, skipped: 0, complete: true });
  // The seven claims, and the sweeper's own place once the first page saved it.
  expect(result.scanned).toBeGreaterThanOrEqual(7);
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
  const result = await new ClaimSweeper(client, name, REGION).sweep(NOW_MS, NOW_MS + 60_000);
  expect(result).toMatchObject({ deleted: 1, skipped: 1, complete: true });
  expect(await ids(name)).toEqual(['claim-0']);
});

test('stops starting pages at its deadline and says the pass is not finished', async () => {
  const name = await claimsTable([NOW_S - 1, NOW_S - 1, NOW_S - 1, NOW_S - 1]);
  const result = await new ClaimSweeper(suite.moto().dynamodb(), name, REGION, 2).sweep(NOW_MS, NOW_MS + 60_000, onePage());
  // No pass finished, so no pass duration, not even an undefined one.
  expect(result).toStrictEqual({ scanned: 2, deleted: 2, skipped: 0, complete: false, passAgeSeconds: 60 });
  expect(await ids(name)).toHaveLength(2);

  const rest = await new ClaimSweeper(suite.moto().dynamodb(), name, REGION, 2).sweep(NOW_MS, NOW_MS + 60_000);
  expect(rest).toMatchObject({ deleted: 2, skipped: 0, complete: true });
  expect(await ids(name)).toEqual([]);
});

test('keeps its place: live claims at the start of the table do not stop later sweeps from reaching the expired ones', async () => {
  // Twelve live claims and six expired ones, in the table's own order, read two per sweep.
  const name = await claimsTable([...Array(12).fill(NOW_S + 3600), ...Array(6).fill(NOW_S - 1)]);
  const sweeper = () => new ClaimSweeper(suite.moto().dynamodb(), name, REGION, 2);
  const runs: Array<{ deleted: number; complete: boolean }> = [];
  do {
    runs.push(await sweeper().sweep(NOW_MS, NOW_MS + 60_000, onePage()));
  } while (!runs[runs.length - 1].complete && runs.length < 20);
  // Nineteen items (the claims and the sweeper's place) take ten pages, and one more when the
  // tenth page is full, each read once.
  expect(runs.length).toBeGreaterThanOrEqual(10);
  expect(runs.length).toBeLessThanOrEqual(11);
  expect(runs.reduce((sum, run) => sum + run.deleted, 0)).toBe(6);
  expect(await ids(name)).toHaveLength(12);
  // The next pass starts again at the beginning, an hour after this one began.
  const soon = await sweeper().sweep(NOW_MS + 3_540_000, NOW_MS + 3_600_000, onePage(NOW_MS + 3_540_000));
  expect(soon).toEqual({ scanned: 0, deleted: 0, skipped: 0, complete: false, passAgeSeconds: 0 });
  const next = await sweeper().sweep(NOW_MS + 3_600_000, NOW_MS + 3_660_000, onePage(NOW_MS + 3_600_000));
  expect(next).toMatchObject({ scanned: 2, deleted: 0, complete: false, passAgeSeconds: 60 });
});

test('a sweep that starts from the beginning every time, as the sweeper once did, never reaches them', async () => {
  const name = await claimsTable([...Array(12).fill(NOW_S + 3600), ...Array(6).fill(NOW_S - 1)]);
  for (let run = 0; run < 11; run++) {
    // A new place for each run: no sweep continues another.
    await new ClaimSweeper(suite.moto().dynamodb(), name, `run-${run}`, 2).sweep(NOW_MS, NOW_MS + 60_000, onePage());
  }
  expect((await ids(name)).length).toBeGreaterThan(12);
});

test('the pass age grows while sweeps fall behind, and a finished pass reports how long it took', async () => {
  const name = await claimsTable([NOW_S - 1, NOW_S - 1, NOW_S - 1, NOW_S - 1]);
  const sweeper = () => new ClaimSweeper(suite.moto().dynamodb(), name, REGION, 2);
  const first = await sweeper().sweep(NOW_MS, NOW_MS + 60_000, onePage());
  expect(first).toMatchObject({ complete: false, passAgeSeconds: 60 });
  // An hour later the pass that began an hour ago goes on.
  const later = await sweeper().sweep(NOW_MS + 3_600_000, NOW_MS + 3_660_000, onePage(NOW_MS + 3_600_000));
  expect(later.passAgeSeconds).toBe(3_660);
  const end = await sweeper().sweep(NOW_MS + 7_200_000, NOW_MS + 7_260_000, () => NOW_MS + 7_200_000);
  expect(end).toMatchObject({ complete: true, passSeconds: 7_200, passAgeSeconds: 0 });
  // A pass that took longer than an hour is followed at once: it reads what is left, the sweeper's place.
  const again = await sweeper().sweep(NOW_MS + 7_260_000, NOW_MS + 7_320_000, onePage(NOW_MS + 7_260_000));
  // It began when the last ended and ended a minute after it started reading.
  expect(again).toEqual({ scanned: 1, deleted: 0, skipped: 0, complete: true, passSeconds: 120, passAgeSeconds: 0 });
});

test('reads its place with a strongly consistent read (the request inspected), and carries on from a place that holds no pass time', async () => {
  const name = await claimsTable([NOW_S - 1, NOW_S - 1, NOW_S - 1, NOW_S - 1]);
  const client = suite.moto().dynamodb();
  const reads: unknown[] = [];
  client.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'GetItemCommand') {
      reads.push((args.input as { ConsistentRead?: boolean }).ConsistentRead);
    }
    return next(args);
  }, { step: 'initialize', name: 'inspectReads' });
  await new ClaimSweeper(client, name, REGION, 2).sweep(NOW_MS, NOW_MS + 60_000, onePage());
  expect(reads).toEqual([true]);
  // A place with a key but no pass time: the pass is counted from now.
  const place = (await suite.moto().scan(name)).find((item) => item.id.S === `sweep-position#${REGION}`)!;
  await suite.moto().dynamodb().send(new PutItemCommand({ TableName: name, Item: { id: place.id, next_id: place.next_id } }));
  const rest = await new ClaimSweeper(suite.moto().dynamodb(), name, REGION, 2).sweep(NOW_MS + 600_000, NOW_MS + 660_000, onePage(NOW_MS + 600_000));
  expect(rest).toMatchObject({ deleted: 2, passAgeSeconds: 60 });
});

test('each Region keeps its own place in a shared table', async () => {
  const name = await claimsTable([NOW_S - 1, NOW_S - 1, NOW_S - 1, NOW_S - 1]);
  await new ClaimSweeper(suite.moto().dynamodb(), name, 'us-east-1', 2).sweep(NOW_MS, NOW_MS + 60_000, onePage());
  const places = (await suite.moto().scan(name)).filter((item) => item.id.S!.startsWith('sweep-position#'));
  expect(places.map((item) => item.id.S)).toEqual(['sweep-position#us-east-1']);
  expect(places[0].expires_at).toBeUndefined();
  const west = await new ClaimSweeper(suite.moto().dynamodb(), name, 'us-west-2', 2).sweep(NOW_MS, NOW_MS + 60_000, onePage());
  // us-west-2 starts at the beginning of the table, not where us-east-1 stopped.
  expect(west.scanned).toBe(2);
  expect((await suite.moto().scan(name)).filter((item) => item.id.S!.startsWith('sweep-position#')).map((item) => item.id.S).sort())
    .toEqual(['sweep-position#us-east-1', 'sweep-position#us-west-2']);
});

test('a sweep past its deadline before it starts reads nothing', async () => {
  const name = await claimsTable([NOW_S - 1]);
  const result = await new ClaimSweeper(suite.moto().dynamodb(), name, REGION).sweep(NOW_MS, NOW_MS, () => NOW_MS);
  expect(result).toEqual({ scanned: 0, deleted: 0, skipped: 0, complete: false, passAgeSeconds: 0 });
  expect(await ids(name)).toEqual(['claim-0']);
});

test('a failure other than a failed condition fails the sweep, for the next run to repeat', async () => {
  const sweeper = new ClaimSweeper(suite.moto().dynamodb(), 'no-such-table', REGION);
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
    const result = await new ClaimSweeper(client(), name, REGION).sweep(NOW_MS, NOW_MS + 60_000);
    expect(result).toMatchObject({ deleted: 1, skipped: 1, complete: true });
    expect(await ids(name)).toHaveLength(1);
  });

  test('a delete that fails otherwise fails the sweep', async () => {
    const name = await claimsTable([NOW_S - 1]);
    faults = [{ status: 400, type: 'ValidationException' }];
    await expect(new ClaimSweeper(client(), name, REGION).sweep(NOW_MS, NOW_MS + 60_000)).rejects.toThrow('ValidationException (stand-in)');
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

test('the Lambda entry point keeps the place of its Region', async () => {
  const name = await claimsTable([Math.floor(Date.now() / 1000) - 5]);
  await linesOf(sweeperEntry({ IDEMPOTENCY_TABLE_NAME: name, AWS_REGION: 'us-east-1' }), 300_000);
  const places = (await suite.moto().scan(name)).map((item) => item.id.S!).filter((id) => id.startsWith('sweep-position#'));
  expect(places).toEqual(['sweep-position#us-east-1']);
});

test('the Lambda entry point sweeps the table it is given and reports what it deleted', async () => {
  const name = await claimsTable([Math.floor(Date.now() / 1000) - 5, Math.floor(Date.now() / 1000) + 3600]);
  const { summary, metrics } = await linesOf(sweeperEntry({ IDEMPOTENCY_TABLE_NAME: name }), 300_000);
  expect(await ids(name)).toEqual(['claim-1']);
  expect(summary).toMatchObject({ deleted: 1, skipped: 0, complete: true });
  // Within a second of its start: a pass of two claims.
  expect(metrics).toMatchObject({ ExpiredClaimsDeleted: 1, ClaimsScanned: 2, environment: 'test', platform: 'test-platform' });
  expect(metrics!.SweepPassAge).toBeLessThanOrEqual(1);
  expect(metrics!.SweepPassDuration).toBeLessThanOrEqual(1);
});
