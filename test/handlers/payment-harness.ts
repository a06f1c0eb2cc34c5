import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { lambdaContext, loadModule, OutputCapture } from './events';
import { MotoServer } from './moto';

export const LEDGER = 'ledger';
export const IDEMPOTENCY = 'idempotency';

/** The environment that `PaymentApi` gives the payment handler, for tables named `LEDGER` and `IDEMPOTENCY`. */
export const HANDLER_ENVIRONMENT: Readonly<Record<string, string>> = {
  LEDGER_TABLE_NAME: LEDGER,
  IDEMPOTENCY_TABLE_NAME: IDEMPOTENCY,
  IDEMPOTENCY_TTL_SECONDS: '86400',
  IAM_AUTHORIZATION: 'false',
  POWERTOOLS_SERVICE_NAME: 'payments-api',
  POWERTOOLS_METRICS_NAMESPACE: 'PaymentPlatform',
  PAYMENTS_ENVIRONMENT: 'test',
  PAYMENTS_PLATFORM: 'test-platform',
};

/** The bundled payment handler's entry point, loaded as Lambda loads it, against a local moto_server. */
export interface PaymentHarness {
  readonly moto: MotoServer;
  readonly output: OutputCapture;
  invoke(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
  /** How many items the ledger and the idempotency table hold. */
  counts(): Promise<{ ledger: number; idempotency: number }>;
  stop(): Promise<void>;
}

/**
 * Starts moto_server with the ledger and idempotency tables, sets the environment that
 * `PaymentApi` gives the handler, loads the handler and starts capturing its output.
 */
export async function startPaymentHandler(): Promise<PaymentHarness> {
  const moto = await MotoServer.start();
  moto.useAsAwsEndpoint();
  await moto.createLedgerTable(LEDGER);
  await moto.createIdempotencyTable(IDEMPOTENCY);
  Object.assign(process.env, HANDLER_ENVIRONMENT);
  type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;
  const handler = loadModule<{ handler: Handler }>(
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require('../../src/handlers/payment-handler.lambda'),
  ).handler;
  const output = new OutputCapture();
  output.start();
  return {
    moto,
    output,
    invoke: (event) => handler(event, lambdaContext()),
    counts: async () => ({ ledger: (await moto.scan(LEDGER)).length, idempotency: (await moto.scan(IDEMPOTENCY)).length }),
    stop: async () => {
      output.stop();
      await moto.stop();
    },
  };
}

/**
 * The number of cases a property runs: `runs` in the ordinary suite, scaled by `PROPERTY_RUNS` over
 * 10,000 where that is set (`npx projen test:deep` sets 100,000: ten times as many).
 */
export function propertyRuns(runs: number): number {
  const configured = Number(process.env.PROPERTY_RUNS);
  return Number.isInteger(configured) && configured > 0 ? Math.round((runs * configured) / 10_000) : runs;
}
