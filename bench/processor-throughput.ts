/**
 * Warm throughput and CPU of `POST /payments` with a processor: the bundled handler with the
 * processor step (`processor-payment-handler.lambda`) against the processor floor, both calling the
 * simulated processor at 0 ms behind a loopback Lambda Invoke server (in a process of its own), with
 * DynamoDB on a moto_server on 127.0.0.1.
 *
 * Each round drives the two in alternating blocks of requests, each going first in half of them; the
 * targets are judged on the medians of per-round ratios.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DescribeTableCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { ProcessorFootprint } from './cost';
import { HANDLER_ENVIRONMENT, IDEMPOTENCY_TABLE, LEDGER_TABLE } from './handler-environment';
import { median, PairedRatio, pairedRatio } from './stats';
import { drive, Handler, joinRuns, LAMBDA_INVOKE, load, LoadResult, requestsPerSecond, Run, summarise } from './throughput';
import { PENDING_INDEX, PENDING_SHARDS } from '../src/handlers/pending-index';
import { MotoServer } from '../test/handlers/moto';

export interface ProcessorThroughputOptions {
  /** The bundled handler with the processor step (`assets/handlers/processor-payment-handler.lambda/index.mjs`). */
  readonly paymentBundle: string;
  /** The bundled processor floor (bench/processor-floor-handler.ts). */
  readonly floorBundle: string;
  /** The bundled loopback Lambda Invoke server with the simulated processor (bench/processor-stand-in.ts). */
  readonly standInBundle: string;
  readonly concurrency: number;
  readonly requestsPerRound: number;
  readonly rounds: number;
}

export interface ProcessorThroughputResult {
  readonly payment: LoadResult;
  readonly floor: LoadResult;
  /** What one payment through the handler does, for the cost model. */
  readonly footprint: ProcessorFootprint;
  readonly againstFloor: {
    readonly requestsPerSecond: PairedRatio;
    readonly handlerCpuMs: PairedRatio;
  };
}

const FLOOR_LEDGER = 'processor-floor-ledger';
const FLOOR_CLAIMS = 'processor-floor-claims';
const PROCESSOR = 'payments-processor';

/**
 * Requests in a block. A round drives the handler and the floor in alternating blocks rather than
 * all of one and then all of the other: the CPU that a request costs on this machine moves by tens of
 * percent within a second (other processes, the host), and alternation lets both meet the same
 * moments of it.
 */
export const BLOCK = 50;

