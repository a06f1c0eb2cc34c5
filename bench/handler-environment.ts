/**
 * What the benchmarks give both handlers in their environment, as the platform and the Lambda
 * runtime would: table names, Powertools settings and an on-demand execution environment.
 */
export const LEDGER_TABLE = 'ledger';
export const IDEMPOTENCY_TABLE = 'idempotency';

export const HANDLER_ENVIRONMENT = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_LAMBDA_FUNCTION_NAME: 'payment-handler',
  LEDGER_TABLE_NAME: LEDGER_TABLE,
  IDEMPOTENCY_TABLE_NAME: IDEMPOTENCY_TABLE,
  IDEMPOTENCY_TTL_SECONDS: '86400',
  IAM_AUTHORIZATION: 'false',
  POWERTOOLS_SERVICE_NAME: 'payments-api',
  POWERTOOLS_METRICS_NAMESPACE: 'PaymentPlatform',
  PAYMENTS_ENVIRONMENT: 'bench',
  PAYMENTS_PLATFORM: 'bench',
};
