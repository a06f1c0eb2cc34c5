import { createServer, request, Server } from 'node:http';
import { DeleteItemCommand, DescribeTableCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { coldStartSuite } from './cold-start-suite';
import { coldStart, lambdaContext } from './events';
import { toAuditObject } from '../../src/handlers/audit-records';

/**
 * The audit writer against moto_server: ledger items are created, edited and deleted in a real
 * table, the changes read back from its stream, and handed to the writer as Lambda hands them over,
 * in batches of every size and split, as a replaced event source mapping, a bisected batch or the
 * documented manual recovery would deliver them again.
 */
const LEDGER = 'ledger';
const BUCKET = 'audit-bucket';

type Writer = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

const suite = coldStartSuite(async (moto) => {
  await moto.createLedgerTable(LEDGER);
  await moto.createBucket(BUCKET);
  // Versioned, as the audit bucket is: an overwritten record would show as a second version.
  await moto.s3().send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
});
const { output } = suite;

/** A cold start of the writer, writing under `prefix`, through `endpoint` if given. */
function startWriter(prefix: string, endpoint?: string, bucket = BUCKET): Writer {
  const environment = {
    AUDIT_BUCKET_NAME: bucket,
    AUDIT_PREFIX: prefix,
    POWERTOOLS_SERVICE_NAME: 'payments-audit',
    ...(endpoint ? { AWS_ENDPOINT_URL: endpoint } : {}),
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return coldStart<{ handler: Writer }>(environment, () => require('../../src/handlers/audit-writer.lambda')).handler;
}

let paymentCounter = 0;
let iterator: string | undefined;
let streamArn: string;

beforeAll(async () => {
  streamArn = (await suite.moto().dynamodb().send(new DescribeTableCommand({ TableName: LEDGER }))).Table!.LatestStreamArn!;
  const streams = new DynamoDBStreamsClient(suite.moto().clientConfig());
  const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription!.Shards![0];
  iterator = (await streams.send(new GetShardIteratorCommand({
    StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON',
  }))).ShardIterator;
});

const transactionId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const timestamp = (n: number) => `2026-11-27T10:00:${String(n % 60).padStart(2, '0')}.000Z`;

/** Creates `count` payments as the payment handler writes them; returns their numbers. */
async function acceptPayments(count: number): Promise<number[]> {
  const created: number[] = [];
  for (let i = 0; i < count; i++) {
    const n = ++paymentCounter;
    await suite.moto().dynamodb().send(new PutItemCommand({
      TableName: LEDGER,
      Item: {
        transaction_id: { S: transactionId(n) },
        timestamp: { S: timestamp(n) },
        status: { S: 'accepted' },
        amount: { N: String(100 * n) },
        currency: { S: 'EUR' },
        merchant_id: { S: 'm_audit' },
        client_id: { S: 'key:client' },
      },
    }));
    created.push(n);
  }
  return created;
}

const key = (n: number) => ({ transaction_id: { S: transactionId(n) }, timestamp: { S: timestamp(n) } });

/** The ledger's changes since the last call, as Lambda delivers them (creation time in seconds). */
async function streamRecords(): Promise<DynamoDBRecord[]> {
  const streams = new DynamoDBStreamsClient(suite.moto().clientConfig());
  const records: StreamRecord[] = [];
  for (;;) {
    const result = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
    iterator = result.NextShardIterator;
    records.push(...(result.Records ?? []));
    if ((result.Records ?? []).length === 0) {
      break;
    }
  }
  return records.map((record) => ({
    ...record,
    eventSourceARN: streamArn,
    dynamodb: {
      ...record.dynamodb,
      ApproximateCreationDateTime: Math.floor(record.dynamodb!.ApproximateCreationDateTime!.getTime() / 1000),
    },
  }) as DynamoDBRecord);
}

/** Every object under `prefix`, with the number of versions of each. */
async function auditObjects(prefix: string): Promise<Map<string, number>> {
  const result = await suite.moto().s3().send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: prefix }));
  const counts = new Map<string, number>();
  for (const version of result.Versions ?? []) {
    counts.set(version.Key!, (counts.get(version.Key!) ?? 0) + 1);
  }
  return counts;
}

async function objectLine(objectKey: string): Promise<Record<string, unknown>> {
  const object = await suite.moto().s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: objectKey }));
  const lines = (await object.Body!.transformToString()).trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

