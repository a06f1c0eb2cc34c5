import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AWS_BEHAVIOUR, CapacityConfig, dailyPeak, LoadShape, ramp, simulate, step, sustainedRate } from '../../bench/capacity';
import { capacityConfigOf } from '../../bench/capacity-config';
import { EnvironmentProfileOverrides, LedgerBilling, PaymentPlatform, Profiles } from '../../src';

/** Limits far above any load in these tests, so that each test meets only the limit it is about. */
const OPEN: CapacityConfig = {
  stageRate: 1e9,
  stageBurst: 1e9,
  planRate: 1e9,
  planBurst: 1e9,
  accountRate: AWS_BEHAVIOUR.apiGatewayAccountRate.value,
  accountBurst: AWS_BEHAVIOUR.apiGatewayAccountBurst.value,
  otherApisRate: 0,
  concurrencyCap: 1e9,
  provisionedConcurrency: 0,
  handlerSeconds: 0.03,
  ledger: { mode: 'on-demand', warmWriteUnits: 1e9 },
  idempotency: { mode: 'on-demand', warmWriteUnits: 1e9 },
  ledgerUnits: 1,
  idempotencyUnits: 1,
};
const constant = (rate: number, seconds = 1_200): LoadShape => ({ name: `constant ${rate}/s`, seconds, start: 0, rate: () => rate });

test('a constant load under every limit throttles nothing', () => {
  const result = simulate({ ...OPEN, stageRate: 1000, stageBurst: 2000, planRate: 1000, planBurst: 2000 }, constant(900));
  expect(result.throttled).toBe(0);
  expect(result.catchUpSeconds).toBe(0);
  expect(result.served.every((rate) => rate === 900)).toBe(true);
});

test('a step far above the account quota is held at the quota\'s rate, after the bucket\'s burst', () => {
  const result = simulate(OPEN, { ...step(20_000), seconds: 900 });
  // The first second of load gets the full bucket plus a second's refill; every later one the refill.
  expect(result.served[600]).toBe(AWS_BEHAVIOUR.apiGatewayAccountBurst.value + AWS_BEHAVIOUR.apiGatewayAccountRate.value);
  expect(result.served.slice(601)).toEqual(Array(299).fill(AWS_BEHAVIOUR.apiGatewayAccountRate.value));
  expect(result.throttledBy['account quota']).toBeCloseTo(result.throttled);
  expect(result.throttlingAtEnd).toBe(true);
  expect(sustainedRate(OPEN)).toEqual({ rate: 10_000, limit: 'account quota' });
});

test('other APIs of the account take their share of the quota first', () => {
  const result = simulate({ ...OPEN, otherApisRate: 4_000 }, { ...step(8_000), seconds: 900 });
  expect(result.served[899]).toBe(6_000);
});

test('burst credit drains at the documented rate: 300 seconds of unused capacity, then throttling', () => {
  // 100 WCU with no auto scaling above them: idle for ten minutes, then 200 writes per second.
  const config: CapacityConfig = { ...OPEN, ledger: { mode: 'provisioned', min: 100, max: 100, target: 0.7 } };
  const result = simulate(config, step(200));
  const credit = AWS_BEHAVIOUR.dynamodbBurstSeconds.value * 100;
  // Each second takes 100 units of credit beyond the provisioned 100: it lasts credit / 100 seconds.
  const lastFull = result.served.findIndex((rate, t) => t >= 600 && rate < 200);
  expect(lastFull - 600).toBe(credit / 100);
  expect(result.served.slice(lastFull + 1)).toEqual(Array(2_400 - lastFull - 1).fill(100));
  expect(result.firstFiveMinutesFraction).toBe(0);
});

