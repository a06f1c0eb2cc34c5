/**
 * The capacity model's verdict for a profile: each load shape against the platform that the profile
 * synthesizes, per-request figures from the last `npx projen bench` (`bench/calibration.json`).
 *
 *   npx projen bench:capacity                      # the stock profiles
 *   npx projen bench:capacity my-profile.json    # {"base": "production", "overrides": {...}}
 *
 * In the file, `ledgerBilling` is `{"onDemand": {"warmThroughput": 10000}}` or
 * `{"provisioned": {"read": 100, "write": 100, "autoScaling": {...}}}`, the factory and its options.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { AWS_BEHAVIOUR, CapacityResult, dailyPeak, Limit, ramp, simulate, step, sustainedRate } from './capacity';
import { AccountLimits, Calibration, capacityConfigOf } from './capacity-config';
import { formatNumber } from './stats';
import { EnvironmentProfile, EnvironmentProfileOverrides, LedgerBilling, LedgerOnDemandOptions, LedgerProvisionedOptions, PaymentPlatform, Profiles } from '../src';

export const CALIBRATION_FILE = join(__dirname, 'calibration.json');

export interface ProfileCapacity {
  readonly profile: string;
  readonly sustained: { readonly rate: number; readonly limit: Limit };
  readonly results: CapacityResult[];
  /** Whether a step from idle to a tenth of the rate limit is served with under 1% throttled in its first five minutes. */
  readonly absorbsTenthStep: boolean;
}

/** Every shape against the platform that `profile` synthesizes; `label` names it in tables (default: its `envName`). */
export function profileCapacity(
  profile: EnvironmentProfile,
  calibration: Calibration,
  account: AccountLimits = {},
  label = profile.envName,
): ProfileCapacity {
  const app = new App();
  const stack = new Stack(app, 'Capacity', { env: { region: profile.region } });
  new PaymentPlatform(stack, 'Payments', profile);
  const config = capacityConfigOf(app.synth().getStackByName('Capacity').template, calibration, account);
  const rate = profile.apiRateLimit;
  const results = [step(rate / 10), step(rate), ramp(rate), dailyPeak(rate / 10)].map((shape) => simulate(config, shape));
  return { profile: label, sustained: sustainedRate(config), results, absorbsTenthStep: results[0].firstFiveMinutesFraction < 0.01 };
}

const percent = (fraction: number) => (fraction === 0 ? '0%' : fraction < 0.001 ? '< 0.1%' : `${(fraction * 100).toFixed(1)}%`);

/** One table row per profile and shape. */
export function capacityTable(capacities: readonly ProfileCapacity[]): string[] {
  const rows = ['| profile | load | throttled | in the first 5 min | caught up after | throttled mostly by | sustained rate |', '| --- | --- | ---: | ---: | ---: | --- | ---: |'];
  for (const capacity of capacities) {
    for (const result of capacity.results) {
      const worst = Object.entries(result.throttledBy).sort((a, b) => b[1] - a[1])[0];
      const caughtUp = result.throttled === 0 ? '–' : result.throttlingAtEnd ? 'not within the load' : `${formatNumber(Math.round(result.catchUpSeconds))} s`;
      rows.push(`| ${capacity.profile} | ${result.shape} | ${percent(result.throttledFraction)} | ${percent(result.firstFiveMinutesFraction)} | ${caughtUp} | ${result.throttled === 0 ? '–' : worst[0]} | ${formatNumber(Math.floor(capacity.sustained.rate))}/s (${capacity.sustained.limit}) |`);
    }
  }
  return rows;
}

/** The documented behaviour the model follows, each with its source. */
export function capacitySources(): string[] {
  return [
    '| constant | value | source |',
    '| --- | ---: | --- |',
    ...Object.entries(AWS_BEHAVIOUR).map(([name, { value, source }]) => `| \`${name}\` | ${formatNumber(value)} | ${source} |`),
  ];
}

export function readCalibration(): Calibration {
  return JSON.parse(readFileSync(CALIBRATION_FILE, 'utf8')) as Calibration;
}

function main(): void {
  const [file] = process.argv.slice(2);
  let profiles: EnvironmentProfile[] = Profiles.names.map((name) => Profiles.named(name));
  if (file) {
    const { base, overrides = {} } = JSON.parse(readFileSync(file, 'utf8')) as { base: string; overrides?: { [field: string]: unknown } };
    const billing = overrides.ledgerBilling as { onDemand?: LedgerOnDemandOptions; provisioned?: LedgerProvisionedOptions } | undefined;
    const ledgerBilling = billing
      && (billing.provisioned ? LedgerBilling.provisioned(billing.provisioned) : LedgerBilling.onDemand(billing.onDemand));
    profiles = [Profiles.derive(Profiles.named(base), { ...overrides, ledgerBilling } as EnvironmentProfileOverrides)];
  }
  const calibration = readCalibration();
  const capacities = profiles.map((profile) => profileCapacity(profile, calibration));
  console.log(capacityTable(capacities).join('\n'));
  for (const capacity of capacities) {
    console.log(`${capacity.profile}: a step from idle to a tenth of the rate limit is ${capacity.absorbsTenthStep ? 'absorbed' : 'NOT absorbed'} (under 1% throttled in its first five minutes).`);
  }
}

if (require.main === module) {
  main();
}
