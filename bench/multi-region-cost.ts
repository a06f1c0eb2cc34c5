/**
 * The monthly cost of the production profile as a multi-Region platform, against one Region, with a
 * payment's footprint given as JSON (the figures of a throughput run, docs/benchmarks.md):
 *
 *   npx ts-node --project tsconfig.dev.json bench/multi-region-cost.ts '{"ledgerItemBytes":160,...}'
 *
 * `npx projen bench` computes the same with the footprint it measures.
 */
import { App, Stack } from 'aws-cdk-lib';
import { costOf, multiRegionCostOf, PaymentFootprint } from './cost';
import { formatDollars } from './stats';
import { MultiRegionPaymentPlatform, PaymentPlatform, Profiles } from '../src';

const footprint = JSON.parse(process.argv[2] ?? '') as PaymentFootprint;

function multiRegion(regions: string[], witnessRegion?: string) {
  const app = new App();
  const multi = new MultiRegionPaymentPlatform(app, 'Cost', {
    profile: Profiles.production,
    regions,
    witnessRegion,
    account: '123456789012',
    domain: { domainName: 'payments.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' },
  });
  const assembly = app.synth();
  const of = (stack: Stack) => assembly.getStackArtifact(stack.artifactId).template;
  return multiRegionCostOf({
    keys: multi.regions.map((region) => of(multi.keyStacks[region])),
    data: of(multi.dataStack),
    regions: multi.regions.map((region) => of(multi.regionStacks[region])),
  }, footprint);
}

const app = new App();
const stack = new Stack(app, 'Cost', { env: { account: '123456789012', region: Profiles.production.region } });
new PaymentPlatform(stack, 'Payments', Profiles.production);
const one = costOf(app.synth().getStackByName('Cost').template, footprint);
for (const [label, cost] of [
  ['production in one Region', one],
  ['production in three Regions', multiRegion(['us-east-1', 'us-east-2', 'us-west-2'])],
  ['production in two Regions and a witness', multiRegion(['us-east-1', 'us-west-2'], 'us-east-2')],
] as const) {
  console.log(`${label}: ${formatDollars(cost.fixedUsd)} per month, ${formatDollars(cost.perMillionUsd)} per million payments`);
}
