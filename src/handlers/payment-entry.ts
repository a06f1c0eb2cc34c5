import type { LambdaInterface } from '@aws-lambda-powertools/commons/types';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { REQUEST_BUDGET_MS } from './deadline';
import { IdempotencyStore } from './idempotency';
import { Ledger } from './ledger';
import { routePaymentRequest } from './payment-routes';
import { PaymentService, PaymentServiceOptions } from './payments';

const metrics = new Metrics();
metrics.setDefaultDimensions({
  environment: process.env.PAYMENTS_ENVIRONMENT ?? 'unknown',
  platform: process.env.PAYMENTS_PLATFORM ?? 'unknown',
});

// Short timeouts and one retry keep every answer well inside API Gateway's 29-second limit, so a
// slow dependency becomes a 503 with Retry-After rather than a gateway timeout. Without
// `throwOnRequestTimeout` the SDK only warns when a request outlives `requestTimeout`, and waits on.
const dynamodb = new DynamoDBClient({
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
});

/**
 * The stores that `PaymentApi` configures: the ledger and the idempotency table. The handler of a
 * payment API with a processor adds the processor to them; it is a bundle of its own
 * (`processor-payment-handler.lambda.ts`), so that the Lambda client weighs nothing on the cold
 * start of one without (`payment-handler.lambda.ts`).
 */
export const stores: PaymentServiceOptions = {
  // Set where the ledger is a multi-Region table (see MultiRegionPaymentPlatform).
  ledger: new Ledger(dynamodb, process.env.LEDGER_TABLE_NAME!, process.env.PAYMENTS_ORIGIN_REGION || undefined),
  idempotency: new IdempotencyStore(dynamodb, process.env.IDEMPOTENCY_TABLE_NAME!, Number(process.env.IDEMPOTENCY_TTL_SECONDS)),
};
const iamAuthorization = process.env.IAM_AUTHORIZATION === 'true';

/** Time kept back from the function's own timeout for answering, in milliseconds. */
const ANSWER_MARGIN_MS = 1_000;

/**
 * The function's service name, read as the module is imported like the rest of its settings: the
 * environment may since have changed (the local server imports the completer into the same process
 * after the handler, with a service name of its own).
 */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME;

/**
 * The logger of unexpected failures, set up on the first one: a request that succeeds or is refused
 * writes only its metrics line, so a cold start need not set up a logger.
 */
let failureLogger: Logger | undefined;
function loggerForFailures(): Logger {
  failureLogger ??= new Logger({ serviceName });
  return failureLogger;
}

class PaymentHandler implements LambdaInterface {
  constructor(private readonly service: PaymentService) {}

  @metrics.logMetrics({ captureColdStartMetric: true })
  public async handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
    const started = performance.now();
    // The request's deadline: the budget that API Gateway's 29 seconds leave, or less if the
    // function's own time runs out sooner.
    const budgetMs = Math.min(REQUEST_BUDGET_MS, context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS);
    const outcome = await routePaymentRequest(event, this.service, iamAuthorization, budgetMs);

    const status = outcome.response.statusCode;
    if (outcome.result === 'accepted') {
      metrics.addMetric('PaymentsAccepted', MetricUnit.Count, 1);
    } else if (outcome.result === 'authorized') {
      metrics.addMetric('PaymentsAuthorized', MetricUnit.Count, 1);
    } else if (outcome.result === 'declined') {
      metrics.addMetric('PaymentsDeclined', MetricUnit.Count, 1);
    } else if (outcome.result === 'replayed') {
      metrics.addMetric('IdempotentReplays', MetricUnit.Count, 1);
    } else if (status >= 400) {
      const refused = metrics.singleMetric();
      refused.addDimension('errorCode', outcome.result);
      refused.addMetric('PaymentsRefused', MetricUnit.Count, 1);
    }
    metrics.addMetric('HandlerLatency', MetricUnit.Milliseconds, Math.round((performance.now() - started) * 10) / 10);

    const summary = { method: event.httpMethod, route: event.resource, status, result: outcome.result, transactionId: outcome.transactionId };
    if (outcome.failure) {
      const logger = loggerForFailures();
      logger.addContext(context);
      logger.error('request failed', { correlation_id: event.requestContext?.requestId, ...summary, error: describeFailure(outcome.failure) });
    }
    // Every request's summary travels in its metrics document: one JSON line per request, which
    // Logs Insights finds by correlation_id, instead of a log line and a metrics line.
    metrics.addMetadata('correlation_id', event.requestContext?.requestId ?? 'unknown');
    metrics.addMetadata('function_request_id', context.awsRequestId);
    for (const [key, value] of Object.entries(summary)) {
      if (value !== undefined) {
        metrics.addMetadata(key, String(value));
      }
    }
    return outcome.response;
  }
}

/** The name and message of an unexpected error; never the request that caused it. */
function describeFailure(failure: unknown): { name: string; message: string } {
  return failure instanceof Error ? { name: failure.name, message: failure.message } : { name: 'unknown', message: String(failure) };
}

/** The Lambda handler of payment requests, for a service. */
export function paymentHandler(service: PaymentService): PaymentHandler['handler'] {
  const instance = new PaymentHandler(service);
  return instance.handler.bind(instance);
}
