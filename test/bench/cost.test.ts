import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { costOf, CostLine, multiRegionCostOf, PaymentFootprint } from '../../bench/cost';
import { floorPlatform } from '../../bench/floor-platform';
import { HOURS_PER_MONTH, PRICES } from '../../bench/prices';
import { EnvironmentProfile, LedgerBilling, MultiRegionPaymentPlatform, PaymentPlatform, PaymentProcessor, Profiles } from '../../src';
import { PENDING_SHARDS } from '../../src/handlers/pending-index';
import { newStack } from '../setup/stacks';

/** A payment as the throughput benchmark measures it, in round numbers. */
const FOOTPRINT: PaymentFootprint = {
  ledgerItemBytes: 160,
  idempotencyItemBytes: 480,
  logBytes: 500,
  dynamodbBytes: 3000,
  auditLineBytes: 250,
  customMetrics: 4,
  handlerCpuMs: 3,
  dynamodbCalls: 2,
};

const platform = (profile: EnvironmentProfile) => {
  const stack = newStack(profile);
  new PaymentPlatform(stack, 'Payments', profile);
  return Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
};
const cdkDefaults = (profile: EnvironmentProfile) => {
  const stack = newStack(profile);
  floorPlatform(stack, profile, { cdkDefaults: true });
  return Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
};
const line = (lines: CostLine[], item: string) => lines.find((l) => l.item.startsWith(item));

describe('the cost model reads the template', () => {
  const ours = costOf(platform(Profiles.staging), FOOTPRINT);
  const defaults = costOf(cdkDefaults(Profiles.staging), FOOTPRINT);

  test('fixed: NAT gateways, their addresses, keys, alarm metrics and the dashboard, each from its resources', () => {
    expect(line(ours.fixed, 'NAT gateway-hours')).toEqual({ item: 'NAT gateway-hours', quantity: HOURS_PER_MONTH, usd: HOURS_PER_MONTH * PRICES.natGatewayHour.usd });
    expect(line(defaults.fixed, 'NAT gateway-hours')?.quantity).toBe(3 * HOURS_PER_MONTH);
    expect(line(ours.fixed, 'customer managed KMS keys')?.quantity).toBe(1);
    // Four metric-math alarms of two metrics (and an expression, which is free) each, and three
    // single-metric alarms.
    expect(line(ours.fixed, 'alarm metrics')?.quantity).toBe(11);
    expect(line(ours.fixed, 'dashboards')?.quantity).toBe(1);
    expect(line(ours.fixed, 'WAF')).toBeUndefined();
  });

  test('per payment: one API request, two write units, an audit object and its Glacier transition, and a batch share of the audit writer', () => {
    expect(line(ours.perMillion, 'REST API requests')?.usd).toBeCloseTo(3.5);
    expect(line(ours.perMillion, 'ledger write request units')?.quantity).toBe(1_000_000);
    expect(line(ours.perMillion, 'idempotency write request units')?.quantity).toBe(1_000_000);
    expect(line(ours.perMillion, 'audit object PUTs')?.quantity).toBe(1_000_000);
    expect(line(ours.perMillion, 'audit writer invocations')?.quantity).toBe(10_000);
    expect(line(ours.perMillion, 'audit object transitions to Glacier')?.usd).toBeCloseTo(30);
    expect(line(ours.perMillion, 'KMS requests for audit objects')).toBeUndefined();
    expect(line(ours.perMillion, 'NAT GB processed')).toBeUndefined();
    expect(line(ours.perMillion, 'API access log GB ingested')?.item).toContain('Infrequent Access');
  });

  test('CDK defaults: an object, a KMS request and NAT processing per payment, Standard access logs', () => {
    expect(line(defaults.perMillion, 'audit object PUTs')?.quantity).toBe(1_000_000);
    expect(line(defaults.perMillion, 'KMS requests for audit objects')?.quantity).toBe(1_000_000);
    expect(line(defaults.perMillion, 'NAT GB processed')?.quantity).toBeCloseTo((1_000_000 * (3000 + 250)) / 1024 ** 3);
    expect(line(defaults.perMillion, 'API access log GB ingested')?.item).toContain('Standard');
  });

  test('the payment handler is billed its CPU time at its share of a vCPU plus a round trip per call', () => {
    // 512 MB is 512/1769 of a vCPU: 3 ms of a full core take 10.4 ms; two calls add 10 ms.
    expect(ours.paymentBilledMs).toBe(21);
  });

  test('totals are the sums of their lines', () => {
    expect(ours.fixedUsd).toBeCloseTo(ours.fixed.reduce((sum, l) => sum + l.usd, 0));
    expect(ours.perMillionUsd).toBeCloseTo(ours.perMillion.reduce((sum, l) => sum + l.usd, 0));
  });
});

