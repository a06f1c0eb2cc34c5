/**
 * The monthly cost of the production profile as a multi-Region platform, against one Region, with a
 * payment's footprint given as JSON (the figures of a throughput run, docs/benchmarks.md):
 *
 *   npx ts-node --project tsconfig.dev.json bench/multi-region-cost.ts '{"ledgerItemBytes":160,...}'
 *
 * `npx projen bench` computes the same with the footprint it measures.
 */
import { costOf, multiRegionCostOf, PaymentFootprint } from './cost';
import { formatDollars } from './stats';
import { multiRegionTemplates, template } from './templates';
import { Profiles } from '../src';

const footprint = JSON.parse(process.argv[2] ?? '') as PaymentFootprint;

const one = costOf(template(Profiles.production, false), footprint);
for (const [label, cost] of [
  ['production in one Region', one],
  ['production in three Regions', multiRegionCostOf(multiRegionTemplates(['us-east-1', 'us-east-2', 'us-west-2']), footprint)],
  ['production in two Regions and a witness', multiRegionCostOf(multiRegionTemplates(['us-east-1', 'us-west-2'], 'us-east-2'), footprint)],
] as const) {
  console.log(`${label}: ${formatDollars(cost.fixedUsd)} per month, ${formatDollars(cost.perMillionUsd)} per million payments`);
}
