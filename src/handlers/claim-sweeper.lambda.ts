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
// Each Region of a multi-Region table keeps its own place in it; Lambda always sets AWS_REGION.
const sweeper = new ClaimSweeper(new DynamoDBClient({ maxAttempts: 5 }), process.env.IDEMPOTENCY_TABLE_NAME!, process.env.AWS_REGION!);

/** Time left for the last page's deletes when the sweep stops starting new pages, in milliseconds. */
const MARGIN_MS = 30_000;

class ClaimSweeperHandler implements LambdaInterface {
  /**
   * Runs on a schedule and carries on where the last run stopped; a failure is retried by the next
   * run, since expired claims stay expired. `SweepPassAge` is what the falling-behind alarm reads.
   */
  @logger.injectLambdaContext({ resetKeys: true })
  @metrics.logMetrics()
  public async handler(_event: unknown, context: Context): Promise<void> {
    const now = Date.now();
    const result = await sweeper.sweep(now, now + context.getRemainingTimeInMillis() - MARGIN_MS);
    metrics.addMetric('ExpiredClaimsDeleted', MetricUnit.Count, result.deleted);
    metrics.addMetric('ClaimsScanned', MetricUnit.Count, result.scanned);
    metrics.addMetric('SweepPassAge', MetricUnit.Seconds, result.passAgeSeconds);
    if (result.passSeconds !== undefined) {
      metrics.addMetric('SweepPassDuration', MetricUnit.Seconds, result.passSeconds);
    }
    logger.info('expired idempotency claims swept', { ...result });
  }
}

const instance = new ClaimSweeperHandler();
export const handler = instance.handler.bind(instance);
