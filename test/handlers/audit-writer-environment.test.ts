import { createServer, request, Server } from 'node:http';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { coldStartSuite } from './cold-start-suite';
import { coldStart, lambdaContext, ledgerInsert } from './events';

/**
 * What the audit writer takes from its environment when Lambda starts it, and how its S3 client
 * behaves: each test starts a fresh copy of the writer module, as a cold start does.
 */
type Writer = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

const BUCKET = 'audit-bucket';

const suite = coldStartSuite((moto) => moto.createBucket(BUCKET));
const { output } = suite;
let paymentCounter = 0;

/** A cold start of the writer with the function's environment and `overrides` (undefined removes a variable). */
function startWriter(overrides: Record<string, string | undefined> = {}): Writer {
  const environment = {
    AUDIT_BUCKET_NAME: BUCKET,
    AUDIT_PREFIX: 'audit/',
    POWERTOOLS_SERVICE_NAME: 'payments-audit',
    POWERTOOLS_METRICS_NAMESPACE: 'PaymentPlatform',
    PAYMENTS_ENVIRONMENT: 'production',
    PAYMENTS_PLATFORM: 'payments-production',
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return coldStart<{ handler: Writer }>({ ...environment, ...overrides }, () => require('../../src/handlers/audit-writer.lambda')).handler;
}

/** A stream record of one more new payment. */
function newPayment(): DynamoDBRecord {
  const n = ++paymentCounter;
  return ledgerInsert(`event-${n}`, `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, String(1000 + n));
}

const keys = async () => ((await suite.moto().s3().send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key!);

test('without AUDIT_PREFIX, audit objects go under audit/', async () => {
  const writer = startWriter({ AUDIT_PREFIX: undefined });
  const record = newPayment();
  await writer({ Records: [record] }, lambdaContext());
  expect(await keys()).toContain(`audit/2026/11/27/20261127T100001000Z-${record.eventID}.jsonl`);
});

test('AUDIT_PREFIX places audit objects under another prefix', async () => {
  const writer = startWriter({ AUDIT_PREFIX: 'trail/payments/' });
  const record = newPayment();
  await writer({ Records: [record] }, lambdaContext());
  expect(await keys()).toContain(`trail/payments/2026/11/27/20261127T100001000Z-${record.eventID}.jsonl`);
});

test('without AUDIT_BUCKET_NAME every batch fails from its first change with the S3 client\'s error naming the bucket, and nothing is written', async () => {
  const writer = startWriter({ AUDIT_BUCKET_NAME: undefined });
  const before = await keys();
  const record = newPayment();
  const mark = output.lines().length;
  expect(await writer({ Records: [record] }, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }] });
  expect(output.lines().slice(mark).find((line) => line.level === 'ERROR')).toMatchObject({ error: expect.stringMatching(/Bucket/) });
  expect(await keys()).toEqual(before);
});

test('metrics carry the environment and platform names, or "unknown" without them', async () => {
  const metricsLine = async (writer: Writer) => {
    const mark = output.lines().length;
    await writer({ Records: [newPayment()] }, lambdaContext());
    return output.lines().slice(mark).find((line) => 'AuditRecordsWritten' in line);
  };
  expect(await metricsLine(startWriter())).toMatchObject({ environment: 'production', platform: 'payments-production' });
  expect(await metricsLine(startWriter({ PAYMENTS_ENVIRONMENT: undefined, PAYMENTS_PLATFORM: undefined })))
    .toMatchObject({ environment: 'unknown', platform: 'unknown' });
});

describe('S3 answering 500 InternalError (fault injected by a proxy in front of moto_server)', () => {
  let proxy: Server;
  let refusalsLeft = 0;
  let puts = 0;

  beforeAll(async () => {
    const upstream = new URL(suite.moto().endpoint);
    proxy = createServer((incoming, outgoing) => {
      if (incoming.method === 'PUT') {
        puts++;
        if (refusalsLeft > 0) {
          refusalsLeft--;
          incoming.resume();
          outgoing.writeHead(500, { 'Content-Type': 'application/xml' });
          outgoing.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>');
          return;
        }
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

  const throughProxy = () => startWriter({ AWS_ENDPOINT_URL: `http://127.0.0.1:${(proxy.address() as { port: number }).port}` });

  test('four refusals in a row: the writer tries a fifth time and the batch is written once', async () => {
    const writer = throughProxy();
    refusalsLeft = 4;
    puts = 0;
    const record = newPayment();
    await writer({ Records: [record] }, lambdaContext());
    expect(puts).toBe(5);
    expect(await keys()).toContain(`audit/2026/11/27/20261127T100001000Z-${record.eventID}.jsonl`);
  });

  test('five refusals in a row: the batch fails from that change, for Lambda to retry, and nothing is written', async () => {
    const writer = throughProxy();
    refusalsLeft = 5;
    puts = 0;
    const record = newPayment();
    const response = await writer({ Records: [record] }, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }] });
    expect(puts).toBe(5);
    expect((await keys()).some((key) => key.endsWith(`-${record.eventID}.jsonl`))).toBe(false);
  });
});
