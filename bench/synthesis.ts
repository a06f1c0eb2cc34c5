/**
 * Synthesis time of each stock environment, and of all three in one app, for `PaymentPlatform`
 * against the same resources declared with plain aws-cdk-lib L2 constructs (bench/floor-platform.ts).
 * Every synthesis runs in a fresh process (bench/synth-worker.ts); the two alternate.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { median } from './stats';
import { Profiles } from '../src/environment-profile';

export interface SynthesisOptions {
  /** Fresh processes per environment and variant. */
  readonly processes: number;
}

export interface SynthesisTime {
  readonly environment: string;
  readonly platformMs: number;
  readonly floorMs: number;
}

export function measureSynthesis(options: SynthesisOptions): SynthesisTime[] {
  return [...Profiles.names, 'all'].map((environment) => {
    const platform: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < options.processes; i++) {
      platform.push(synthMs('platform', environment));
      floor.push(synthMs('floor', environment));
    }
    return { environment, platformMs: median(platform), floorMs: median(floor) };
  });
}

function synthMs(variant: string, environment: string): number {
  const worker = join(__dirname, 'synth-worker.ts');
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', worker, variant, environment], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '..', 'tsconfig.dev.json') },
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    throw new Error(`synthesizing ${environment} (${variant}) failed: ${run.stderr}`);
  }
  return Number(run.stdout);
}
