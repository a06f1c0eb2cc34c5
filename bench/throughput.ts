/**
 * Warm throughput and latency of `POST /payments`: the bundled payment handler (API Gateway proxy
 * events, idempotency on), the idempotent floor (one conditional claim, one conditional ledger
 * write), the non-idempotent floor (one write), and the payment handler replaying earlier requests,
 * each driven at a fixed concurrency against DynamoDB on a moto_server on 127.0.0.1.
 *
 * Rounds of the four are interleaved so that machine noise falls on all alike, and the payment
 * handler and the idempotent floor take turns to go first. Throughput and CPU are medians over
 * rounds, the targets' ratios medians of per-round ratios; latency percentiles are over every
 * request of every round.
 */
import { execFileSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, DynamoDBRecord } from 'aws-lambda';
import { HANDLER_ENVIRONMENT, IDEMPOTENCY_TABLE, LEDGER_TABLE } from './handler-environment';
import { median, PairedRatio, pairedRatio, percentile } from './stats';
import { toAuditObject } from '../src/handlers/audit-records';
import { jsonHeaders, lambdaContext, OutputCapture, postPayment, validBody } from '../test/handlers/events';
import { MotoServer } from '../test/handlers/moto';

export type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;

export interface ThroughputOptions {
  /** The bundled payment handler (`assets/handlers/payment-handler.lambda/index.mjs`). */
  readonly paymentBundle: string;
  /** The bundled idempotent floor handler. */
  readonly idempotentFloorBundle: string;
  /** The bundled non-idempotent floor handler, for reference. */
  readonly floorBundle: string;
  readonly concurrency: number;
  readonly requestsPerRound: number;
  readonly rounds: number;
}

/** Requests per second and latency of one way of serving `POST /payments`. */
export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** DynamoDB API calls per request, by operation, as sent over HTTP. */
  readonly dynamodbCalls: Record<string, number>;
  /** CPU time per request of the process running the handler, in milliseconds. */
  readonly handlerCpuMs: number;
  /** CPU time per request of moto_server, in milliseconds. */
  readonly motoCpuMs: number;
  /** Bytes sent and received over HTTP to DynamoDB per request, headers included. */
  readonly dynamodbBytes: number;
}

export interface ThroughputResult {
  readonly payment: LoadResult;
  /** The idempotent floor: what exactly-once costs at the least. */
  readonly idempotentFloor: LoadResult;
  /** The non-idempotent floor: one write, for reference. */
  readonly floor: LoadResult;
  /** The payment handler against the idempotent floor, round by round. */
  readonly againstIdempotentFloor: {
    readonly requestsPerSecond: PairedRatio;
    readonly handlerCpuMs: PairedRatio;
  };
  readonly replay: LoadResult;
  /** Bytes the payment handler writes to its log (JSON logs and EMF metrics) per accepted payment. */
  readonly logBytesPerPayment: number;
  /** Distinct CloudWatch metrics (name and dimensions) that the payment handler's EMF output creates. */
  readonly customMetrics: string[];
  /** Sizes in bytes of the items a payment writes, as DynamoDB counts them for capacity units. */
  readonly itemBytes: { readonly ledger: number; readonly idempotency: number; readonly floorLedger: number };
  /** Bytes of the audit object line that one payment becomes. */
  readonly auditLineBytes: number;
}

/** How a call to the processor (the Lambda Invoke API, which has no `x-amz-target`) is counted. */
export const LAMBDA_INVOKE = 'Lambda Invoke';

const FLOOR_LEDGER = 'floor-ledger';
const FLOOR_CLAIMS = 'floor-claims';

