import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaContext, loadModule, OutputCapture } from './events';
import { MotoServer } from './moto';
import { toAuditObject } from '../../src/handlers/audit-records';

/**
 * The audit writer against moto_server: ledger items are written to a real table, read back from
 * its stream, and handed to the writer as Lambda would hand them over.
 */
const LEDGER = 'ledger';
const BUCKET = 'audit-bucket';

let moto: MotoServer;
let writer: (event: DynamoDBStreamEvent, context: Context) => Promise<void>;
const output = new OutputCapture();
let streamArn: string;
let iterator: string | undefined;
let paymentCounter = 0;

beforeAll(async () => {
  moto = await MotoServer.start();
  moto.useAsAwsEndpoint();
  await moto.createLedgerTable(LEDGER);
  process.env.AUDIT_BUCKET_NAME = BUCKET;
  process.env.AUDIT_PREFIX = 'audit/';
  process.env.POWERTOOLS_SERVICE_NAME = 'payments-audit';
  writer = loadModule<{ handler: typeof writer }>(
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require('../../src/handlers/audit-writer.lambda'),
  ).handler;
  streamArn = (await moto.dynamodb().send(new DescribeTableCommand({ TableName: LEDGER }))).Table!.LatestStreamArn!;
  const streams = new DynamoDBStreamsClient(moto.clientConfig());
  const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription!.Shards![0];
  iterator = (await streams.send(new GetShardIteratorCommand({
    StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON',
  }))).ShardIterator;
  output.start();
});

afterAll(async () => {
  output.stop();
  await moto?.stop();
});

/** Writes ledger items as the payment handler does, and returns their stream records. */
async function acceptPayments(count: number): Promise<DynamoDBRecord[]> {
  for (let i = 0; i < count; i++) {
    const n = ++paymentCounter;
    await moto.dynamodb().send(new PutItemCommand({
      TableName: LEDGER,
      Item: {
        transaction_id: { S: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` },
        timestamp: { S: `2026-11-27T10:00:${String(n % 60).padStart(2, '0')}.000Z` },
        status: { S: 'accepted' },
        amount: { N: String(100 * n) },
        currency: { S: 'EUR' },
        merchant_id: { S: 'm_audit' },
        client_id: { S: 'key:client' },
      },
    }));
  }
  const streams = new DynamoDBStreamsClient(moto.clientConfig());
  const result = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
  iterator = result.NextShardIterator;
  return (result.Records ?? []).map((record) => ({ ...record, eventSourceARN: streamArn }) as DynamoDBRecord);
}

async function auditObjects(): Promise<Array<{ key: string; versions: number }>> {
  const result = await moto.s3().send(new ListObjectVersionsCommand({ Bucket: BUCKET }));
  const counts = new Map<string, number>();
  for (const version of result.Versions ?? []) {
    counts.set(version.Key!, (counts.get(version.Key!) ?? 0) + 1);
  }
  return [...counts.entries()].map(([key, versions]) => ({ key, versions }));
}

async function objectLines(key: string): Promise<Array<Record<string, unknown>>> {
  const object = await moto.s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const text = await object.Body!.transformToString();
  return text.trimEnd().split('\n').map((line) => JSON.parse(line));
}

test('while S3 fails, the batch fails (so Lambda retries it) and nothing is written', async () => {
  const records = await acceptPayments(3);
  expect(records).toHaveLength(3);
  // The bucket does not exist yet: S3 answers NoSuchBucket.
  await expect(writer({ Records: records }, lambdaContext())).rejects.toThrow();

  await moto.createBucket(BUCKET);
  await writer({ Records: records }, lambdaContext());
  const objects = await auditObjects();
  expect(objects).toHaveLength(1);
  expect(objects[0].versions).toBe(1);
});

test('a batch of stream records becomes one object of JSON lines under a date-based prefix', async () => {
  const records = await acceptPayments(5);
  const before = (await auditObjects()).length;
  const mark = output.lines().length;
  await writer({ Records: records }, lambdaContext());
  const written = output.lines().slice(mark);
  expect(written.find((line) => line.message === 'audit object written')).toMatchObject({ key: toAuditObject(records, 'audit/')!.key, records: 5 });
  expect(written.find((line) => 'AuditRecordsWritten' in line)).toMatchObject({ AuditRecordsWritten: 5 });
  const objects = await auditObjects();
  expect(objects).toHaveLength(before + 1);
  const expected = toAuditObject(records, 'audit/')!;
  expect(expected.key).toMatch(/^audit\/2026\/11\/27\/20261127T1000\d{5}Z-[^/]+\.jsonl$/);
  const head = await moto.s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: expected.key }));
  expect(head.ContentType).toBe('application/x-ndjson');
  const lines = await objectLines(expected.key);
  expect(lines).toHaveLength(5);
  expect(lines.map((line) => line.transactionId)).toEqual(records.map((r) => r.dynamodb!.NewImage!.transaction_id.S));
  expect(lines[0]).toEqual({
    transactionId: records[0].dynamodb!.NewImage!.transaction_id.S,
    createdAt: records[0].dynamodb!.NewImage!.timestamp.S,
    amount: Number(records[0].dynamodb!.NewImage!.amount.N),
    currency: 'EUR',
    merchantId: 'm_audit',
    clientId: 'key:client',
    status: 'accepted',
    streamSequenceNumber: records[0].dynamodb!.SequenceNumber,
  });
});

test('a retried batch is not written twice', async () => {
  const records = await acceptPayments(4);
  await writer({ Records: records }, lambdaContext());
  const before = await auditObjects();
  const mark = output.lines().length;
  await writer({ Records: records }, lambdaContext());
  await writer({ Records: records }, lambdaContext());
  const after = await auditObjects();
  const again = output.lines().slice(mark);
  expect(again.filter((line) => line.message === 'audit object already written')).toHaveLength(2);
  expect(again.filter((line) => 'AuditBatchesAlreadyWritten' in line).map((line) => line.AuditBatchesAlreadyWritten)).toEqual([1, 1]);
  expect(again.some((line) => 'AuditRecordsWritten' in line)).toBe(false);
  expect(after).toEqual(before);
  expect(after.every((object) => object.versions === 1)).toBe(true);
  expect(output.text()).toContain('audit object already written');
});

test('every accepted payment is in exactly one audit record', async () => {
  const all: string[] = [];
  for (const object of await auditObjects()) {
    all.push(...(await objectLines(object.key)).map((line) => line.transactionId as string));
  }
  expect(all).toHaveLength(paymentCounter);
  expect(new Set(all).size).toBe(paymentCounter);
});

test('a batch without a new payment writes nothing', async () => {
  const before = await auditObjects();
  const modify = { eventName: 'MODIFY', eventID: 'e1', dynamodb: { NewImage: {}, SequenceNumber: '1' } } as DynamoDBRecord;
  await writer({ Records: [modify] }, lambdaContext());
  expect(await auditObjects()).toEqual(before);
});