test('production: WAF rules and requests, and on-demand ledger writes', () => {
  const cost = costOf(platform(Profiles.production), FOOTPRINT);
  expect(line(cost.fixed, 'WAF web ACLs')?.quantity).toBe(1);
  expect(line(cost.fixed, 'WAF rules')?.quantity).toBe(3);
  expect(line(cost.perMillion, 'WAF-inspected requests')?.quantity).toBe(1_000_000);
  expect(line(cost.fixed, 'provisioned WCU-hours')).toBeUndefined();
  expect(line(cost.perMillion, 'ledger write request units')?.quantity).toBe(1_000_000);
});

test('a provisioned ledger: its floor every hour, and payments at the scaling target', () => {
  const provisioned = Profiles.derive(Profiles.production, {
    ledgerBilling: LedgerBilling.provisioned({ read: 5, write: 5 }),
  });
  const cost = costOf(platform(provisioned), FOOTPRINT);
  expect(line(cost.fixed, 'provisioned WCU-hours')?.quantity).toBe(5 * HOURS_PER_MONTH);
  expect(line(cost.perMillion, 'ledger WCU-hours at 70% utilisation')?.quantity).toBeCloseTo(1_000_000 / 3600 / 0.7);
});

describe('the cost model of a platform with a processor', () => {
  const withProcessor = (profile: EnvironmentProfile) => {
    const stack = newStack(profile);
    const adapter = new lambda.Function(stack, 'Adapter', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    });
    new PaymentPlatform(stack, 'Payments', profile, { processor: PaymentProcessor.fromFunction(adapter) });
    return Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  };
  const processor = {
    ledgerWrites: 2,
    idempotencyWrites: 2,
    pendingIndexWrites: 2,
    handlerCpuMs: 4,
    dynamodbCalls: 4,
    dynamodbBytes: 6000,
    processorBytes: 1024 ** 2,
  };
  const template = withProcessor(Profiles.production);
  const without = costOf(platform(Profiles.production), FOOTPRINT);
  const cost = costOf(template, { ...FOOTPRINT, processor });

  test('a template with a processor needs the footprint of a payment through one', () => {
    expect(() => costOf(template, FOOTPRINT)).toThrow(/footprint says nothing of a payment through one/);
  });

  test('per payment: each ledger change and each idempotency write, the index, one invocation of the processor and what the endpoint carries', () => {
    expect(line(cost.perMillion, 'ledger write request units')?.quantity).toBe(2_000_000);
    expect(line(cost.perMillion, 'idempotency write request units')?.quantity).toBe(2_000_000);
    expect(line(cost.perMillion, 'pending-payment index write request units')?.quantity).toBe(2_000_000);
    expect(line(cost.perMillion, 'audit object PUTs')?.quantity).toBe(2_000_000);
    expect(line(cost.perMillion, 'audit writer invocations')?.quantity).toBe(2 * line(without.perMillion, 'audit writer invocations')!.quantity);
    expect(line(cost.perMillion, 'processor invocations')?.quantity).toBe(1_000_000);
    expect(line(cost.perMillion, 'GB processed by the Lambda interface endpoint')?.quantity).toBeCloseTo(1_000_000 / 1024);
    expect(line(without.perMillion, 'processor invocations')).toBeUndefined();
  });

  test('the handler is billed the processor\'s answer time besides its own CPU and calls', () => {
    // 512 MB: 4 ms of a full core take 13.8 ms; four calls add 20 ms; the processor 300 ms.
    expect(cost.paymentBilledMs).toBe(334);
  });

  test('fixed: the completer every minute, its queries of each shard, and the Lambda endpoint in each Availability Zone', () => {
    const runs = HOURS_PER_MONTH * 60;
    expect(line(cost.fixed, 'completer invocations')?.quantity).toBe(runs);
    expect(line(cost.fixed, 'completer queries of the pending-payment index')?.quantity).toBe(runs * PENDING_SHARDS * 0.5);
    const endpointHours = (c: typeof cost) => line(c.fixed, 'interface endpoint-hours')?.quantity ?? 0;
    expect(endpointHours(cost) - endpointHours(without)).toBe(3 * HOURS_PER_MONTH);
    expect(line(without.fixed, 'completer invocations')).toBeUndefined();
  });
});

