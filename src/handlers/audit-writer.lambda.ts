import type { LambdaInterface } from '@aws-lambda-powertools/commons/types';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
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

class AuditWriter implements LambdaInterface {
  /**
   * Writes the batch as one object. Any failure fails the whole batch, which Lambda retries (and
   * bisects) until it succeeds or sends it to the dead-letter queue. A retry of a batch that was
   * already written finds the object in place and does not write it again.
   */
  @logger.injectLambdaContext({ resetKeys: true })
  @metrics.logMetrics()
  public async handler(event: DynamoDBStreamEvent, _context: Context): Promise<void> {
    const object = toAuditObject(event.Records, prefix);
    if (!object) {
      return;
    }
    try {
      await s3.send(new PutObjectCommand({
        Bucket: bucket,
        Key: object.key,
        Body: object.body,
        ContentType: 'application/x-ndjson',
        IfNoneMatch: '*',
      }));
    } catch (error) {
      if (isAlreadyWritten(error)) {
        logger.info('audit object already written', { key: object.key, records: object.count });
        metrics.addMetric('AuditBatchesAlreadyWritten', MetricUnit.Count, 1);
        return;
      }
      throw error;
    }
    logger.info('audit object written', { key: object.key, records: object.count });
    metrics.addMetric('AuditRecordsWritten', MetricUnit.Count, object.count);
  }
}

/**
 * S3 answers 412 when `If-None-Match: *` finds the key taken. A 409 (another write to the key still
 * in flight) fails the batch, and the retry then finds the object and gets the 412.
 */
function isAlreadyWritten(error: unknown): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412;
}

const instance = new AuditWriter();
export const handler = instance.handler.bind(instance);
