/**
 * Bundle size and cold initialisation of the payment handler against the floor handler. Both are
 * bundled the same way (esbuild, minified, SDK inside); each is then loaded by fresh Node.js
 * processes that time `require()` of the bundle, which runs its module-level set-up (SDK client,
 * logger, metrics). The two alternate so that machine noise falls on both alike.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { median, percentile } from './stats';

export interface ColdStartOptions {
  readonly paymentBundle: string;
  readonly floorBundle: string;
  /** Fresh processes per bundle. */
  readonly processes: number;
}

/** Size and initialisation time of one bundle. */
export interface BundleCold {
  readonly bytes: number;
  readonly medianMs: number;
  readonly p90Ms: number;
}

export interface ColdStartResult {
  readonly payment: BundleCold;
  readonly floor: BundleCold;
}

/** What both handlers read at module scope; the SDK never sends a request during set-up. */
const ENVIRONMENT = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  LEDGER_TABLE_NAME: 'ledger',
  IDEMPOTENCY_TABLE_NAME: 'idempotency',
  IDEMPOTENCY_TTL_SECONDS: '86400',
  IAM_AUTHORIZATION: 'false',
  POWERTOOLS_SERVICE_NAME: 'payments-api',
  POWERTOOLS_METRICS_NAMESPACE: 'PaymentPlatform',
  PAYMENTS_ENVIRONMENT: 'bench',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_LAMBDA_FUNCTION_NAME: 'payment-handler',
};

export function measureColdStart(options: ColdStartOptions): ColdStartResult {
  const payment: number[] = [];
  const floor: number[] = [];
  // One load of each first, so that both find the files in the page cache.
  coldInitMs(options.paymentBundle);
  coldInitMs(options.floorBundle);
  for (let i = 0; i < options.processes; i++) {
    payment.push(coldInitMs(options.paymentBundle));
    floor.push(coldInitMs(options.floorBundle));
  }
  const summary = (bundle: string, times: number[]): BundleCold => ({
    bytes: statSync(bundle).size,
    medianMs: median(times),
    p90Ms: percentile(times, 90),
  });
  return { payment: summary(options.paymentBundle, payment), floor: summary(options.floorBundle, floor) };
}

/** Milliseconds that a fresh Node.js process takes to `require()` the bundle. */
function coldInitMs(bundle: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(bundle)}); `
    + 'const ms = Number(process.hrtime.bigint() - t) / 1e6; process.stdout.write(String(ms));';
  const run = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, ...ENVIRONMENT }, encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(`loading ${bundle} failed: ${run.stderr}`);
  }
  return Number(run.stdout);
}