/** Hands `records` to the writer in batches of the given sizes, in order, as Lambda would. */
async function deliver(writer: Writer, records: DynamoDBRecord[], sizes: number[]): Promise<void> {
  let start = 0;
  for (const size of sizes) {
    const response = await writer({ Records: records.slice(start, start + size) }, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    start += size;
  }
  expect(start).toBe(records.length);
}

/** Each record's event id appears in exactly one object, of one version, and no object holds anything else. */
async function expectExactlyOnce(prefix: string, records: DynamoDBRecord[]): Promise<void> {
  const objects = await auditObjects(prefix);
  const expected = records.map((record) => toAuditObject(record, prefix).key);
  expect(new Set(expected).size).toBe(records.length);
  expect([...objects.keys()].sort()).toEqual([...expected].sort());
  expect([...objects.values()].every((versions) => versions === 1)).toBe(true);
}

/** Sizes that add up to `total`, drawn from a seeded generator. */
function randomSplit(total: number, seed: number): number[] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const sizes: number[] = [];
  for (let left = total; left > 0;) {
    const size = Math.min(left, 1 + Math.floor(next() * 12));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

describe('one stream of inserts, edits and deletes, delivered again and again in other batches', () => {
  let records: DynamoDBRecord[];
  const prefix = 'replayed/';

  beforeAll(async () => {
    const created = await acceptPayments(30);
    for (const n of created.filter((m) => m % 3 === 0)) {
      // A status change, as the processor step records one.
      await suite.moto().dynamodb().send(new UpdateItemCommand({
        TableName: LEDGER,
        Key: key(n),
        UpdateExpression: 'SET #s = :s, processor_reference = :r',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'authorized' }, ':r': { S: `ch_${n}` } },
      }));
    }
    // An operator's correction and an operator's delete.
    await suite.moto().dynamodb().send(new UpdateItemCommand({
      TableName: LEDGER, Key: key(created[1]), UpdateExpression: 'SET merchant_id = :m', ExpressionAttributeValues: { ':m': { S: 'm_corrected' } },
    }));
    await suite.moto().dynamodb().send(new DeleteItemCommand({ TableName: LEDGER, Key: key(created[4]) }));
    records = await streamRecords();
  });

  test('the stream holds 30 inserts, 11 edits and 1 delete', () => {
    const counts: Record<string, number> = {};
    for (const record of records) {
      counts[record.eventName!] = (counts[record.eventName!] ?? 0) + 1;
    }
    expect(counts).toEqual({ INSERT: 30, MODIFY: 11, REMOVE: 1 });
  });

  test('batches of 7 write every change once, as JSON lines', async () => {
    const mark = output.lines().length;
    await deliver(startWriter(prefix), records, Array(6).fill(7));
    await expectExactlyOnce(prefix, records);
    const head = await suite.moto().s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: toAuditObject(records[41], prefix).key }));
    expect(head.ContentType).toBe('application/x-ndjson');
    // Nothing was written before, so nothing is counted as written already.
    const metrics = output.lines().slice(mark).filter((line) => 'AuditRecordsWritten' in line);
    expect(metrics.map((line) => line.AuditRecordsWritten)).toEqual(Array(6).fill(7));
    expect(metrics.some((line) => 'AuditRecordsAlreadyWritten' in line)).toBe(false);
  });

  test.each([
    ['one by one', () => records.map(() => 1)],
    ['in batches of 3', () => [...Array(14).fill(3)]],
    ['all at once', () => [records.length]],
    ['in halves of halves, as a bisected batch', () => [10, 11, 10, 11]],
    ['in random splits (seed 1)', () => randomSplit(records.length, 1)],
    ['in random splits (seed 2)', () => randomSplit(records.length, 2)],
  ])('delivered again %s: nothing is written twice, nothing is skipped', async (_how, sizes) => {
    const mark = output.lines().length;
    await deliver(startWriter(prefix), records, sizes());
    await expectExactlyOnce(prefix, records);
    const reported = output.lines().slice(mark).filter((line) => line.message === 'audit records written');
    expect(reported.reduce((sum, line) => sum + (line.records as number), 0)).toBe(0);
    expect(reported.reduce((sum, line) => sum + (line.alreadyWritten as number), 0)).toBe(records.length);
    const metrics = output.lines().slice(mark).filter((line) => 'AuditRecordsAlreadyWritten' in line);
    expect(metrics.reduce((sum, line) => sum + (line.AuditRecordsAlreadyWritten as number), 0)).toBe(records.length);
  });

  test('a replay from the middle with new boundaries writes only what was never written', async () => {
    const fresh = 'partial/';
    // A first mapping wrote the first 17 changes in batches of 5, 5, 7 and stopped.
    await deliver(startWriter(fresh), records.slice(0, 17), [5, 5, 7]);
    // A replaced mapping starts again from the twelfth change, in batches of 4.
    const mark = output.lines().length;
    const replay = records.slice(11);
    await deliver(startWriter(fresh), replay, [...Array(Math.floor(replay.length / 4)).fill(4), replay.length % 4]);
    await expectExactlyOnce(fresh, records);
    const reported = output.lines().slice(mark).filter((line) => line.message === 'audit records written');
    expect(reported.reduce((sum, line) => sum + (line.records as number), 0)).toBe(records.length - 17);
    expect(reported.reduce((sum, line) => sum + (line.alreadyWritten as number), 0)).toBe(6);
  });

  test('each object holds its change: an insert its new image, an edit both, a delete the item as it was', async () => {
    const byKind = (name: string) => records.filter((record) => record.eventName === name);
    const insert = await objectLine(toAuditObject(byKind('INSERT')[0], prefix).key);
    expect(insert).toMatchObject({ change: 'INSERT', transactionId: transactionId(1), createdAt: timestamp(1), newImage: { status: 'accepted', amount: 100 } });
    expect(insert).not.toHaveProperty('oldImage');
    const edit = await objectLine(toAuditObject(byKind('MODIFY')[0], prefix).key);
    expect(edit).toMatchObject({ change: 'MODIFY', oldImage: { status: 'accepted' }, newImage: { status: 'authorized', processor_reference: expect.stringMatching(/^ch_/) } });
    const removed = await objectLine(toAuditObject(byKind('REMOVE')[0], prefix).key);
    expect(removed).toMatchObject({ change: 'REMOVE', transactionId: transactionId(5), oldImage: { merchant_id: 'm_audit', status: 'accepted' } });
    expect(removed).not.toHaveProperty('newImage');
    const head = await suite.moto().s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: toAuditObject(byKind('INSERT')[0], prefix).key }));
    expect(head.ContentType).toBe('application/x-ndjson');
  });
});

