import type { ChildProcess } from 'node:child_process';
import { coldStartSuite } from './cold-start-suite';
import { BUNDLES, DynamoDBTrip, Run, runBundle, Tripwire } from './crash-harness';
import { jsonHeaders, postPayment, validBody } from './events';
import { LambdaStandIn } from './lambda-stand-in';
import { HANDLER_ENVIRONMENT, IDEMPOTENCY, LEDGER } from './payment-harness';
import { chargeLeaseMs } from '../../src/handlers/deadline';
import { IdempotencyStore } from '../../src/handlers/idempotency';

/**
 * Exactly-once charging, shown by killing the bundled handler's process (SIGKILL) at each phase
 * boundary of the contract's "Payment processor" section, then letting a retry, the completer, or
 * both at once take over. The handler and the completer are the bundles that ship in the package,
 * each run in a fresh Node.js process as Lambda would; DynamoDB is moto_server behind a tripwire
 * that kills the process at the chosen call, and the processor is the simulated one behind a
 * loopback Lambda Invoke server that records every call. The processes that recover run with
 * their clocks moved past the crashed attempt's lease instead of waiting for it.
 */
const TIMEOUT_MS = 1_000;
const AFTER_THE_LEASE_MS = chargeLeaseMs(TIMEOUT_MS) + 1_000;

const suite = coldStartSuite(async (moto) => {
  await moto.createLedgerTable(LEDGER);
  await moto.createIdempotencyTable(IDEMPOTENCY);
});

let tripwire: Tripwire;
let processor: LambdaStandIn;
let environment: Record<string, string>;

beforeAll(async () => {
  tripwire = await Tripwire.start(suite.moto());
  processor = await LambdaStandIn.start();
  environment = {
    ...HANDLER_ENVIRONMENT,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_ENDPOINT_URL: tripwire.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: processor.endpoint,
    PROCESSOR_FUNCTION_NAME: 'payments-processor',
    PROCESSOR_TIMEOUT_MS: String(TIMEOUT_MS),
    PROCESSOR_KEY_RETENTION_SECONDS: '86400',
  };
});

afterEach(() => {
  processor?.simulate();
  tripwire.trip = undefined;
});

afterAll(async () => {
  await tripwire?.stop();
  await processor?.stop();
});

interface CrashPoint {
  readonly name: string;
  /** The DynamoDB call at which the process dies; none where it dies during the processor call. */
  readonly trip?: DynamoDBTrip;
  /** What the crash leaves: the ledger item's status, calls to the processor, and whether the final response was kept. */
  readonly leaves: { readonly ledger?: string; readonly calls: number; readonly kept: boolean };
}

const CRASH_POINTS: CrashPoint[] = [
  { name: 'after the claim', trip: { call: `PutItem ${IDEMPOTENCY}`, moment: 'after' }, leaves: { calls: 0, kept: false } },
  { name: 'after the write-ahead', trip: { call: `PutItem ${LEDGER}`, moment: 'after' }, leaves: { ledger: 'pending', calls: 0, kept: false } },
  { name: 'while the processor call is in flight', leaves: { ledger: 'pending', calls: 1, kept: false } },
  {
    name: 'after the processor answered, before the record',
    trip: { call: `UpdateItem ${LEDGER}`, moment: 'before' },
    leaves: { ledger: 'pending', calls: 1, kept: false },
  },
  {
    name: 'after the ledger recorded the outcome, before the final response was kept',
    trip: { call: `UpdateItem ${LEDGER}`, moment: 'after' },
    leaves: { ledger: 'authorized', calls: 1, kept: false },
  },
  {
    name: 'after the record, before the response',
    // The claim is the first put of the record, the final response the second.
    trip: { call: `PutItem ${IDEMPOTENCY}`, moment: 'after', occurrence: 2 },
    leaves: { ledger: 'authorized', calls: 1, kept: true },
  },
];

