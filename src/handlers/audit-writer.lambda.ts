import type { LambdaInterface } from '@aws-lambda-powertools/commons/types';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { toAuditObject } from './audit-records';

const logger = new Logger();
const metrics = new Metrics();
metrics.setDefaultDimensions({
  environment: process.env.PAYMENTS_ENVIRONMENT ?? 'unknown',
  platform: process.env.PAYMENTS_PLATFORM ?? 'unknown',
});
const s3 = new S3Client({ maxAttempts: 5 });
const bucket = process.env.AUDIT_BUCKET_NAME!;
const prefix = process.env.AUDIT_PREFIX ?? 'audit/';

/** Objects written at once: a batch of 100 takes ten rounds of S3 requests, not a hundred. */
const PARALLEL_WRITES = 10;

type Outcome = 'written' | 'alreadyWritten';

class AuditWriter implements LambdaInterface {
  /**
   * Writes each change of the batch as an object of its own, whose key only that change has, so
   * the change is written exactly once however often and in whatever batches it is delivered.
   * Changes are written in order, a few at a time; at the first that fails, Lambda is told to
   * retry from that change (`batchItemFailures`), which it does (splitting the batch) until it
   * succeeds or sends the range to the dead-letter queue. A change that was written before finds
   * its key taken and is not written again.
   */
  @logger.injectLambdaContext({ resetKeys: true })
  @metrics.logMetrics()
  public async handler(event: DynamoDBStreamEvent, _context: Context): Promise<DynamoDBBatchResponse> {
    const records = event.Records;
    const counts: Record<Outcome, number> = { written: 0, alreadyWritten: 0 };
    // Stryker disable next-line EqualityOperator: one more round past the end writes an empty slice
    for (let start = 0; start < records.length; start += PARALLEL_WRITES) {
      const round = records.slice(start, start + PARALLEL_WRITES);
      const outcomes = await Promise.allSettled(round.map(write));
      const failed = outcomes.findIndex((outcome) => outcome.status === 'rejected');
      for (const outcome of outcomes.slice(0, failed === -1 ? undefined : failed)) {
        counts[(outcome as PromiseFulfilledResult<Outcome>).value]++;
      }
      if (failed !== -1) {
        const record = round[failed];
        const reason = (outcomes[failed] as PromiseRejectedResult).reason;
        logger.error('audit record not written; the batch is retried from it', {
          eventId: record.eventID,
          sequenceNumber: record.dynamodb?.SequenceNumber,
          error: reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason),
        });
        report(counts);
        metrics.addMetric('AuditRecordsFailed', MetricUnit.Count, 1);
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    report(counts);
    return { batchItemFailures: [] };
  }
}

async function write(record: DynamoDBRecord): Promise<Outcome> {
  const object = toAuditObject(record, prefix);
  try {
    await s3.send(new PutObjectCommand({
      Bucket: bucket,
      Key: object.key,
      Body: object.body,
      ContentType: 'application/x-ndjson',
      IfNoneMatch: '*',
    }));
    return 'written';
  } catch (error) {
    if (isAlreadyWritten(error)) {
      return 'alreadyWritten';
    }
    throw error;
  }
}

function report(counts: Record<Outcome, number>): void {
  logger.info('audit records written', { records: counts.written, alreadyWritten: counts.alreadyWritten });
  metrics.addMetric('AuditRecordsWritten', MetricUnit.Count, counts.written);
  if (counts.alreadyWritten > 0) {
    metrics.addMetric('AuditRecordsAlreadyWritten', MetricUnit.Count, counts.alreadyWritten);
  }
}

/**
 * S3 answers 412 when `If-None-Match: *` finds the key taken. A 409 (another write to the key still
 * in flight) fails the change, and the retry then finds the object and gets the 412.
 */
function isAlreadyWritten(error: unknown): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412;
}

const instance = new AuditWriter();
export const handler = instance.handler.bind(instance);