export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  Object.assign(process.env, HANDLER_ENVIRONMENT);
  const moto = await MotoServer.start();
  try {
    moto.useAsAwsEndpoint();
    await moto.createLedgerTable(LEDGER_TABLE);
    await moto.createIdempotencyTable(IDEMPOTENCY_TABLE);
    await moto.createLedgerTable(FLOOR_LEDGER);
    await moto.createIdempotencyTable(FLOOR_CLAIMS);
    // Each module reads its table names when it is imported.
    const payment = await load<Handler>(options.paymentBundle);
    process.env.LEDGER_TABLE_NAME = FLOOR_LEDGER;
    process.env.IDEMPOTENCY_TABLE_NAME = FLOOR_CLAIMS;
    const idempotentFloor = await load<Handler>(options.idempotentFloorBundle);
    const floor = await load<Handler>(options.floorBundle);

    const runs = { payment: [] as Run[], idempotentFloor: [] as Run[], floor: [] as Run[], replay: [] as Run[] };
    let paymentLog = '';
    let allLog = '';
    // Round 0 warms up each handler and is not counted.
    for (let round = 0; round <= options.rounds; round++) {
      const keys = Array.from({ length: options.requestsPerRound }, (_, i) => `bench-${round}-${i}`);
      const paymentFirst = round % 2 === 0;
      const firstRun = await drive(paymentFirst ? payment : idempotentFloor, moto, keys, options.concurrency, false);
      const floorRun = await drive(floor, moto, keys, options.concurrency, false);
      const secondRun = await drive(paymentFirst ? idempotentFloor : payment, moto, keys, options.concurrency, false);
      const [paymentRun, idempotentFloorRun] = paymentFirst ? [firstRun, secondRun] : [secondRun, firstRun];
      const replayRun = await drive(payment, moto, keys, options.concurrency, true);
      allLog += paymentRun.log + replayRun.log;
      if (round > 0) {
        runs.payment.push(paymentRun);
        runs.idempotentFloor.push(idempotentFloorRun);
        runs.floor.push(floorRun);
        runs.replay.push(replayRun);
        paymentLog += paymentRun.log;
      }
    }
    const accepted = options.rounds * options.requestsPerRound;
    const logLines = allLog.split('\n').filter((line) => line.startsWith('{'));

    const ledgerItems = await moto.scan(LEDGER_TABLE);
    return {
      payment: summarise(runs.payment),
      idempotentFloor: summarise(runs.idempotentFloor),
      floor: summarise(runs.floor),
      replay: summarise(runs.replay),
      againstIdempotentFloor: {
        requestsPerSecond: pairedRatio(runs.payment.map(requestsPerSecond), runs.idempotentFloor.map(requestsPerSecond)),
        handlerCpuMs: pairedRatio(runs.payment.map((run) => run.handlerCpuMs), runs.idempotentFloor.map((run) => run.handlerCpuMs)),
      },
      logBytesPerPayment: Buffer.byteLength(paymentLog, 'utf8') / accepted,
      customMetrics: customMetrics(logLines),
      auditLineBytes: auditLineBytes(ledgerItems[0]),
      itemBytes: {
        ledger: maxItemBytes(ledgerItems),
        idempotency: maxItemBytes(await moto.scan(IDEMPOTENCY_TABLE)),
        floorLedger: maxItemBytes(await moto.scan(FLOOR_LEDGER)),
      },
    };
  } finally {
    await moto.stop();
  }
}

/** Bytes each keep-alive socket had carried at the end of the last run that used it. */
const socketBytesSeen = new WeakMap<Socket, number>();

export interface Run {
  readonly seconds: number;
  readonly latencies: number[];
  readonly calls: Map<string, number>;
  /** What the handler wrote to stdout and stderr. */
  readonly log: string;
  readonly handlerCpuMs: number;
  readonly motoCpuMs: number;
  readonly dynamodbBytes: number;
  /** Bytes over HTTP to anything but DynamoDB (a processor) per request, headers included. */
  readonly otherBytes: number;
}

/**
 * Sends one request per key, `concurrency` at a time, and checks every answer: a new payment, or a
 * replay of one when `replay` is set.
 */
export async function drive(handler: Handler, moto: MotoServer, keys: readonly string[], concurrency: number, replay: boolean): Promise<Run> {
  const calls = new Map<string, number>();
  // Each socket with the port it was connected to (a closed socket no longer says).
  const sockets = new Map<Socket, number | undefined>();
  const onResponse = (message: unknown) => {
    const socket = (message as { request: ClientRequest }).request.socket;
    if (socket) {
      sockets.set(socket, socket.remotePort);
    }
  };
  const onRequest = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const target = request.getHeader('x-amz-target');
    const operation = target !== undefined ? String(target).replace(/^DynamoDB_\d+\./, '')
      : request.path.includes('/functions/') ? LAMBDA_INVOKE : 'other';
    calls.set(operation, (calls.get(operation) ?? 0) + 1);
  };
  subscribe('http.client.request.start', onRequest);
  subscribe('http.client.response.finish', onResponse);
  const output = new OutputCapture();
  output.start();
  const latencies: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const motoCpu = cpuMsOf(moto.pid);
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < keys.length) {
        const key = keys[next++];
        const event = postPayment({ headers: jsonHeaders(key), body: validBody({ merchantId: 'm_bench' }) });
        const sent = performance.now();
        const response = await handler(event, lambdaContext());
        latencies.push(performance.now() - sent);
        if (response.statusCode !== 201 || (replay && response.headers?.['Idempotent-Replayed'] !== 'true')) {
          throw new Error(`unexpected answer to ${key}${replay ? ' (replay)' : ''}: ${response.statusCode} ${response.body}`);
        }
      }
    }));
  } finally {
    output.stop();
    unsubscribe('http.client.request.start', onRequest);
    unsubscribe('http.client.response.finish', onResponse);
  }
  // Keep-alive sockets carry many requests; what they carried before this run is subtracted below.
  let bytes = 0;
  let otherBytes = 0;
  for (const [socket, port] of sockets) {
    const carried = socket.bytesWritten + socket.bytesRead - (socketBytesSeen.get(socket) ?? 0);
    socketBytesSeen.set(socket, socket.bytesWritten + socket.bytesRead);
    if (port === moto.port) {
      bytes += carried;
    } else {
      otherBytes += carried;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    seconds,
    latencies,
    calls,
    log: output.text(),
    handlerCpuMs: (used.user + used.system) / 1000 / keys.length,
    motoCpuMs: (cpuMsOf(moto.pid) - motoCpu) / keys.length,
    dynamodbBytes: bytes / keys.length,
    otherBytes: otherBytes / keys.length,
  };
}

