import { LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { coldStartSuite } from './cold-start-suite';
import { coldStart, jsonHeaders, lambdaContext, postPayment, validBody } from './events';
import { LambdaStandIn } from './lambda-stand-in';
import { HANDLER_ENVIRONMENT, IDEMPOTENCY, LEDGER } from './payment-harness';
import { Charges } from '../../src/handlers/charges';
import { backoffMs, Completer, Completion, NEVER } from '../../src/handlers/completer';
import { chargeLeaseMs } from '../../src/handlers/deadline';
import { IdempotencyStore, requestHash } from '../../src/handlers/idempotency';
import { LambdaProcessor } from '../../src/handlers/lambda-processor';
import { Ledger } from '../../src/handlers/ledger';
import { processorRequest } from '../../src/handlers/processor-protocol';
import { simulatedReference } from '../../src/handlers/simulated-processor';

/**
 * The completer finishes the pending payments that no client retries, against moto_server and the
 * loopback Lambda Invoke stand-in. Payments are left pending by the bundled handler itself (a
 * processor failure), and the completer runs on a clock that the test moves forward.
 */
type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;

const TIMEOUT_MS = 800;
const LEASE_MS = chargeLeaseMs(TIMEOUT_MS);
const RETENTION_MS = 24 * 3600_000;
const suite = coldStartSuite(async (moto) => {
  await moto.createLedgerTable(LEDGER);
  await moto.createIdempotencyTable(IDEMPOTENCY);
});

const PROCESSOR_ENVIRONMENT = {
  PROCESSOR_FUNCTION_NAME: 'payments-processor',
  PROCESSOR_TIMEOUT_MS: String(TIMEOUT_MS),
  PROCESSOR_KEY_RETENTION_SECONDS: String(RETENTION_MS / 1000),
};

let processor: LambdaStandIn;
let handler: Handler;
let completerAt: (clockMs: number) => Completer;
let keys = 0;
const newKey = () => `completer-${Date.now()}-${++keys}`;

beforeAll(async () => {
  processor = await LambdaStandIn.start({ lateMs: TIMEOUT_MS + 400 });
  suite.moto().useAsAwsEndpoint();
  handler = coldStart<{ handler: Handler }>({ ...HANDLER_ENVIRONMENT, ...PROCESSOR_ENVIRONMENT, AWS_ENDPOINT_URL_LAMBDA: processor.endpoint },
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require('../../src/handlers/processor-payment-handler.lambda')).handler;
  const dynamodb = suite.moto().dynamodb();
  const idempotency = new IdempotencyStore(dynamodb, IDEMPOTENCY, 86400);
  const ledger = new Ledger(dynamodb, LEDGER);
  const lambda = new LambdaClient({ ...suite.moto().clientConfig(), endpoint: processor.endpoint, maxAttempts: 1 });
  completerAt = (clockMs) => new Completer({
    idempotency,
    charges: new Charges(ledger, idempotency, new LambdaProcessor(lambda, 'payments-processor', TIMEOUT_MS), () => clockMs),
    leaseMs: LEASE_MS,
    keyRetentionMs: RETENTION_MS,
    now: () => clockMs,
  });
});

afterEach(() => processor?.simulate());

afterAll(() => processor?.stop());

const post = (key: string, token: string) =>
  handler(postPayment({ headers: jsonHeaders(key), body: validBody({ paymentMethodToken: token }) }), lambdaContext());
const ledgerItem = async (transactionId: string) =>
  (await suite.moto().scan(LEDGER)).find((item) => item.transaction_id.S === transactionId)!;
const record = async (transactionId: string) =>
  (await suite.moto().scan(IDEMPOTENCY)).find((item) => item.transaction_id.S === transactionId)!;
const callsFor = (transactionId: string) => processor.calls.filter((call) => call.request.transactionId === transactionId);
const completionOf = (run: Awaited<ReturnType<Completer['run']>>, transactionId: string) =>
  run.completions.find((c) => c.transactionId === transactionId)?.completion;

/** A payment that the handler left pending: the processor failed on its first call. */
async function leftPending(token: string): Promise<{ key: string; transactionId: string }> {
  const key = newKey();
  const failed = await post(key, token);
  expect(failed.statusCode).toBe(503);
  return { key, transactionId: JSON.parse(failed.body).error.transactionId };
}

test('a payment that no client retries is completed with the same idempotency key; the client\'s retry replays the outcome', async () => {
  const { key, transactionId } = await leftPending('tok_flaky');
  const run = await completerAt(Date.now() + 1_000).run('completer-run-1', Date.now() + 60_000);
  expect(completionOf(run, transactionId)).toBe(Completion.COMPLETED);
  expect(callsFor(transactionId).map((call) => call.request.idempotencyKey)).toEqual([transactionId, transactionId]);
  expect(await ledgerItem(transactionId)).toMatchObject({ status: { S: 'authorized' }, processor_reference: { S: simulatedReference(transactionId) } });
  expect((await record(transactionId)).pending_shard).toBeUndefined();

  const retried = await post(key, 'tok_flaky');
  expect(retried.statusCode).toBe(201);
  expect(retried.headers?.['Idempotent-Replayed']).toBe('true');
  expect(JSON.parse(retried.body)).toMatchObject({ transactionId, status: 'authorized' });
  expect(callsFor(transactionId)).toHaveLength(2);
});

test('a decline that the completer records names the completer\'s request, and is replayed byte for byte', async () => {
  processor.answer = async (request, call) => (callsFor(request.transactionId).length === 1
    ? { kind: 'error' }
    : { kind: 'result', payload: { outcome: 'declined', declineCode: 'do_not_honor', processorReference: `ref_${call}` } });
  const { key, transactionId } = await leftPending('tok_anything');
  await completerAt(Date.now() + 1_000).run('completer-run-2', Date.now() + 60_000);
  const replayed = await post(key, 'tok_anything');
  expect(replayed.statusCode).toBe(402);
  expect(JSON.parse(replayed.body).error).toMatchObject({ code: 'payment_declined', declineCode: 'do_not_honor', requestId: 'completer-run-2', transactionId });
  expect((await post(key, 'tok_anything')).body).toBe(replayed.body);
});

test('a processor that keeps failing: tried again after 1, 2, 4, … up to 60 minutes, never before', async () => {
  const { transactionId } = await leftPending('tok_error');
  let clock = Date.now() + 1_000;
  const waits: number[] = [];
  for (let tries = 1; tries <= 8; tries++) {
    const due = await completerAt(clock).run(`run-${tries}`, clock + 60_000);
    expect(completionOf(due, transactionId)).toBe(Completion.FAILED);
    const next = Number((await record(transactionId)).retry_at.N);
    expect((await record(transactionId)).tries).toEqual({ N: String(tries) });
    waits.push((next - clock) / 60_000);
    // A moment before the next try is due: nothing happens to it.
    const early = await completerAt(next - 1).run(`early-${tries}`, next + 60_000);
    expect(completionOf(early, transactionId)).toBeUndefined();
    clock = next;
  }
  expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
  expect(new Set(callsFor(transactionId).map((call) => call.request.idempotencyKey))).toEqual(new Set([transactionId]));
  expect(callsFor(transactionId)).toHaveLength(9);
  expect((await ledgerItem(transactionId)).status).toEqual({ S: 'pending' });
  expect([1, 2, 3, 7, 8, 100].map(backoffMs)).toEqual([1, 2, 4, 60, 60, 60].map((minutes) => minutes * 60_000));
});

test('past the processor\'s key retention: left pending for an operator, no call from the completer or a retry', async () => {
  const { transactionId } = await leftPending('tok_error');
  const createdAt = Date.parse((await ledgerItem(transactionId)).timestamp.S!);
  const calls = callsFor(transactionId).length;
  const later = createdAt + RETENTION_MS;
  const run = await completerAt(later).run('run-late', later + 60_000);
  expect(completionOf(run, transactionId)).toBe(Completion.ABANDONED);
  expect(Number((await record(transactionId)).retry_at.N)).toBe(NEVER);
  expect(run.oldestPendingSeconds).toBeGreaterThanOrEqual(RETENTION_MS / 1000);

  const again = await completerAt(later + 3600_000).run('run-later', later + 3700_000);
  expect(completionOf(again, transactionId)).toBeUndefined();
  expect(again.abandoned).toBeGreaterThanOrEqual(1);
  expect(callsFor(transactionId)).toHaveLength(calls);
  expect((await ledgerItem(transactionId)).status).toEqual({ S: 'pending' });
});

test('a client\'s retry of a payment claimed longer ago than the key retention: 503, and no call to the processor', async () => {
  const key = newKey();
  const request = { amount: 1999, currency: 'USD', merchantId: 'm_1', paymentMethodToken: 'tok_visa' };
  const transactionId = '5f0c8f4e-93c1-4a57-9a59-0d7c2b8e7a10';
  const claimedMs = Date.now() - RETENTION_MS - 60_000;
  const store = new IdempotencyStore(suite.moto().dynamodb(), IDEMPOTENCY, 86400);
  await store.claim(IdempotencyStore.recordId('key:key-client-a', key), {
    requestHash: requestHash(request),
    transactionId,
    createdAt: new Date(claimedMs).toISOString(),
    attempt: 'crashed-attempt',
    lockedUntil: claimedMs + LEASE_MS,
    pending: { request: processorRequest(transactionId, request), clientId: 'key:key-client-a', retryAt: claimedMs + LEASE_MS, tries: 0 },
  }, claimedMs);
  const retried = await post(key, 'tok_visa');
  expect(retried.statusCode).toBe(503);
  expect(JSON.parse(retried.body).error).toMatchObject({ code: 'processor_unavailable', transactionId });
  expect(retried.headers?.['Retry-After']).toBe('3600');
  expect(callsFor(transactionId)).toHaveLength(0);
});

test('a payment whose attempt still holds its lease (its processor call in flight) is not touched', async () => {
  processor.answer = async () => ({ kind: 'result', payload: { outcome: 'authorized', processorReference: 'ref_slow' }, delayMs: 600 });
  const key = newKey();
  const inFlight = post(key, 'tok_visa');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const transactionId = processor.calls[processor.calls.length - 1].request.transactionId;
  expect((await ledgerItem(transactionId)).status).toEqual({ S: 'pending' });
  const during = await completerAt(Date.now()).run('run-during', Date.now() + 60_000);
  expect(completionOf(during, transactionId)).toBeUndefined();
  expect((await inFlight).statusCode).toBe(201);
  expect(callsFor(transactionId)).toHaveLength(1);
});

test('the entry point: metrics of a run and a log line per payment it could not complete, by transaction id only', async () => {
  const { transactionId } = await leftPending('tok_error');
  const completer = coldStart<{ handler: (event: unknown, context: Context) => Promise<void> }>(
    { ...HANDLER_ENVIRONMENT, ...PROCESSOR_ENVIRONMENT, AWS_ENDPOINT_URL_LAMBDA: processor.endpoint },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  () => require('../../src/handlers/payment-completer.lambda')).handler;
  const mark = suite.output.mark();
  await completer({}, { ...lambdaContext(), getRemainingTimeInMillis: () => 60_000 });
  const lines = suite.output.linesSince(mark);
  const metrics = lines.find((line) => line._aws !== undefined)!;
  expect(metrics).toMatchObject({
    PendingPayments: expect.any(Number),
    OldestPendingPaymentAge: expect.any(Number),
    CompletionFailures: expect.any(Number),
    CompletionErrors: 0,
  });
  expect(metrics.CompletionFailures).toBeGreaterThanOrEqual(1);
  const warned = lines.find((line) => line.level === 'WARN' && line.transactionId === transactionId)!;
  expect(warned).toMatchObject({ message: 'pending payment not completed yet; tried again later', error: { name: 'ProcessorCallError' } });
  expect(JSON.stringify(lines)).not.toContain('tok_error');
});

describe('a run\'s report and its order', () => {
  /** The index's entries as the table holds them now, read independently of the completer. */
  async function pendingInTable() {
    return (await suite.moto().scan(IDEMPOTENCY)).filter((item) => item.pending_shard !== undefined)
      .map((item) => ({ transactionId: item.transaction_id.S!, createdAt: item.created_at.S!, retryAt: Number(item.retry_at.N) }));
  }

  test('pending payments, the oldest one\'s age and the abandoned ones, as the table holds them', async () => {
    await leftPending('tok_error');
    await leftPending('tok_error');
    // Before any try is due: nothing is attempted, and the report is the table's.
    const clock = Date.now() - 1;
    const table = await pendingInTable();
    const run = await completerAt(clock).run('run-report', clock + 60_000);
    expect(run.completions.filter((c) => table.some((entry) => entry.transactionId === c.transactionId && entry.retryAt > clock))).toEqual([]);
    expect(run.pending).toBe(table.length);
    expect(run.abandoned).toBe(table.filter((entry) => entry.retryAt === NEVER).length
      + run.completions.filter((c) => c.completion === Completion.ABANDONED).length);
    const oldest = Math.min(...table.map((entry) => Date.parse(entry.createdAt)));
    expect(run.oldestPendingSeconds).toBe(Math.floor((clock - oldest) / 1000));
    expect(run.pending).toBeGreaterThanOrEqual(2);
  });

  test('due payments are tried in the order they fell due, and none once the run cannot finish another', async () => {
    const first = await leftPending('tok_error');
    const second = await leftPending('tok_error');
    const clock = Date.now() + 1_000;
    const table = await pendingInTable();
    // Exactly a lease before the run must stop: no time for even one attempt.
    const none = await completerAt(clock).run('run-no-time', clock + LEASE_MS - 1);
    expect(none.completions).toEqual([]);
    const run = await completerAt(clock).run('run-in-order', clock + LEASE_MS);
    const mine = run.completions.filter((c) => [first.transactionId, second.transactionId].includes(c.transactionId));
    // Each due payment in turn (retry_at ascending); the first fits, the clock stands still, so all do.
    const tried = run.completions.map((c) => table.find((entry) => entry.transactionId === c.transactionId)!.retryAt);
    expect(mine.map((c) => c.transactionId)).toEqual([first.transactionId, second.transactionId]);
    expect(tried).toEqual([...tried].sort((a, b) => a - b));
  });
});

describe('what the completer leaves alone', () => {
  const entryOf = async (transactionId: string) => {
    const item = await record(transactionId);
    return { id: item.id.S!, transactionId, createdAt: item.created_at.S!, retryAt: Number(item.retry_at?.N ?? 0) };
  };

  test('a payment whose record is gone, or is final, is skipped without a call', async () => {
    const { transactionId } = await leftPending('tok_flaky');
    const entry = await entryOf(transactionId);
    const clock = Date.now() + 1_000;
    expect(await completerAt(clock).complete({ ...entry, id: 'no-such-record' }, 'run-gone')).toEqual({ completion: Completion.SKIPPED });
    expect(await completerAt(clock).complete(entry, 'run-1')).toEqual({ completion: Completion.COMPLETED });
    // Final now: the stale entry of the index is skipped.
    expect(await completerAt(clock + 60_000).complete(entry, 'run-2')).toEqual({ completion: Completion.SKIPPED });
    expect(callsFor(transactionId)).toHaveLength(2);
  });

  test('until its lease has ended, to the millisecond', async () => {
    const { transactionId } = await leftPending('tok_error');
    const entry = await entryOf(transactionId);
    const lockedUntil = Number((await record(transactionId)).locked_until.N);
    const calls = callsFor(transactionId).length;
    expect(await completerAt(lockedUntil - 1).complete(entry, 'run-early')).toEqual({ completion: Completion.SKIPPED });
    expect(callsFor(transactionId)).toHaveLength(calls);
    expect((await completerAt(lockedUntil).complete(entry, 'run-on-time')).completion).toBe(Completion.FAILED);
    expect(callsFor(transactionId)).toHaveLength(calls + 1);
    // The try holds a lease of its own while it runs, and sets the next try after it.
    const after = await record(transactionId);
    expect(Number(after.retry_at.N)).toBe(lockedUntil + backoffMs(1));
  });

  test('two completers at once: one takes the payment over, the other skips it; one call', async () => {
    const { transactionId } = await leftPending('tok_error');
    const entry = await entryOf(transactionId);
    const calls = callsFor(transactionId).length;
    const clock = Date.now() + 1_000;
    const results = await Promise.all([completerAt(clock).complete(entry, 'run-a'), completerAt(clock).complete(entry, 'run-b')]);
    expect(results.map((r) => r.completion).sort()).toEqual([Completion.FAILED, Completion.SKIPPED].sort());
    expect(callsFor(transactionId)).toHaveLength(calls + 1);
  });

  test('a failure that is not the processor\'s or DynamoDB\'s availability is an error of the run, not a try', async () => {
    const { transactionId } = await leftPending('tok_flaky');
    const entry = await entryOf(transactionId);
    const dynamodb = suite.moto().dynamodb();
    const idempotency = new IdempotencyStore(dynamodb, IDEMPOTENCY, 86400);
    const lambda = new LambdaClient({ ...suite.moto().clientConfig(), endpoint: processor.endpoint, maxAttempts: 1 });
    const clock = Date.now() + 1_000;
    const broken = new Completer({
      idempotency,
      // A ledger that is not there: DynamoDB refuses the write-ahead with a client error.
      charges: new Charges(new Ledger(dynamodb, 'no-such-ledger'), idempotency, new LambdaProcessor(lambda, 'payments-processor', TIMEOUT_MS),
        () => clock),
      leaseMs: LEASE_MS,
      keyRetentionMs: RETENTION_MS,
      now: () => clock,
    });
    await expect(broken.complete(entry, 'run-broken')).rejects.toThrow(/non-existent table|not found|ResourceNotFound/i);
    const run = await broken.run('run-broken-2', clock + 10 * 60_000);
    expect(run.completions.find((c) => c.transactionId === transactionId)).toBeUndefined();
    const later = clock + 2 * 60_000;
    const brokenLater = new Completer({
      idempotency,
      charges: new Charges(new Ledger(dynamodb, 'no-such-ledger'), idempotency, new LambdaProcessor(lambda, 'payments-processor', TIMEOUT_MS),
        () => later),
      leaseMs: LEASE_MS,
      keyRetentionMs: RETENTION_MS,
      now: () => later,
    });
    const errored = await brokenLater.run('run-broken-3', later + 10 * 60_000);
    expect(completionOf(errored, transactionId)).toBe(Completion.ERROR);
    expect(errored.completions.find((c) => c.transactionId === transactionId)?.error).toBeInstanceOf(Error);
    expect(callsFor(transactionId)).toHaveLength(1);
  });
});
