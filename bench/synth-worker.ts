/**
 * One synthesis in a fresh process, for bench/synthesis.ts:
 *
 *   synth-worker.ts <platform|floor> <dev|staging|production|all>
 *
 * Prints the milliseconds from `new App()` to the end of `app.synth()`; loading the modules comes
 * before the clock starts and is the same for both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import { floorPlatform } from './floor-platform';
import { EnvironmentProfile, PaymentPlatform, Profiles } from '../src';

const [variant, envName] = process.argv.slice(2);
if (!['platform', 'floor'].includes(variant) || ![...Profiles.names, 'all'].includes(envName)) {
  process.stderr.write(`usage: synth-worker.ts <platform|floor> <${[...Profiles.names, 'all'].join('|')}>\n`);
  process.exit(2);
}
const profiles: EnvironmentProfile[] = envName === 'all' ? Profiles.names.map((name) => Profiles.named(name)) : [Profiles.named(envName)];
const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
try {
  const started = performance.now();
  const app = new App({ outdir });
  for (const profile of profiles) {
    const stack = new Stack(app, `PaymentPlatform-${profile.envName}`, { env: { account: '123456789012', region: profile.region } });
    if (variant === 'platform') {
      new PaymentPlatform(stack, 'Payments', profile);
    } else {
      floorPlatform(stack, profile);
    }
  }
  app.synth();
  process.stdout.write(String(performance.now() - started));
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