test('while the bucket does not exist, the batch fails from its first change; once it does, each change is written once', async () => {
  await acceptPayments(3);
  const records = await streamRecords();
  expect(records).toHaveLength(3);
  const missing = await startWriter('missing-bucket/', undefined, 'no-such-bucket')({ Records: records }, lambdaContext());
  expect(missing).toEqual({ batchItemFailures: [{ itemIdentifier: records[0].dynamodb!.SequenceNumber }] });
  expect(await auditObjects('missing-bucket/')).toEqual(new Map());
  await deliver(startWriter('missing-bucket/'), records, [3]);
  await expectExactlyOnce('missing-bucket/', records);
});

test('a record that no ledger stream gives (without its stream data) fails the batch from it, after the changes before it are written', async () => {
  await acceptPayments(2);
  const records = await streamRecords();
  const broken = { eventID: 'broken', eventName: 'INSERT' } as DynamoDBRecord;
  const mark = output.lines().length;
  const response = await startWriter('broken/')({ Records: [records[0], broken, records[1]] }, lambdaContext());
  // Without a sequence number to retry from, Lambda retries the whole batch, whose changes find their keys taken
  // (the one after it was written in the same round).
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '' }] });
  expect([...(await auditObjects('broken/')).keys()].sort()).toEqual([toAuditObject(records[0], 'broken/').key, toAuditObject(records[1], 'broken/').key].sort());
  expect(output.lines().slice(mark).find((line) => line.level === 'ERROR')).toMatchObject({
    eventId: 'broken', error: expect.stringContaining('lacks dynamodb'),
  });
});

describe('S3 failing in the middle of a batch (fault injected by a proxy in front of moto_server)', () => {
  let proxy: Server;
  let failKeys = new Set<string>();

  beforeAll(async () => {
    const upstream = new URL(suite.moto().endpoint);
    proxy = createServer((incoming, outgoing) => {
      const path = decodeURIComponent(incoming.url ?? '');
      if (incoming.method === 'PUT' && [...failKeys].some((failing) => path.includes(failing))) {
        incoming.resume();
        outgoing.writeHead(500, { 'Content-Type': 'application/xml' });
        outgoing.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>');
        return;
      }
      const forwarded = request({
        host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers,
      }, (answer) => {
        outgoing.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(outgoing);
      });
      incoming.pipe(forwarded);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  });

  // After a failure with a mutant active, the mutation run skips the beforeAll (not the afterAll).
  afterAll(async () => {
    await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
  });

  test('the batch is retried from the first change that failed; the changes before it stay written and none is written twice', async () => {
    const prefix = 'faulty/';
    await acceptPayments(25);
    const records = await streamRecords();
    expect(records).toHaveLength(25);
    const writer = startWriter(prefix, `http://127.0.0.1:${(proxy.address() as { port: number }).port}`);
    // The 14th and 18th changes fail; the 11th to 20th are written in one round.
    failKeys = new Set([records[13].eventID!, records[17].eventID!]);
    const mark = output.lines().length;
    const first = await writer({ Records: records }, lambdaContext());
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: records[13].dynamodb!.SequenceNumber }] });
    const logged = output.lines().slice(mark);
    expect(logged.find((line) => line.message === 'audit records written')).toMatchObject({ records: 13, alreadyWritten: 0 });
    expect(logged.find((line) => line.message === 'audit record not written; the batch is retried from it'))
      .toMatchObject({ eventId: records[13].eventID, sequenceNumber: records[13].dynamodb!.SequenceNumber });
    const written = await auditObjects(prefix);
    for (const record of records.slice(0, 13)) {
      expect(written.get(toAuditObject(record, prefix).key)).toBe(1);
    }
    expect(written.has(toAuditObject(records[13], prefix).key)).toBe(false);

    // Lambda retries from the failed change, bisecting: S3 has recovered.
    failKeys = new Set();
    await deliver(writer, records.slice(13), [6, 6]);
    await expectExactlyOnce(prefix, records);
  });
});
