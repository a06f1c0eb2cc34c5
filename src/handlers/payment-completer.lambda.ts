import type { LambdaInterface } from '@aws-lambda-powertools/commons/types';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { Charges } from './charges';
import { Completer, Completion } from './completer';
import { chargeLeaseMs } from './deadline';
import { IdempotencyStore } from './idempotency';
import { processorFromEnvironment } from './lambda-processor';
import { Ledger } from './ledger';

const logger = new Logger();
const metrics = new Metrics();
metrics.setDefaultDimensions({
  environment: process.env.PAYMENTS_ENVIRONMENT ?? 'unknown',
  platform: process.env.PAYMENTS_PLATFORM ?? 'unknown',
});

const dynamodb = new DynamoDBClient({
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
});
const idempotency = new IdempotencyStore(dynamodb, process.env.IDEMPOTENCY_TABLE_NAME!, Number(process.env.IDEMPOTENCY_TTL_SECONDS));
const ledger = new Ledger(dynamodb, process.env.LEDGER_TABLE_NAME!, process.env.PAYMENTS_ORIGIN_REGION || undefined);
const settings = processorFromEnvironment()!;
const completer = new Completer({
  idempotency,
  charges: new Charges(ledger, idempotency, settings.processor),
  leaseMs: chargeLeaseMs(settings.timeoutMs),
  keyRetentionMs: settings.keyRetentionMs,
});

/** Time kept back from the function's own timeout, in milliseconds. */
const MARGIN_MS = 5_000;

class PaymentCompleterHandler implements LambdaInterface {
  /**
   * Runs on a schedule. `OldestPendingPaymentAge` is what the stuck-payment alarm reads,
   * `CompletionErrors` what the completer's error alarm reads; each abandoned or failed payment is
   * logged by its transaction id, and nothing of the payment's request.
   */
  @logger.injectLambdaContext({ resetKeys: true })
  @metrics.logMetrics()
  public async handler(_event: unknown, context: Context): Promise<void> {
    const run = await completer.run(context.awsRequestId, Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS);
    const count = (completion: Completion) => run.completions.filter((c) => c.completion === completion).length;
    metrics.addMetric('PendingPayments', MetricUnit.Count, run.pending);
    metrics.addMetric('OldestPendingPaymentAge', MetricUnit.Seconds, run.oldestPendingSeconds);
    metrics.addMetric('AbandonedPayments', MetricUnit.Count, run.abandoned);
    metrics.addMetric('PaymentsCompleted', MetricUnit.Count, count(Completion.COMPLETED));
    metrics.addMetric('CompletionFailures', MetricUnit.Count, count(Completion.FAILED));
    metrics.addMetric('CompletionErrors', MetricUnit.Count, count(Completion.ERROR));
    for (const { transactionId, completion, error } of run.completions) {
      if (completion === Completion.ERROR) {
        logger.error('pending payment not completed: unexpected error', { transactionId, error: describe(error) });
      } else if (completion === Completion.ABANDONED) {
        logger.error('pending payment past the processor\'s key retention: settle it with the processor by hand', { transactionId });
      } else if (completion === Completion.FAILED) {
        logger.warn('pending payment not completed yet; tried again later', { transactionId, error: describe(error) });
      }
    }
    logger.info('completer run', { pending: run.pending, due: run.completions.length, abandoned: run.abandoned, oldestPendingSeconds: run.oldestPendingSeconds });
  }
}

/** The name and message of an error (the processor's own answer never is one); never a request. */
function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'unknown', message: String(error) };
}

const instance = new PaymentCompleterHandler();
export const handler = instance.handler.bind(instance);