export async function measureProcessorThroughput(options: ProcessorThroughputOptions): Promise<ProcessorThroughputResult> {
  const saved = { ...process.env };
  const standIn = spawn(process.execPath, [options.standInBundle], { stdio: ['pipe', 'pipe', 'inherit'] });
  const moto = await MotoServer.start();
  try {
    const endpoint = await firstLine(standIn.stdout!);
    const ledgerTable = `processor-${LEDGER_TABLE}`;
    const idempotencyTable = `processor-${IDEMPOTENCY_TABLE}`;
    Object.assign(process.env, HANDLER_ENVIRONMENT, {
      LEDGER_TABLE_NAME: ledgerTable,
      IDEMPOTENCY_TABLE_NAME: idempotencyTable,
      AWS_ENDPOINT_URL_LAMBDA: endpoint,
      PROCESSOR_FUNCTION_NAME: PROCESSOR,
      PROCESSOR_TIMEOUT_MS: '10000',
    });
    moto.useAsAwsEndpoint();
    await moto.createLedgerTable(ledgerTable);
    await moto.createIdempotencyTable(idempotencyTable);
    await moto.createLedgerTable(FLOOR_LEDGER);
    await moto.createIdempotencyTable(FLOOR_CLAIMS);
    // Each module reads its table names when it is imported.
    const payment = await load<Handler>(options.paymentBundle);
    process.env.LEDGER_TABLE_NAME = FLOOR_LEDGER;
    process.env.IDEMPOTENCY_TABLE_NAME = FLOOR_CLAIMS;
    const floor = await load<Handler>(options.floorBundle);

    const runs = { payment: [] as Run[], floor: [] as Run[] };
    // Round 0 warms up each handler and is not counted.
    for (let round = 0; round <= options.rounds; round++) {
      const keys = Array.from({ length: options.requestsPerRound }, (_, i) => `processor-bench-${round}-${i}`);
      const blocks = { payment: [] as Run[], floor: [] as Run[] };
      for (let block = 0; block * BLOCK < keys.length; block++) {
        const blockKeys = keys.slice(block * BLOCK, (block + 1) * BLOCK);
        // Each of the two goes first in every other block (the second of a block meets the first's garbage).
        const paymentFirst = (block + round) % 2 === 0;
        const first = await drive(paymentFirst ? payment : floor, moto, blockKeys, options.concurrency, false);
        const second = await drive(paymentFirst ? floor : payment, moto, blockKeys, options.concurrency, false);
        blocks.payment.push(paymentFirst ? first : second);
        blocks.floor.push(paymentFirst ? second : first);
      }
      if (round > 0) {
        runs.payment.push(joinRuns(blocks.payment));
        runs.floor.push(joinRuns(blocks.floor));
      }
    }
    const charged = summarise(runs.payment);
    const payments = (options.rounds + 1) * options.requestsPerRound;
    const ledgerWrites = (await streamRecords(moto, ledgerTable)) / payments;
    const writes = ['PutItem', 'UpdateItem', 'DeleteItem'].reduce((sum, operation) => sum + (charged.dynamodbCalls[operation] ?? 0), 0);
    const stillPending = await pendingCount(moto, idempotencyTable);
    if (stillPending !== 0) {
      throw new Error(`${stillPending} payments are still in the index of pending payments after every one was answered`);
    }
    return {
      payment: charged,
      floor: summarise(runs.floor),
      footprint: {
        ledgerWrites,
        idempotencyWrites: writes - ledgerWrites,
        // Each claim entered the index and each final answer took it out: the index is empty.
        pendingIndexWrites: 2,
        handlerCpuMs: charged.handlerCpuMs,
        dynamodbCalls: Object.values(charged.dynamodbCalls).reduce((sum, count) => sum + count, 0) - (charged.dynamodbCalls[LAMBDA_INVOKE] ?? 0),
        dynamodbBytes: charged.dynamodbBytes,
        processorBytes: median(runs.payment.map((run) => run.otherBytes)),
      },
      againstFloor: {
        requestsPerSecond: pairedRatio(runs.payment.map(requestsPerSecond), runs.floor.map(requestsPerSecond)),
        handlerCpuMs: pairedRatio(runs.payment.map((run) => run.handlerCpuMs), runs.floor.map((run) => run.handlerCpuMs)),
      },
    };
  } finally {
    standIn.stdin!.end();
    await moto.stop();
    for (const name of Object.keys(process.env)) {
      if (!(name in saved)) {
        delete process.env[name];
      }
    }
    Object.assign(process.env, saved);
  }
}

/** The first line a child process writes, or an error if it exits before writing one. */
function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: stream });
    lines.once('line', (line) => {
      resolve(line.trim());
      lines.close();
    });
    lines.once('close', () => reject(new Error('the processor stand-in exited before printing its endpoint')));
  });
}

/** Records on the stream of `table` so far: one for each write that changed an item. */
async function streamRecords(moto: MotoServer, table: string): Promise<number> {
  const streamArn = (await moto.dynamodb().send(new DescribeTableCommand({ TableName: table }))).Table!.LatestStreamArn!;
  const streams = new DynamoDBStreamsClient(moto.clientConfig());
  let count = 0;
  for (const shard of (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? []) {
    let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const { Records = [], NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      count += Records.length;
      iterator = Records.length > 0 ? NextShardIterator : undefined;
    }
  }
  return count;
}

/** Items in the index of pending payments of `table`, over every shard. */
async function pendingCount(moto: MotoServer, table: string): Promise<number> {
  let count = 0;
  for (let shard = 0; shard < PENDING_SHARDS; shard++) {
    const result = await moto.dynamodb().send(new QueryCommand({
      TableName: table,
      IndexName: PENDING_INDEX,
      KeyConditionExpression: 'pending_shard = :shard',
      ExpressionAttributeValues: { ':shard': { S: String(shard) } },
      Select: 'COUNT',
    }));
    count += result.Count ?? 0;
  }
  return count;
}
