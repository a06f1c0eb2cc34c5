/**
 * Bundle size and cold initialisation of the payment handler against the floor handler. Both are
 * bundled the same way (esbuild, ES modules, minified, SDK inside); each is then loaded by fresh
 * Node.js processes that time `import()` of the bundle, as the Lambda runtime loads an `.mjs`
 * handler, which runs its module-level set-up (SDK client, metrics, configuration).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HANDLER_ENVIRONMENT } from './handler-environment';
import { median, PairedRatio, pairedRatio, percentile } from './stats';

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
  readonly minMs: number;
  /** This bundle's time divided by the floor's in the same round, over rounds. */
  readonly paired: PairedRatio;
}

export interface ColdStartResult {
  readonly payment: BundleCold;
  readonly floor: BundleCold;
  /**
   * The floor against a byte-identical copy of itself (an A/A test): how far apart two equal
   * bundles measure on this machine, which bounds what a ratio can resolve.
   */
  readonly floorCopy: BundleCold;
  /** Median time a fresh process takes to create `process.stdout` (a pipe here, as on Lambda). */
  readonly stdoutMs: number;
}

/**
 * Rounds of one process per bundle; the order rotates from round to round, so that neither bundle
 * always runs first (or right after the other), and slow phases of the machine fall on all alike.
 */
export function measureColdStart(options: ColdStartOptions): ColdStartResult {
  const copyDir = mkdtempSync(join(tmpdir(), 'floor-copy-'));
  try {
    const copy = join(copyDir, 'index.mjs');
    copyFileSync(options.floorBundle, copy);
    const bundles = [options.floorBundle, options.paymentBundle, copy];
    const times: number[][] = bundles.map(() => []);
    // One load of each first, so that all find their files in the page cache.
    bundles.forEach(coldInitMs);
    for (let round = 0; round < options.processes; round++) {
      for (let k = 0; k < bundles.length; k++) {
        const index = (round + k) % bundles.length;
        times[index].push(coldInitMs(bundles[index]));
      }
    }
    const summary = (index: number): BundleCold => ({
      bytes: statSync(bundles[index]).size,
      medianMs: median(times[index]),
      p90Ms: percentile(times[index], 90),
      minMs: Math.min(...times[index]),
      paired: pairedRatio(times[index], times[0]),
    });
    const stdout = Array.from({ length: options.processes }, () => childMs('process.stdout;'));
    return { floor: summary(0), payment: summary(1), floorCopy: summary(2), stdoutMs: median(stdout) };
  } finally {
    rmSync(copyDir, { recursive: true, force: true });
  }
}

/** What both handlers read at module scope; the SDK sends nothing during set-up. */
const ENVIRONMENT = {
  ...HANDLER_ENVIRONMENT,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
};

/** Milliseconds that a fresh Node.js process takes to `import()` the bundle. */
function coldInitMs(bundle: string): number {
  return childMs(`await import(${JSON.stringify(pathToFileURL(bundle).href)});`);
}

/** Milliseconds that `code` takes in a fresh Node.js process, which reports them on stdout. */
function childMs(code: string): number {
  const script = `const t = process.hrtime.bigint(); ${code} `
    + 'const ms = Number(process.hrtime.bigint() - t) / 1e6; process.stdout.write(String(ms));';
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH, ...ENVIRONMENT }, encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(`${code} failed in a fresh process: ${run.stderr}`);
  }
  return Number(run.stdout);
}