enum Recovery {
  RETRY = 'a retry',
  COMPLETER = 'the completer',
  BOTH = 'a retry and the completer at once',
}

let scenarios = 0;
const cases = CRASH_POINTS.flatMap((point) => Object.values(Recovery).map((recovery) => [point.name, recovery, point] as const));

test.each(cases)('killed %s, then %s: one idempotency key at the processor, one outcome, and a replay of the first final answer', async (_name, recovery, point) => {
  const client = `crash-client-${++scenarios}`;
  const key = `crash-key-${scenarios}`;
  const event = postPayment({ headers: jsonHeaders(key), body: validBody(), apiKeyId: client });
  const callsBefore = processor.calls.length;

  let victim: ChildProcess | undefined;
  if (point.trip) {
    tripwire.trip = point.trip;
  } else {
    const simulated = processor.answer;
    processor.answer = async (request, call) => {
      victim?.kill('SIGKILL');
      return simulated(request, call);
    };
  }
  const crashed = await runBundle(BUNDLES.handler, event, environment, 0, (child) => {
    victim = child;
    tripwire.victim = child;
  });
  expect(crashed.killed).toBe(true);
  processor.simulate();
  // The process died where it was meant to.
  const ledgerOf = async () => (await suite.moto().scan(LEDGER)).filter((item) => item.client_id.S === `key:${client}`);
  const claim = (await suite.moto().scan(IDEMPOTENCY)).find((item) => item.id.S === IdempotencyStore.recordId(`key:${client}`, key));
  expect(claim).toBeDefined();
  expect({
    ledger: (await ledgerOf())[0]?.status.S,
    calls: processor.calls.length - callsBefore,
    kept: claim?.response_status !== undefined,
  }).toEqual({ ...point.leaves });

  const answers: Run[] = [];
  const recoveries: Array<Promise<unknown>> = [];
  if (recovery !== Recovery.COMPLETER) {
    recoveries.push(runBundle(BUNDLES.handler, event, environment, AFTER_THE_LEASE_MS).then((run) => answers.push(run)));
  }
  if (recovery !== Recovery.RETRY) {
    recoveries.push(runBundle(BUNDLES.completer, {}, environment, AFTER_THE_LEASE_MS));
  }
  await Promise.all(recoveries);
  const replay = await runBundle(BUNDLES.handler, event, environment, AFTER_THE_LEASE_MS);

  // One payment for the client's key, final, in the ledger.
  const items = (await suite.moto().scan(LEDGER)).filter((item) => item.client_id.S === `key:${client}`);
  expect(items).toHaveLength(1);
  const transactionId = items[0].transaction_id.S!;
  expect(items[0].status).toEqual({ S: 'authorized' });
  // Every call to the processor carried the payment's one key; the crash after the claim and the
  // one after the write-ahead came before any call.
  const calls = processor.calls.slice(callsBefore);
  expect(new Set(calls.map((call) => call.request.idempotencyKey))).toEqual(new Set([transactionId]));
  // The final response is kept, and the payment has left the completer's index.
  const record = (await suite.moto().scan(IDEMPOTENCY)).find((item) => item.transaction_id.S === transactionId)!;
  expect(record.response_status).toEqual({ N: '201' });
  expect(record.pending_shard).toBeUndefined();
  // The first final answer a client got is the one every replay repeats, byte for byte.
  const finals = [...answers, replay].map((run) => run.result!).filter((result) => result.statusCode === 201);
  expect(finals.length).toBeGreaterThanOrEqual(1);
  expect(replay.result).toMatchObject({ statusCode: 201, headers: { 'Idempotent-Replayed': 'true' }, body: finals[0].body });
  expect(JSON.parse(finals[0].body)).toMatchObject({ transactionId, status: 'authorized' });
  expect(answers.every((run) => [201, 409].includes(run.result!.statusCode))).toBe(true);
}, 60_000);