test('target-tracking auto scaling raises a provisioned table in steps, minutes after the step', () => {
  const config = (min: number): CapacityConfig => ({ ...OPEN, ledger: { mode: 'provisioned', min, max: 10_000, target: 0.7 } });
  // From a floor of 5 units, each raise is what the last minute consumed (which throttling holds
  // near the provisioned units) over the target: at most 1/0.7 times per raise, one raise every few
  // minutes, so a step to 1,000 writes per second is still throttled half an hour later.
  const low = simulate(config(5), step(1_000));
  expect(low.firstFiveMinutesFraction).toBeGreaterThan(0.9);
  expect(low.throttlingAtEnd).toBe(true);
  expect(low.throttledBy.ledger).toBeCloseTo(low.throttled);
  const capacities = [...new Set(low.served.slice(900).map(Math.round))].filter((rate) => rate < 1_000);
  expect(capacities.length).toBeGreaterThan(5);
  for (let i = 1; i < capacities.length; i++) {
    expect(capacities[i]).toBeLessThanOrEqual(Math.ceil(capacities[i - 1] / 0.7));
  }
  // From a floor of 500, burst credit carries the step until the first raise: nothing is throttled.
  const high = simulate(config(500), step(1_000));
  expect(high.throttled).toBe(0);
});

test('an on-demand table serves its initial throughput at once and twice a peak 30 minutes old', () => {
  const config: CapacityConfig = { ...OPEN, accountRate: 1e9, accountBurst: 1e9, ledger: { mode: 'on-demand', warmWriteUnits: 0 } };
  const result = simulate(config, { name: 'two steps', seconds: 3_000, start: 0, rate: (t) => (t < 1_000 ? 3_000 : 8_000) });
  expect(result.served[10]).toBe(3_000);
  // 8,000 is above the 4,000 initial units: held there until the 3,000 peak is 30 minutes old,
  // then at twice that until the 4,000 peak is, and then served.
  expect(result.served[1_000]).toBe(AWS_BEHAVIOUR.onDemandInitialWriteUnits.value);
  expect(result.served[1_900]).toBe(6_000);
  expect(result.served[2_900]).toBe(8_000);
  // Warm throughput makes the 8,000 servable at once.
  const warm = simulate({ ...config, ledger: { mode: 'on-demand', warmWriteUnits: 8_000 } }, { name: 'step', seconds: 1_200, start: 0, rate: (t) => (t < 1_000 ? 3_000 : 8_000) });
  expect(warm.throttled).toBe(0);
});

test('Lambda adds 1,000 execution environments every 10 seconds, up to its cap', () => {
  // 0.5 s per request at 6,000 requests per second needs 3,000 environments.
  const config: CapacityConfig = { ...OPEN, accountRate: 1e9, accountBurst: 1e9, handlerSeconds: 0.5, concurrencyCap: 2_500 };
  const result = simulate(config, { ...step(6_000), seconds: 700 });
  expect(result.served[600]).toBe(2_000);
  expect(result.served[611]).toBe(4_000);
  expect(result.served[621]).toBe(5_000);
  expect(result.served[699]).toBe(5_000);
  expect(sustainedRate(config)).toEqual({ rate: 5_000, limit: 'Lambda concurrency' });
  // Provisioned environments are there from the first second.
  expect(simulate({ ...config, provisionedConcurrency: 2_500 }, { ...step(6_000), seconds: 700 }).served[600]).toBe(5_000);
});