/** Consecutive runs of one handler as one run: their time, requests, calls and bytes added up. */
export function joinRuns(runs: readonly Run[]): Run {
  const requests = runs.map((run) => run.latencies.length);
  const total = requests.reduce((sum, count) => sum + count, 0);
  const perRequest = (of: (run: Run) => number) => runs.reduce((sum, run, i) => sum + of(run) * requests[i], 0) / total;
  const calls = new Map<string, number>();
  for (const run of runs) {
    for (const [operation, count] of run.calls) {
      calls.set(operation, (calls.get(operation) ?? 0) + count);
    }
  }
  return {
    seconds: runs.reduce((sum, run) => sum + run.seconds, 0),
    latencies: runs.flatMap((run) => run.latencies),
    calls,
    log: runs.map((run) => run.log).join(''),
    handlerCpuMs: perRequest((run) => run.handlerCpuMs),
    motoCpuMs: perRequest((run) => run.motoCpuMs),
    dynamodbBytes: perRequest((run) => run.dynamodbBytes),
    otherBytes: perRequest((run) => run.otherBytes),
  };
}

export function requestsPerSecond(run: Run): number {
  return run.latencies.length / run.seconds;
}

export function summarise(runs: readonly Run[]): LoadResult {
  const latencies = runs.flatMap((run) => run.latencies);
  const totals: Record<string, number> = {};
  for (const run of runs) {
    for (const [operation, count] of run.calls) {
      totals[operation] = (totals[operation] ?? 0) + count;
    }
  }
  const calls = Object.fromEntries(Object.entries(totals).map(([operation, count]) => [operation, count / latencies.length]));
  return {
    requestsPerSecond: median(runs.map(requestsPerSecond)),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    dynamodbCalls: calls,
    handlerCpuMs: median(runs.map((run) => run.handlerCpuMs)),
    motoCpuMs: median(runs.map((run) => run.motoCpuMs)),
    dynamodbBytes: median(runs.map((run) => run.dynamodbBytes)),
  };
}

/** An embedded metric format document: where the metrics and their dimensions are declared. */
type EmfDocument = Record<string, unknown> & {
  _aws?: { CloudWatchMetrics?: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
};

/** Metric name and dimension set of every EMF document in the log, each once. */
function customMetrics(lines: readonly string[]): string[] {
  const metrics = new Set<string>();
  for (const line of lines) {
    const document = JSON.parse(line) as EmfDocument;
    for (const directive of document._aws?.CloudWatchMetrics ?? []) {
      for (const dimensions of directive.Dimensions) {
        const values = dimensions.map((name) => `${name}=${String(document[name])}`).join(',');
        for (const metric of directive.Metrics) {
          metrics.add(`${metric.Name}{${values}}`);
        }
      }
    }
  }
  return [...metrics].sort();
}

/** The largest item's size as DynamoDB sizes items for capacity: names plus values, in bytes. */
function maxItemBytes(items: ReadonlyArray<Record<string, AttributeValue>>): number {
  const size = (item: Record<string, AttributeValue>) =>
    Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
  return Math.max(0, ...items.map(size));
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) {
    return Buffer.byteLength(value.S);
  }
  if (value.N !== undefined) {
    // Up to 38 significant digits, two per byte, plus one.
    return Math.ceil(value.N.replace(/^-|\.|e.*$/gi, '').replace(/^0+/, '').length / 2) + 1;
  }
  if (value.BOOL !== undefined || value.NULL !== undefined) {
    return 1;
  }
  if (value.M !== undefined) {
    return 3 + Object.entries(value.M).reduce((sum, [name, inner]) => sum + Buffer.byteLength(name) + valueBytes(inner) + 1, 0);
  }
  if (value.L !== undefined) {
    return 3 + value.L.reduce((sum, inner) => sum + valueBytes(inner) + 1, 0);
  }
  throw new Error(`no size rule for attribute value ${JSON.stringify(value)}`);
}

/** User and system CPU time of a process so far (Linux `/proc/<pid>/stat`), in milliseconds. */
export function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) {
    return 0;
  }
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // After the command name: utime and stime are fields 14 and 15 of the full line.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`). */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** The audit writer's line for a ledger item, as it arrives on the ledger's stream. */
function auditLineBytes(item: Record<string, AttributeValue>): number {
  const record = {
    eventID: 'b'.repeat(32),
    eventName: 'INSERT',
    dynamodb: {
      ApproximateCreationDateTime: 1795773601,
      Keys: { transaction_id: item.transaction_id, timestamp: item.timestamp },
      NewImage: item,
      SequenceNumber: '1'.repeat(21),
    },
  } as DynamoDBRecord;
  return Buffer.byteLength(toAuditObject(record, 'audit/').body);
}

/** The handler of a bundled ES module, imported as the Lambda runtime imports it. */
export async function load<T>(bundle: string): Promise<T> {
  return ((await importModule(pathToFileURL(bundle).href)) as { handler: T }).handler;
}

/** `import()` that stays one: ts-node compiles `import()` to `require()`, which cannot load an ES module. */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
