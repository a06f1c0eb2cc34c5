import type { LambdaInterface } from '@aws-lambda-powertools/commons/types';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { ClaimSweeper } from './claim-sweep';

const logger = new Logger();
const metrics = new Metrics();
metrics.setDefaultDimensions({
  environment: process.env.PAYMENTS_ENVIRONMENT ?? 'unknown',
  platform: process.env.PAYMENTS_PLATFORM ?? 'unknown',
});
const sweeper = new ClaimSweeper(new DynamoDBClient({ maxAttempts: 5 }), process.env.IDEMPOTENCY_TABLE_NAME!);

/** Time left for the last page's deletes when the sweep stops starting new pages, in milliseconds. */
const MARGIN_MS = 30_000;

class ClaimSweeperHandler implements LambdaInterface {
  /** Runs on a schedule; a failure is retried by the next run, since expired claims stay expired. */
  @logger.injectLambdaContext({ resetKeys: true })
  @metrics.logMetrics()
  public async handler(_event: unknown, context: Context): Promise<void> {
    const now = Date.now();
    const result = await sweeper.sweep(now, now + context.getRemainingTimeInMillis() - MARGIN_MS);
    metrics.addMetric('ExpiredClaimsDeleted', MetricUnit.Count, result.deleted);
    logger.info('expired idempotency claims swept', { ...result });
  }
}

const instance = new ClaimSweeperHandler();
export const handler = instance.handler.bind(instance);