describe('the cost model of a multi-Region platform', () => {
  const templatesOf = (props: { regions: string[]; witnessRegion?: string; domain?: boolean }) => {
    const app = new App();
    const multi = new MultiRegionPaymentPlatform(app, 'Payments', {
      profile: Profiles.production,
      regions: props.regions,
      witnessRegion: props.witnessRegion,
      account: '123456789012',
      domain: props.domain ? { domainName: 'payments.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' } : undefined,
    });
    type Json = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
    const json = (stack: Stack) => Template.fromStack(stack).toJSON() as Json;
    return {
      keys: multi.regions.map((region) => json(multi.keyStacks[region])),
      data: json(multi.dataStack),
      regions: multi.regions.map((region) => json(multi.regionStacks[region])),
    };
  };
  const single = costOf(platform(Profiles.production), FOOTPRINT);
  const three = multiRegionCostOf(templatesOf({ regions: ['us-east-1', 'us-east-2', 'us-west-2'], domain: true }), FOOTPRINT);
  const two = multiRegionCostOf(templatesOf({ regions: ['us-east-1', 'us-west-2'], witnessRegion: 'us-east-2' }), FOOTPRINT);

  test('fixed: each Region\'s platform and key, nine health checks, and one secret with two replicas', () => {
    expect(line(three.fixed, 'customer managed KMS keys')?.quantity).toBe(3);
    expect(line(three.fixed, 'NAT gateway-hours')?.quantity).toBe(3 * line(single.fixed, 'NAT gateway-hours')!.quantity);
    expect(line(three.fixed, 'WAF web ACLs')?.quantity).toBe(3);
    expect(line(three.fixed, 'Route 53 health checks')).toEqual({ item: 'Route 53 health checks', quantity: 9, usd: 9 * PRICES.route53HealthCheckMonth.usd });
    // One of each Region's three checks asks GET /health over HTTPS, an optional feature billed apart.
    expect(line(three.fixed, 'Route 53 HTTPS health check option')).toEqual({ item: 'Route 53 HTTPS health check option', quantity: 3, usd: 3 * PRICES.route53HttpsOptionMonth.usd });
    expect(line(three.fixed, 'API key secrets')?.quantity).toBe(3);
    expect(line(two.fixed, 'Route 53 health checks')).toBeUndefined();
    expect(line(two.fixed, 'API key secrets')?.quantity).toBe(2);
    // Three platforms where one served, plus what only several Regions need.
    expect(three.fixedUsd).toBeGreaterThan(3 * single.fixedUsd - 3 * PRICES.kmsKeyMonth.usd);
  });

  test('per payment: served and audited once, its writes and storage paid in every replica Region', () => {
    expect(line(three.perMillion, 'REST API requests')).toEqual(line(single.perMillion, 'REST API requests'));
    expect(line(three.perMillion, 'audit object PUTs')).toEqual(line(single.perMillion, 'audit object PUTs'));
    expect(line(three.perMillion, 'ledger write request units')?.usd).toBeCloseTo(3 * line(single.perMillion, 'ledger write request units')!.usd, 10);
    expect(line(two.perMillion, 'ledger write request units')?.usd).toBeCloseTo(2 * line(single.perMillion, 'ledger write request units')!.usd, 10);
    expect(line(three.perMillion, 'idempotency write request units')?.quantity).toBe(3 * line(single.perMillion, 'idempotency write request units')!.quantity);
    expect(line(three.perMillion, 'claim deletes by the sweeper')?.quantity).toBe(3_000_000);
    expect(line(three.perMillion, 'GB replicated')?.quantity).toBeCloseTo((1_000_000 * (160 + 480) * 2) / 1024 ** 3, 10);
    expect(line(three.perMillion, 'claim scans by the sweepers')?.quantity).toBe(HOURS_PER_MONTH * 3 * Math.ceil((1_000_000 / 30 * 580) / 4096) * 0.5);
    expect(three.perMillionUsd).toBeGreaterThan(two.perMillionUsd);
    expect(two.perMillionUsd).toBeGreaterThan(single.perMillionUsd);
  });
});

describe('the cost model of a platform with payment events', () => {
  const profile = Profiles.production;
  const stack = newStack(profile);
  new PaymentPlatform(stack, 'Payments', profile, { events: {} });
  const cost = costOf(Template.fromStack(stack).toJSON() as never, FOOTPRINT);
  const without = costOf(platform(profile), FOOTPRINT);

  test('per payment: one pipe request after filtering, one workflow run at 64 MB for 100 ms, one event, the run\'s log lines', () => {
    expect(line(cost.perMillion, 'event pipe requests')).toEqual({ item: 'event pipe requests (after filtering)', quantity: 1_000_000, usd: 0.40 });
    expect(line(cost.perMillion, 'events workflow runs')?.usd).toBeCloseTo(1.00, 10);
    expect(line(cost.perMillion, 'events workflow GB-seconds')?.quantity).toBeCloseTo(1_000_000 * 0.0625 * 0.1, 6);
    expect(line(cost.perMillion, 'payment events published')?.usd).toBeCloseTo(1.00, 10);
    expect(line(cost.perMillion, 'events workflow log GB ingested')?.quantity).toBeCloseTo((1_000_000 * 3850) / 1024 ** 3, 6);
  });

  test('the events add what those lines add, and nothing fixed but the bus\'s key use: no new key', () => {
    const added = cost.perMillion.filter((l) => /event/.test(l.item)).reduce((sum, l) => sum + l.usd, 0);
    expect(cost.perMillionUsd).toBeCloseTo(without.perMillionUsd + added, 6);
    expect(cost.fixedUsd).toBeCloseTo(without.fixedUsd, 6);
  });

  test('a platform without events has none of these lines', () => {
    expect(without.perMillion.filter((l) => /event/.test(l.item))).toEqual([]);
  });
});
