/**
 * Bundle size and cold initialisation of the payment handler against the floor handler: each is
 * bundled the same way (esbuild, minified, SDK inside), then loaded by 30 fresh Node.js processes
 * that time `require()` of the bundle, which runs its module-level set-up (clients, logger, metrics).
 *
 *   bench/cold-start.ts <payment bundle> <floor bundle> [runs]
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';

const [paymentBundle, floorBundle, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 30);

const env = {
  PATH: process.env.PATH,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  LEDGER_TABLE_NAME: 'ledger',
  IDEMPOTENCY_TABLE_NAME: 'idempotency',
  IDEMPOTENCY_TTL_SECONDS: '86400',
  IAM_AUTHORIZATION: 'false',
};

function coldInitMs(bundle: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(bundle)}); `
    + 'process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));';
  const run = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(`loading ${bundle} failed: ${run.stderr}`);
  }
  return Number(run.stdout);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// Interleave the two so that machine noise falls on both alike.
const payment: number[] = [];
const floor: number[] = [];
coldInitMs(paymentBundle);
coldInitMs(floorBundle);
for (let i = 0; i < runs; i++) {
  payment.push(coldInitMs(paymentBundle));
  floor.push(coldInitMs(floorBundle));
}

const bytes = { payment: statSync(paymentBundle).size, floor: statSync(floorBundle).size };
const rows = [
  ['bundle size (bytes)', bytes.payment, bytes.floor, bytes.payment / bytes.floor, 1.3],
  [`cold init median (ms, ${runs} processes)`, percentile(payment, 50), percentile(floor, 50), percentile(payment, 50) / percentile(floor, 50), 1.1],
  [`cold init p90 (ms, ${runs} processes)`, percentile(payment, 90), percentile(floor, 90), percentile(payment, 90) / percentile(floor, 90), undefined],
] as const;
console.log('| measure | payment handler | floor | ratio | target |');
console.log('| --- | ---: | ---: | ---: | ---: |');
const format = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
for (const [measure, ours, theirs, ratio, target] of rows) {
  const verdict = target === undefined ? '' : `${ratio <= target ? 'met' : 'missed'}: ≤ ${target}`;
  console.log(`| ${measure} | ${format(ours)} | ${format(theirs)} | ${ratio.toFixed(2)} | ${verdict} |`);
}