describe('the stock profiles, read from their templates', () => {
  const calibration = { handlerSeconds: 0.04, ledgerItemBytes: 600, idempotencyItemBytes: 700 };
  const configOf = (name: string, overrides: EnvironmentProfileOverrides = {}) => {
    const profile = Profiles.derive(Profiles.named(name), overrides);
    const stack = new Stack(new App(), 'Capacity', { env: { region: profile.region } });
    new PaymentPlatform(stack, 'Payments', profile);
    return capacityConfigOf(Template.fromStack(stack).toJSON() as never, calibration);
  };

  test('one client alone gets half the stage: the usage plan throttles it above that, whatever the stage takes', () => {
    const stack = new Stack(new App(), 'Capacity', { env: { region: 'us-east-2' } });
    new PaymentPlatform(stack, 'Payments', Profiles.staging);
    const oneClient = capacityConfigOf(Template.fromStack(stack).toJSON() as never, calibration, { clients: 1 });
    expect(oneClient).toMatchObject({ stageRate: 1_000, planRate: 500, planBurst: 1_000 });
    // The step starts at second 600; the plan's burst of 1,000 is gone within the first seconds of 800/s.
    const result = simulate(oneClient, { ...step(800), seconds: 660 });
    expect(result.throttledBy['usage plan']).toBeGreaterThan(0);
    expect(result.served[659]).toBe(500);
  });

  test('limits come from the stage, the usage plan and the tables', () => {
    const production = configOf('production');
    // Each client may send half the stage's rate; the model spreads the load over four clients.
    expect(production).toMatchObject({ stageRate: 10_000, planRate: 20_000, concurrencyCap: 1_000, ledgerUnits: 1, idempotencyUnits: 1 });
    expect(production.idempotency).toEqual({ mode: 'on-demand', warmWriteUnits: 0 });
  });

  test.each(Profiles.names)('%s absorbs a step to a tenth of its rate limit with under 1% throttled in five minutes', (name) => {
    const result = simulate(configOf(name), step(Profiles.named(name).apiRateLimit / 10));
    expect(result.firstFiveMinutesFraction).toBeLessThan(0.01);
  });

  test('the seed\'s provisioned 5/5 production ledger throttles nearly all of the first five minutes of that step', () => {
    const seed = configOf('production', { ledgerBilling: LedgerBilling.provisioned({ read: 5, write: 5 }) });
    expect(seed.ledger).toEqual({ mode: 'provisioned', min: 5, max: 10_000, target: 0.7, schedule: [] });
    const result = simulate(seed, step(1_000));
    expect(result.firstFiveMinutesFraction).toBeGreaterThan(0.9);
    expect(result.throttledBy.ledger).toBeCloseTo(result.throttled);
  });

  test('on demand, a step to the full production rate is throttled until warm throughput covers it', () => {
    expect(simulate(configOf('production'), step(10_000)).firstFiveMinutesFraction).toBeGreaterThan(0.5);
    const warm = configOf('production', { ledgerBilling: LedgerBilling.onDemand({ warmThroughput: 10_000 }) });
    expect(warm.ledger).toEqual({ mode: 'on-demand', warmWriteUnits: 10_000 });
    expect(warm.idempotency).toEqual({ mode: 'on-demand', warmWriteUnits: 10_000 });
    expect(simulate(warm, step(10_000)).throttled).toBe(0);
  });

  test('a scheduled floor takes a known daily peak that auto scaling alone meets late', () => {
    const provisioned = { ledgerBilling: LedgerBilling.provisioned({ read: 100, write: 100 }) };
    const morningStep: LoadShape = {
      name: 'idle, then 1,000/s from 09:00 to 17:00',
      seconds: 86_400,
      start: 9 * 3600,
      rate: (t) => (t >= 9 * 3600 && t < 17 * 3600 ? 1_000 : 0),
    };
    const without = simulate(configOf('production', provisioned), morningStep);
    expect(without.firstFiveMinutesFraction).toBeGreaterThan(0.1);
    const scheduled = configOf('production', {
      ledgerBilling: LedgerBilling.provisioned({
        read: 100,
        write: 100,
        autoScaling: { writeSchedules: [{ startHourUtc: 8, endHourUtc: 18, minWriteCapacity: 1_500 }] },
      }),
    });
    expect(scheduled.ledger).toMatchObject({ schedule: [{ atSecond: 8 * 3600, min: 1_500 }, { atSecond: 18 * 3600, min: 100 }] });
    expect(simulate(scheduled, morningStep).throttled).toBe(0);
  });

  test('shapes run to their end', () => {
    expect(simulate(configOf('dev'), ramp(100)).served).toHaveLength(2_400);
    expect(simulate(configOf('dev'), dailyPeak(100)).served).toHaveLength(86_400);
  });
});
