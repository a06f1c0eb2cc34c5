/**
 * `npx projen bench`: handler size and cold start, warm throughput, synthesis time and cost, each
 * against its floor. Prints one markdown table and writes it, with the machine, the date and the
 * details behind each number, to docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildSync } from 'esbuild';
import { Calibration } from './capacity-config';
import { CALIBRATION_FILE, capacitySources, capacityTable, ProfileCapacity, profileCapacity } from './capacity-report';
import { measureColdStart } from './cold-start';
import { ASSUMPTIONS, Cost, CostLine, costOf, multiRegionCostOf, PaymentFootprint, ProcessorFootprint } from './cost';
import { LocalServerResult, measureLocalServer } from './local-server';
import { PRICES, PRICES_DATE, PRICES_REGION } from './prices';
import { BLOCK, measureProcessorThroughput, ProcessorThroughputResult } from './processor-throughput';
import { GuardMeasurement, measureRequestGuard } from './request-guard';
import { atLeast, atMost, formatDollars, formatInterval, formatNumber, formatPairedRatio, markdownTable, Row } from './stats';
import { measureSynthesis } from './synthesis';
import { multiRegionTemplates, template } from './templates';
import { measureThroughput } from './throughput';
import { LedgerBilling, Profiles } from '../src';

const ROOT = join(__dirname, '..');
const PAYMENT_BUNDLE = join(ROOT, 'assets', 'handlers', 'payment-handler.lambda', 'index.mjs');
const PROCESSOR_PAYMENT_BUNDLE = join(ROOT, 'assets', 'handlers', 'processor-payment-handler.lambda', 'index.mjs');
const SETTINGS = {
  coldStartProcesses: 200,
  concurrency: 8,
  requestsPerRound: 300,
  rounds: 5,
  // Rounds of the warm measures, whose targets are judged on per-round ratios.
  warmRounds: 11,
  // Rounds with a processor: its CPU target is 10% from the floor, and per-round ratios on this
  // machine spread by about as much, so a median of 11 would land on either side of it by chance.
  processorRounds: 31,
  synthesisProcesses: 5,
  localServerStarts: 5,
  // Rounds of the local server: longer than the handlers', since its target is a ratio near 1.
  localRequestsPerRound: 600,
};

async function main(): Promise<void> {
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'payment-bench-'));
  try {
    const floorBundle = bundleHandler(work, 'floor-handler');
    const idempotentFloorBundle = bundleHandler(work, 'idempotent-floor-handler');

    log('cold start');
    const cold = measureColdStart({ paymentBundle: PAYMENT_BUNDLE, floorBundle, processes: SETTINGS.coldStartProcesses });
    log('warm throughput');
    const warm = await measureThroughput({
      paymentBundle: PAYMENT_BUNDLE,
      idempotentFloorBundle,
      floorBundle,
      concurrency: SETTINGS.concurrency,
      requestsPerRound: SETTINGS.requestsPerRound,
      rounds: SETTINGS.warmRounds,
    });
    log('warm throughput with a processor');
    const withProcessor = await measureProcessorThroughput({
      paymentBundle: PROCESSOR_PAYMENT_BUNDLE,
      floorBundle: bundleHandler(work, 'processor-floor-handler'),
      standInBundle: bundleHandler(work, 'processor-stand-in'),
      concurrency: SETTINGS.concurrency,
      requestsPerRound: SETTINGS.requestsPerRound,
      rounds: SETTINGS.processorRounds,
    });
    log('the local server');
    const local = await measureLocalServer({
      starts: SETTINGS.localServerStarts,
      concurrency: SETTINGS.concurrency,
      requestsPerRound: SETTINGS.localRequestsPerRound,
      rounds: SETTINGS.warmRounds,
    });
    log('request reading and the card-data guard');
    const guard = measureRequestGuard({ rounds: SETTINGS.rounds, requestsPerRound: SETTINGS.requestsPerRound });
    log('synthesis');
    const synthesis = measureSynthesis({ processes: SETTINGS.synthesisProcesses });
    log('unit test suite');
    const suite = unitSuite();
    log('cost');
    const footprint: PaymentFootprint = {
      ledgerItemBytes: warm.itemBytes.ledger,
      idempotencyItemBytes: warm.itemBytes.idempotency,
      logBytes: warm.logBytesPerPayment,
      dynamodbBytes: warm.payment.dynamodbBytes,
      auditLineBytes: warm.auditLineBytes,
      customMetrics: warm.customMetrics.length,
      handlerCpuMs: warm.payment.handlerCpuMs,
      dynamodbCalls: Object.values(warm.payment.dynamodbCalls).reduce((a, b) => a + b, 0),
    };
    const costs = Profiles.names.map((name) => ({
      name,
      ours: costOf(template(Profiles.named(name), false), footprint),
      defaults: costOf(template(Profiles.named(name), true), footprint),
    }));
    const seedCost = costOf(template(SEED_PRODUCTION, false), footprint);
    const processorCost = costOf(template(Profiles.production, false, true), { ...footprint, processor: withProcessor.footprint });
    const eventsCost = costOf(template(Profiles.production, false, false, true), footprint);
    const multiRegion: MultiRegionCosts = [
      { label: 'production in three Regions', cost: multiRegionCostOf(multiRegionTemplates(['us-east-1', 'us-east-2', 'us-west-2']), footprint) },
      { label: 'production in two Regions and a witness', cost: multiRegionCostOf(multiRegionTemplates(['us-east-1', 'us-west-2'], 'us-east-2'), footprint) },
    ];

    log('capacity');
    const calibration: Calibration = {
      handlerSeconds: costs[0].ours.paymentBilledMs / 1000,
      ledgerItemBytes: warm.itemBytes.ledger,
      idempotencyItemBytes: warm.itemBytes.idempotency,
    };
    writeFileSync(CALIBRATION_FILE, `${JSON.stringify(calibration, undefined, 2)}\n`);
    const capacities = Profiles.names.map((name) => profileCapacity(Profiles.named(name), calibration));
    const seedCapacity = profileCapacity(SEED_PRODUCTION, calibration, {}, SEED_PRODUCTION_LABEL);

    const rows: Row[] = [];
    const ratio = (a: number, b: number) => a / b;
    const bytesRatio = ratio(cold.payment.bytes, cold.floor.bytes);
    rows.push({ section: 'handler', measure: 'bundle size (bytes), ES modules', ours: formatNumber(cold.payment.bytes), floor: formatNumber(cold.floor.bytes), ratio: bytesRatio, target: atMost(bytesRatio, 1.2) });
    const idempotentBytes = statSync(idempotentFloorBundle).size;
    rows.push({ section: 'handler', measure: 'bundle size (bytes), against the idempotent floor', ours: formatNumber(cold.payment.bytes), floor: formatNumber(idempotentBytes), ratio: ratio(cold.payment.bytes, idempotentBytes) });
    const processes = `${SETTINGS.coldStartProcesses} processes each`;
    rows.push({ section: 'handler', measure: `cold init median (ms, ${processes})`, ours: formatNumber(cold.payment.medianMs), floor: formatNumber(cold.floor.medianMs), ratio: ratio(cold.payment.medianMs, cold.floor.medianMs) });
    rows.push({ section: 'handler', measure: 'cold init p90 (ms)', ours: formatNumber(cold.payment.p90Ms), floor: formatNumber(cold.floor.p90Ms), ratio: ratio(cold.payment.p90Ms, cold.floor.p90Ms) });
    rows.push({ section: 'handler', measure: 'cold init fastest (ms)', ours: formatNumber(cold.payment.minMs), floor: formatNumber(cold.floor.minMs), ratio: ratio(cold.payment.minMs, cold.floor.minMs) });
    rows.push({
      section: 'handler',
      measure: `cold init, median of per-round ratios (90% interval ${formatInterval(cold.payment.paired)})`,
      ours: '',
      floor: '',
      ratio: cold.payment.paired.median,
      target: atMost(cold.payment.paired.median, 1.1),
    });
    rows.push({
      section: 'handler',
      measure: 'A/A control: a copy of the floor against the floor, median / per-round ratio',
      ours: formatNumber(cold.floorCopy.medianMs),
      floor: formatNumber(cold.floor.medianMs),
      ratio: ratio(cold.floorCopy.medianMs, cold.floor.medianMs),
      target: `per-round ratio ${formatPairedRatio(cold.floorCopy.paired)}`,
    });
    const load = `concurrency ${SETTINGS.concurrency}, median of ${SETTINGS.warmRounds} rounds of ${SETTINGS.requestsPerRound}`;
    const idem = warm.idempotentFloor;
    const { requestsPerSecond: rpsRatio, handlerCpuMs: cpuRatio } = warm.againstIdempotentFloor;
    const warmSection = 'warm POST /payments (floor: idempotent)';
    rows.push({ section: warmSection, measure: `requests/s (${load})`, ours: formatNumber(warm.payment.requestsPerSecond), floor: formatNumber(idem.requestsPerSecond), ratio: ratio(warm.payment.requestsPerSecond, idem.requestsPerSecond) });
    rows.push({
      section: warmSection,
      measure: `requests/s, median of per-round ratios (90% interval ${formatInterval(rpsRatio)})`,
      ours: '',
      floor: '',
      ratio: rpsRatio.median,
      target: atLeast(rpsRatio.median, 0.9),
    });
    rows.push({ section: warmSection, measure: 'latency p50 (ms)', ours: formatNumber(warm.payment.p50Ms), floor: formatNumber(idem.p50Ms), ratio: ratio(warm.payment.p50Ms, idem.p50Ms) });
    rows.push({ section: warmSection, measure: 'latency p99 (ms)', ours: formatNumber(warm.payment.p99Ms), floor: formatNumber(idem.p99Ms), ratio: ratio(warm.payment.p99Ms, idem.p99Ms) });
    rows.push({ section: warmSection, measure: 'DynamoDB calls per request', ours: calls(warm.payment.dynamodbCalls), floor: calls(idem.dynamodbCalls) });
    rows.push({ section: warmSection, measure: 'handler CPU per request (ms)', ours: formatNumber(warm.payment.handlerCpuMs, 2), floor: formatNumber(idem.handlerCpuMs, 2), ratio: ratio(warm.payment.handlerCpuMs, idem.handlerCpuMs) });
    rows.push({
      section: warmSection,
      measure: `handler CPU per request, median of per-round ratios (90% interval ${formatInterval(cpuRatio)})`,
      ours: '',
      floor: '',
      ratio: cpuRatio.median,
      target: atMost(cpuRatio.median, 1.1),
    });
    rows.push({ section: warmSection, measure: 'moto_server CPU per request (ms)', ours: formatNumber(warm.payment.motoCpuMs, 2), floor: formatNumber(idem.motoCpuMs, 2), ratio: ratio(warm.payment.motoCpuMs, idem.motoCpuMs) });
    const reference = 'warm POST /payments (floor: one write, not idempotent, for reference)';
    rows.push({ section: reference, measure: 'requests/s', ours: formatNumber(warm.payment.requestsPerSecond), floor: formatNumber(warm.floor.requestsPerSecond), ratio: ratio(warm.payment.requestsPerSecond, warm.floor.requestsPerSecond) });
    rows.push({ section: reference, measure: 'DynamoDB calls per request', ours: calls(warm.payment.dynamodbCalls), floor: calls(warm.floor.dynamodbCalls) });
    rows.push({ section: reference, measure: 'handler CPU per request (ms)', ours: formatNumber(warm.payment.handlerCpuMs, 2), floor: formatNumber(warm.floor.handlerCpuMs, 2), ratio: ratio(warm.payment.handlerCpuMs, warm.floor.handlerCpuMs) });
    const replayRatio = ratio(warm.replay.requestsPerSecond, warm.floor.requestsPerSecond);
    rows.push({ section: 'warm replay', measure: 'requests/s (same key and body again)', ours: formatNumber(warm.replay.requestsPerSecond), floor: formatNumber(warm.floor.requestsPerSecond), ratio: replayRatio });
    rows.push({ section: 'warm replay', measure: 'latency p50 / p99 (ms)', ours: `${formatNumber(warm.replay.p50Ms)} / ${formatNumber(warm.replay.p99Ms)}`, floor: `${formatNumber(warm.floor.p50Ms)} / ${formatNumber(warm.floor.p99Ms)}` });
    rows.push({ section: 'warm replay', measure: 'DynamoDB calls per request', ours: calls(warm.replay.dynamodbCalls), floor: calls(warm.floor.dynamodbCalls) });
    const chargeSection = 'warm POST /payments with a processor (simulated, 0 ms; floor: the processor floor)';
    const { payment: charged, floor: processorFloor } = withProcessor;
    const { requestsPerSecond: chargedRps, handlerCpuMs: chargedCpu } = withProcessor.againstFloor;
    const processorLoad = `concurrency ${SETTINGS.concurrency}, median of ${SETTINGS.processorRounds} rounds of ${SETTINGS.requestsPerRound}`;
    rows.push({ section: chargeSection, measure: `requests/s (${processorLoad})`, ours: formatNumber(charged.requestsPerSecond), floor: formatNumber(processorFloor.requestsPerSecond), ratio: ratio(charged.requestsPerSecond, processorFloor.requestsPerSecond) });
    rows.push({
      section: chargeSection,
      measure: `requests/s, median of per-round ratios (90% interval ${formatInterval(chargedRps)})`,
      ours: '',
      floor: '',
      ratio: chargedRps.median,
      target: atLeast(chargedRps.median, 0.9),
    });
    rows.push({ section: chargeSection, measure: 'latency p50 / p99 (ms)', ours: `${formatNumber(charged.p50Ms)} / ${formatNumber(charged.p99Ms)}`, floor: `${formatNumber(processorFloor.p50Ms)} / ${formatNumber(processorFloor.p99Ms)}` });
    rows.push({ section: chargeSection, measure: 'calls per request (DynamoDB, and the processor\'s Lambda Invoke)', ours: calls(charged.dynamodbCalls), floor: calls(processorFloor.dynamodbCalls) });
    rows.push({ section: chargeSection, measure: 'handler CPU per request (ms)', ours: formatNumber(charged.handlerCpuMs, 2), floor: formatNumber(processorFloor.handlerCpuMs, 2), ratio: ratio(charged.handlerCpuMs, processorFloor.handlerCpuMs) });
    rows.push({
      section: chargeSection,
      measure: `handler CPU per request, median of per-round ratios (90% interval ${formatInterval(chargedCpu)})`,
      ours: '',
      floor: '',
      ratio: chargedCpu.median,
      target: atMost(chargedCpu.median, 1.1),
    });
    const localSection = 'local server (`payment-platform-local`, simulated processor)';
    rows.push({
      section: localSection,
      measure: `start, from the process to its first answer (ms, median / p90 of ${SETTINGS.localServerStarts} starts)`,
      ours: `${formatNumber(Math.round(local.startMs.median))} / ${formatNumber(Math.round(local.startMs.p90))}`,
      floor: '',
    });
    rows.push({
      section: localSection,
      measure: 'warm POST /payments over HTTP, requests/s (floor: the same runtime calling the handler directly; '
        + `concurrency ${SETTINGS.concurrency}, median of ${SETTINGS.warmRounds} rounds of ${SETTINGS.localRequestsPerRound})`,
      ours: formatNumber(local.httpRequestsPerSecond),
      floor: formatNumber(local.directRequestsPerSecond),
      ratio: ratio(local.httpRequestsPerSecond, local.directRequestsPerSecond),
    });
    rows.push({
      section: localSection,
      measure: `CPU per request of the process (ms; per-round ratio ${formatPairedRatio(local.httpCpuAgainstDirect)})`,
      ours: formatNumber(local.httpCpuMs, 2),
      floor: formatNumber(local.directCpuMs, 2),
      ratio: ratio(local.httpCpuMs, local.directCpuMs),
    });
    rows.push({
      section: localSection,
      measure: `requests/s, median of per-round ratios (90% interval ${formatInterval(local.httpAgainstDirect)})`,
      ours: '',
      floor: '',
      ratio: local.httpAgainstDirect.median,
      target: atLeast(local.httpAgainstDirect.median, 0.9),
    });
    for (const guardCase of guard.cases) {
      const section = `request guard, ${guardCase.name} (${formatNumber(guardCase.bytes)} bytes)`;
      const perRequest = `µs per request, median of ${SETTINGS.rounds} rounds of ${SETTINGS.requestsPerRound}; floor: \`JSON.parse\``;
      rows.push({ section, measure: `JSON reader (${perRequest})`, ours: formatNumber(guardCase.readerUs, 1), floor: formatNumber(guardCase.jsonParseUs, 1), ratio: ratio(guardCase.readerUs, guardCase.jsonParseUs) });
      rows.push({ section, measure: 'card-data guard over every string (µs per request)', ours: formatNumber(guardCase.guardUs, 1), floor: '' });
      rows.push({ section, measure: 'whole request check: media type, key, JSON, guard, fields (µs per request)', ours: formatNumber(guardCase.parseRequestUs, 1), floor: formatNumber(guardCase.jsonParseUs, 1), ratio: ratio(guardCase.parseRequestUs, guardCase.jsonParseUs) });
    }
    // The worst case the project has always timed (single digits between separators) carries the
    // target; the slowest body of each guard, whichever it is, is compared too.
    const [worstCase] = guard.versions;
    for (const version of guard.versions) {
      rows.push({
        section: `card-data guard, version 3 against version 2, ${version.name} (${formatNumber(version.bytes)} bytes)`,
        measure: `µs per body, median of ${SETTINGS.rounds * 2} alternating rounds of ${SETTINGS.requestsPerRound}; ratio: median of per-round ratios (90% interval ${formatInterval(version.ratio)})`,
        ours: formatNumber(version.v3Us, 1),
        floor: formatNumber(version.v2Us, 1),
        ratio: version.ratio.median,
        target: version === worstCase ? atMost(version.ratio.median, 1.1) : '',
      });
    }
    const { v3Us: slowestV3, v2Us: slowestV2 } = slowestBodies(guard);
    rows.push({
      section: 'card-data guard, version 3 against version 2',
      measure: 'µs on each guard\'s own slowest body of those above',
      ours: formatNumber(slowestV3, 1),
      floor: formatNumber(slowestV2, 1),
      ratio: slowestV3 / slowestV2,
      target: atMost(slowestV3 / slowestV2, 1.1),
    });
    const refusedShare = guard.corpusRefused.length / guard.corpusLines;
    rows.push({
      section: 'card-data guard',
      measure: `ordinary payment text refused as card data (seeded corpus of \`test/handlers/ordinary-text.ts\`, seed ${guard.corpusSeed}, ${formatNumber(guard.corpusLines)} lines)`,
      ours: `${formatNumber(guard.corpusRefused.length)} (${(refusedShare * 100).toFixed(2)}%)`,
      floor: '',
      target: `${refusedShare < 0.003 ? 'met' : 'missed'} (< 0.3%)`,
    });
    rows.push({
      section: 'card-data guard',
      measure: 'of which in classes that the contract does not make ambiguous',
      ours: formatNumber(guard.corpusClasses.filter(({ ambiguous }) => ambiguous === undefined).flatMap(({ refused }) => refused).length),
      floor: '',
      target: `${guard.corpusClasses.every(({ ambiguous, refused }) => ambiguous !== undefined || refused.length === 0) ? 'met' : 'missed'} (0)`,
    });
    for (const time of synthesis) {
      const synthRatio = ratio(time.platformMs, time.floorMs);
      const one = time.environment !== 'all';
      rows.push({
        section: 'synthesis',
        measure: `${one ? time.environment : 'all three in one app'} (ms, median of ${SETTINGS.synthesisProcesses} processes)`,
        ours: formatNumber(time.platformMs, 0),
        floor: formatNumber(time.floorMs, 0),
        ratio: synthRatio,
        target: one ? atMost(synthRatio, 1.3) : undefined,
      });
    }
    rows.push({
      section: 'synthesis',
      measure: `unit test suite, \`npx jest\` (s, ${suite.source})`,
      ours: formatNumber(Math.round(suite.seconds)),
      floor: '',
    });
    for (const { name, ours, defaults } of costs) {
      rows.push({ section: `cost, ${name}`, measure: 'fixed per month (floor: CDK defaults)', ours: formatDollars(ours.fixedUsd), floor: formatDollars(defaults.fixedUsd), ratio: ratio(ours.fixedUsd, defaults.fixedUsd) });
      rows.push({
        section: `cost, ${name}`,
        measure: 'per million payments (floor: CDK defaults)',
        ours: formatDollars(ours.perMillionUsd),
        floor: formatDollars(defaults.perMillionUsd),
        ratio: ratio(ours.perMillionUsd, defaults.perMillionUsd),
        target: `${ours.perMillionUsd < 6 ? 'met' : 'missed'} (< $6.00)`,
      });
    }
    const production = costs[costs.length - 1].ours;
    const processorSection = 'cost, production with a processor (the processor\'s own function not counted)';
    rows.push({ section: processorSection, measure: 'fixed per month (floor: production without one)', ours: formatDollars(processorCost.fixedUsd), floor: formatDollars(production.fixedUsd), ratio: ratio(processorCost.fixedUsd, production.fixedUsd) });
    rows.push({ section: processorSection, measure: 'per million payments (floor: production without one)', ours: formatDollars(processorCost.perMillionUsd), floor: formatDollars(production.perMillionUsd), ratio: ratio(processorCost.perMillionUsd, production.perMillionUsd) });
    const eventsSection = 'cost, production with payment events';
    rows.push({ section: eventsSection, measure: 'per million payments (floor: production without them)', ours: formatDollars(eventsCost.perMillionUsd), floor: formatDollars(production.perMillionUsd), ratio: ratio(eventsCost.perMillionUsd, production.perMillionUsd) });
    rows.push({ section: `cost, ${SEED_PRODUCTION_LABEL}`, measure: 'fixed per month', ours: formatDollars(seedCost.fixedUsd), floor: '' });
    rows.push({ section: `cost, ${SEED_PRODUCTION_LABEL}`, measure: 'per million payments', ours: formatDollars(seedCost.perMillionUsd), floor: '' });
    const oneRegion = costs[costs.length - 1].ours;
    for (const { label, cost } of multiRegion) {
      rows.push({ section: `cost, ${label}`, measure: 'fixed per month (floor: production in one Region)', ours: formatDollars(cost.fixedUsd), floor: formatDollars(oneRegion.fixedUsd), ratio: ratio(cost.fixedUsd, oneRegion.fixedUsd) });
      rows.push({ section: `cost, ${label}`, measure: 'per million payments (floor: production in one Region)', ours: formatDollars(cost.perMillionUsd), floor: formatDollars(oneRegion.perMillionUsd), ratio: ratio(cost.perMillionUsd, oneRegion.perMillionUsd) });
    }

    const table = markdownTable(rows);
    console.log(table);
    const minutes = (performance.now() - started) / 60_000;
    writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), report(table, cold, warm, guard, costs, footprint, minutes, [...capacities, seedCapacity], calibration, multiRegion,
      { cost: processorCost, footprint: withProcessor.footprint }, eventsCost));
    updateReadme(readmeSummary(cold, warm, guard, synthesis, costs, capacities, { cost: seedCost, capacity: seedCapacity }, multiRegion,
      { throughput: withProcessor, cost: processorCost }, local));
    log(`wrote docs/benchmarks.md in ${minutes.toFixed(1)} minutes`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A floor handler of `bench/`, bundled as projen bundles the payment handler: esbuild, an ES module
 * from the packages' ES module builds, minified, SDK inside.
 */
function bundleHandler(dir: string, name: string): string {
  const outfile = join(dir, name, 'index.mjs');
  buildSync({
    entryPoints: [join(__dirname, `${name}.ts`)],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    minify: true,
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

const JUNIT_REPORT = join(ROOT, 'test-reports', 'junit.xml');

/**
 * Wall time of the whole jest suite, as `npx projen test` runs it (without lint and type check).
 * The suite takes many minutes, so a run that has just covered every test file (the build's, whose
 * report jest-junit leaves in test-reports/junit.xml) is read instead of running it again; any
 * other report (of a partial run) is ignored and the suite runs once.
 */
function unitSuite(): { seconds: number; source: string } {
  const files = spawnSync('npx', ['jest', '--listTests'], { cwd: ROOT, encoding: 'utf8' });
  if (files.status !== 0) {
    throw new Error(`jest could not list the test files:\n${files.stderr}`);
  }
  const testFiles = files.stdout.split('\n').filter((line) => line.trim() !== '').length;
  const reported = readJunitReport();
  if (reported !== undefined && reported.suites === testFiles && reported.failures === 0) {
    return { seconds: reported.seconds, source: 'the last full run, from test-reports/junit.xml' };
  }
  const started = performance.now();
  const run = spawnSync('npx', ['jest', '--silent', '--passWithNoTests'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  if (run.status !== 0) {
    throw new Error(`the unit test suite failed:\n${run.stdout}\n${run.stderr}`);
  }
  return { seconds: (performance.now() - started) / 1000, source: 'one run' };
}

/** The overall figures of jest-junit's report: test files, failures and errors, wall time. */
function readJunitReport(): { suites: number; failures: number; seconds: number } | undefined {
  let xml: string;
  try {
    xml = readFileSync(JUNIT_REPORT, 'utf8');
  } catch {
    return undefined;
  }
  const head = /<testsuites\b[^>]*\bfailures="(\d+)"[^>]*\berrors="(\d+)"[^>]*\btime="([\d.]+)"/.exec(xml);
  if (head === null) {
    return undefined;
  }
  return {
    suites: (xml.match(/<testsuite\s/g) ?? []).length,
    failures: Number(head[1]) + Number(head[2]),
    seconds: Number(head[3]),
  };
}

/** The synthesized template of one stock environment: the platform, or the floor with CDK defaults. */
/**
 * The production profile with the seed's ledger (provisioned, 5 read and 5 write units, target
 * tracking), from which the stock profile departs: measured alongside to show what the departure
 * buys and costs.
 */
const SEED_PRODUCTION = Profiles.derive(Profiles.named('production'), {
  ledgerBilling: LedgerBilling.provisioned({ read: 5, write: 5 }),
});
const SEED_PRODUCTION_LABEL = 'production with the seed\'s ledger (provisioned 5 / 5)';

const README_START = '<!-- benchmarks:start: written by `npx projen bench` -->';
const README_END = '<!-- benchmarks:end -->';

/** Replaces the README's benchmark summary, between its markers, with `lines`. */
function updateReadme(lines: string[]): void {
  const path = join(ROOT, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no benchmark summary between ${README_START} and ${README_END}`);
  }
  writeFileSync(path, `${readme.slice(0, start + README_START.length)}\n${lines.join('\n')}\n${readme.slice(end)}`);
}

function firstFiveMinutes(capacity: ProfileCapacity): string {
  return `${(capacity.results[0].firstFiveMinutesFraction * 100).toFixed(1)}%`;
}

/** The production profile with the seed's ledger, measured alongside the stock profiles. */
interface SeedProduction {
  readonly cost: Cost;
  readonly capacity: ProfileCapacity;
}

function readmeSummary(
  cold: Cold,
  warm: Warm,
  guard: GuardMeasurement,
  synthesis: Synthesis,
  costs: Costs,
  capacities: ProfileCapacity[],
  seed: SeedProduction,
  multiRegion: MultiRegionCosts,
  withProcessor: { throughput: ProcessorThroughputResult; cost: Cost },
  local: LocalServerResult,
): string[] {
  const bytes = cold.payment.bytes / cold.floor.bytes;
  const { requestsPerSecond: rps, handlerCpuMs: cpu } = warm.againstIdempotentFloor;
  const worstSynthesis = Math.max(...synthesis.filter((time) => time.environment !== 'all').map((time) => time.platformMs / time.floorMs));
  const [worstCaseGuard] = guard.versions;
  const perMillion = costs.map(({ ours }) => ours.perMillionUsd);
  const verdict = (met: boolean) => (met ? 'met' : 'missed');
  const dollars = (values: number[]) => values.map(formatDollars).join(' / ');
  return [
    `Measured ${new Date().toISOString().slice(0, 10)}; method, every number and every cost line in [docs/benchmarks.md](docs/benchmarks.md).`,
    '',
    '| measure | result | target |',
    '| --- | ---: | --- |',
    `| payment handler bundle, against the minimal handler, both ES modules | ${bytes.toFixed(2)}× | ≤ 1.20×, ${verdict(bytes <= 1.2)} |`,
    `| cold import, against the minimal handler (90% interval) | ${formatPairedRatio(cold.payment.paired, '×')} | ≤ 1.10×, ${verdict(cold.payment.paired.median <= 1.1)} |`,
    `| warm \`POST /payments\` throughput against moto_server, against the idempotent floor (90% interval) | ${formatPairedRatio(rps, '×')} | ≥ 0.90×, ${verdict(rps.median >= 0.9)} |`,
    `| handler CPU per payment, against the idempotent floor (90% interval) | ${formatPairedRatio(cpu, '×')} | ≤ 1.10×, ${verdict(cpu.median <= 1.1)} |`,
    `| with a processor (simulated, 0 ms): throughput; handler CPU, against the processor floor (90% intervals) | ${formatPairedRatio(withProcessor.throughput.againstFloor.requestsPerSecond, '×')}; ${formatPairedRatio(withProcessor.throughput.againstFloor.handlerCpuMs, '×')} | ≥ 0.90×, ${verdict(withProcessor.throughput.againstFloor.requestsPerSecond.median >= 0.9)}; ≤ 1.10×, ${verdict(withProcessor.throughput.againstFloor.handlerCpuMs.median <= 1.1)} |`,
    `| local server (\`npm start\`): start to first answer; warm throughput over HTTP against its handler called directly (90% interval) | ${formatNumber(Math.round(local.startMs.median))} ms; ${formatPairedRatio(local.httpAgainstDirect, '×')} | reported; ≥ 0.90×, ${verdict(local.httpAgainstDirect.median >= 0.9)} |`,
    `| request check (JSON reader, card-data guard, fields), typical / 16 KiB worst case | ${guard.cases.map((c) => `${formatNumber(c.parseRequestUs / 1000, 2)} ms`).filter((_, i) => i !== 1).join(' / ')} | reported |`,
    `| ordinary payment text refused as card data (seeded corpus) | ${guard.corpusRefused.length} of ${formatNumber(guard.corpusLines)} lines | < 0.3%, ${verdict(guard.corpusRefused.length / guard.corpusLines < 0.003)} |`,
    `| card-data guard on its worst case (16 KiB of single digits between separators), against the version 2 guard (90% interval) | ${formatPairedRatio(worstCaseGuard.ratio, '×')} | ≤ 1.10×, ${verdict(worstCaseGuard.ratio.median <= 1.1)} |`,
    `| synthesis of one environment, against plain L2 constructs (slowest of three) | ${worstSynthesis.toFixed(2)}× | ≤ 1.30×, ${verdict(worstSynthesis <= 1.3)} |`,
    `| cost per million payments, dev / staging / production | ${dollars(perMillion)} | < $6.00, ${verdict(perMillion.every((usd) => usd < 6))} |`,
    `| fixed cost per month, dev / staging / production | ${dollars(costs.map(({ ours }) => ours.fixedUsd))} | with CDK defaults: ${dollars(costs.map(({ defaults }) => defaults.fixedUsd))} |`,
    `| requests throttled in the first five minutes of a step from idle to a tenth of the rate limit, dev / staging / production | ${capacities.map(firstFiveMinutes).join(' / ')} | < 1%, ${verdict(capacities.every((c) => c.absorbsTenthStep))} |`,
    `| ${SEED_PRODUCTION_LABEL}, for comparison: cost per million payments; throttled in the first five minutes of the same step | ${formatDollars(seed.cost.perMillionUsd)}; ${firstFiveMinutes(seed.capacity)} | the departure from the seed |`,
    `| production with a processor: per million payments (its processor's own cost aside); fixed per month | ${formatDollars(withProcessor.cost.perMillionUsd)}; ${formatDollars(withProcessor.cost.fixedUsd)} | without one: ${formatDollars(perMillion[perMillion.length - 1])}; ${formatDollars(costs[costs.length - 1].ours.fixedUsd)} |`,
    `| production in three Regions / in two and a witness (\`MultiRegionPaymentPlatform\`, one domain): per million payments; fixed per month | ${dollars(multiRegion.map(({ cost }) => cost.perMillionUsd))}; ${dollars(multiRegion.map(({ cost }) => cost.fixedUsd))} | in one Region: ${formatDollars(perMillion[perMillion.length - 1])}; ${formatDollars(costs[costs.length - 1].ours.fixedUsd)} |`,
    ...(perMillion[perMillion.length - 1] >= 6 && seed.cost.perMillionUsd < 6
      ? ['', 'Production misses the cost target because its ledger is on-demand, which this project chose over the seed\'s provisioned 5 / 5 (see the departures table):',
        `with the seed's ledger it would cost ${formatDollars(seed.cost.perMillionUsd)} per million and throttle ${firstFiveMinutes(seed.capacity)} of the first five minutes of a step to a tenth of its rate limit.`]
      : []),
  ];
}

function calls(byOperation: Record<string, number>): string {
  return Object.entries(byOperation).map(([operation, count]) => `${formatNumber(count, 2)} ${operation}`).join(' + ');
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

type Cold = ReturnType<typeof measureColdStart>;
type Warm = Awaited<ReturnType<typeof measureThroughput>>;
type Synthesis = ReturnType<typeof measureSynthesis>;
type Costs = Array<{ name: string; ours: Cost; defaults: Cost }>;
/** The production profile as a multi-Region platform, in each topology. */
type MultiRegionCosts = Array<{ label: string; cost: Cost }>;

function report(table: string, cold: Cold, warm: Warm, guard: GuardMeasurement, costs: Costs, footprint: PaymentFootprint, minutes: number,
  capacities: ProfileCapacity[], calibration: Calibration, multiRegion: MultiRegionCosts,
  withProcessor: { cost: Cost; footprint: ProcessorFootprint }, withEvents: Cost): string {
  const production = costs[costs.length - 1];
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node.js ${process.version}, ${process.platform}`;
  const lines = [
    '# Benchmarks',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}, by \`npx projen bench\` (${minutes.toFixed(1)} minutes).`,
    'Every number below comes from that one run; rerun the command to repeat them.',
    '',
    table,
    '',
    '## How each number is made',
    '',
    '- **Handler.** Every handler is bundled the same way: esbuild, an ES module (`index.mjs`, as the Lambda',
    '  runtime imports it) built from the packages\' ES module builds, minified, AWS SDK inside. The minimal',
    '  floor, `bench/floor-handler.ts`, does one conditional DynamoDB write with the SDK v3 and no Powertools;',
    '  the idempotent floor, `bench/idempotent-floor-handler.ts`, is the smallest handler that keeps the',
    '  contract\'s exactly-once rule: one conditional claim of the idempotency key, one conditional ledger write.',
    '  Cold init is the time a fresh Node.js process takes to `import()` the',
    '  bundle, which runs its module-level set-up. Each round starts one process per bundle, in an order',
    '  that rotates from round to round. Wall times on a shared virtual machine drift in phases of a few',
    '  seconds, so the target is judged on the median of the per-round ratios, which cancels that drift;',
    '  the A/A control (the floor against a byte-identical copy of itself) shows how far apart two equal',
    '  bundles measure by either estimator.',
    '- **Warm POST /payments.** The bundled handlers run in one process and get API Gateway proxy events,',
    '  at a fixed concurrency, against DynamoDB on a moto_server on 127.0.0.1. Rounds of the payment',
    '  handler, the idempotent floor, the minimal floor and the replay path alternate after a warm-up round;',
    '  the payment handler and the idempotent floor take turns to go first, with the minimal floor between them.',
    '  DynamoDB calls are counted on the wire; CPU is that of the handler process and of moto_server per request.',
    '  As with cold init, the targets are judged on the median of the per-round ratios to the idempotent',
    '  floor, each with its 90% interval: a ratio of two medians keeps whatever phase of the machine one',
    '  handler\'s rounds happened to meet.',
    '- **Warm POST /payments with a processor.** The handler with the processor step',
    '  (`processor-payment-handler.lambda`) and the processor floor, `bench/processor-floor-handler.ts` (the least the',
    '  contract allows: a conditional claim of the client\'s key that keeps the fingerprint, the request, a lease',
    '  and the pending index\'s keys, the ledger item written ahead as `pending`, one Lambda Invoke with the',
    '  payment\'s id as idempotency key abandoned at the processor timeout, then the outcome recorded: the ledger',
    '  item\'s conditional update from `pending`, and the claim put again whole with the answer; DynamoDB calls with a',
    '  request timeout), each call the simulated processor, answering at once, behind a',
    '  loopback Lambda Invoke server in a process of its own (`bench/processor-stand-in.ts`), so that neither',
    `  handler's CPU includes it. ${SETTINGS.processorRounds} rounds, each driving the two in alternating blocks of ${BLOCK} requests (each goes`,
    '  first in half of them), so that both meet the same moments of a machine whose CPU per request moves by tens of',
    '  percent within a second; targets on the median of per-round ratios.',
    '- **Local server.** `bench/local-server.ts`: the bundled CLI as users run it, in a process of its own, from',
    '  its start to its first answer, five times; then warm `POST /payments` over HTTP with keep-alive against',
    '  the same runtime without the HTTP front (`bench/local-direct.ts`, a process of its own too: the same',
    '  embedded DynamoDB, simulated processor and handler bundle, called with the proxy events that the front',
    '  builds). Both write their logs to /dev/null. Rounds alternate which goes first; the target (the HTTP',
    '  front costs at most 10% of throughput) is judged on the median of per-round ratios.',
    '- **Request guard.** `parsePaymentRequest` (media type, idempotency key, the JSON reader, the card-data',
    '  guard over every string, every field rule), the reader alone and the guard alone, in this process, on',
    '  three bodies: a typical payment, 16 KiB of ordinary text, and the guard\'s worst case (a 16 KiB run of',
    '  single digits between separators, where every separator ends a group to check). The floor is',
    '  `JSON.parse` of the same bytes, which checks none of the contract\'s JSON rules.',
    '- **Card-data guard, version 3 against version 2.** The guard of contract version 3 and version 2\'s',
    '  (`bench/card-guard-v2.ts`, kept as it was) read the same strings, as the JSON reader hands them over,',
    '  after both have been warmed up on every body; rounds alternate which goes first, and the ratio is the',
    '  median of the per-round ratios. The bodies are the ones that make a guard work hardest: single digits or',
    '  digit pairs between separators (every separator ends a group and starts a walk back over 19 digits),',
    '  and text that keeps starting an IBAN or a UUID that is none. The target applies to single digits between',
    '  separators, the worst case that the benchmark has always timed, and to each guard\'s slowest body.',
    '- **Refusals of ordinary text.** `test/handlers/ordinary-text.ts` generates, from a fixed seed, ordinary',
    '  payment text by class (IMEIs, barcodes, timestamps, phone numbers, order and tracking numbers, dates,',
    '  IBANs, UUIDs and digests, amounts) plus the hand-written lines of `test/handlers/ordinary-payment-text.txt`;',
    '  every line is run through the guard. `test/handlers/ordinary-text.test.ts` holds the same counts.',
    '- **Synthesis.** From `new App()` to the end of `app.synth()` in a fresh process per synthesis, modules',
    '  already loaded. The floor, `bench/floor-platform.ts`, declares the same resources (same types and',
    '  counts, checked by `test/bench/floor-platform.test.ts`) with plain aws-cdk-lib L2 constructs: no',
    '  validation, aspects or acknowledgements.',
    '- **Cost.** `bench/cost.ts` reads the synthesized templates; prices are us-east-1 on-demand list prices in',
    `  \`bench/prices.ts\`, each with the page that publishes it, as written on ${PRICES_DATE} without access to those pages`,
    '  from the benchmark machine: check them there before relying on a total. The floor is the same system built with CDK defaults',
    '  (`floorPlatform(stack, profile, { cdkDefaults: true })`): a NAT gateway per Availability Zone, no',
    '  gateway endpoints, no S3 Bucket Key, and the audit writer writing one object per payment.',
    '',
    '## Where the time goes',
    '',
    ...coldExplanation(cold),
    '',
    ...warmExplanation(warm),
    '',
    ...guardExplanation(guard),
    '',
    '## What each profile carries in AWS',
    '',
    '`bench/capacity.ts` simulates, second by second, load shapes against the limits that each profile\'s synthesized',
    'template sets: the usage plan\'s and the stage\'s token buckets, the account\'s API Gateway quota, Lambda\'s',
    'concurrency scaling, and each table\'s capacity (provisioned units with burst credit and target-tracking auto',
    'scaling, or on-demand throughput with its initial and previous-peak rules). Per payment, calibrated from this run:',
    `${formatNumber(calibration.handlerSeconds * 1000)} ms of an execution environment (the billed duration below), a ${calibration.ledgerItemBytes}-byte ledger item and a ${calibration.idempotencyItemBytes}-byte`,
    'idempotency record (one write unit each). One client, no other API in the account, the default Lambda',
    'concurrency of 1,000. `npx projen bench:capacity profile.json` runs it for any profile',
    '(`{"base": "production", "overrides": {...}}`), with these figures from `bench/calibration.json`.',
    '',
    ...capacityTable(capacities),
    '',
    ...capacities.map((capacity) => `- ${capacity.profile}: a step from idle to a tenth of its rate limit is ${capacity.absorbsTenthStep ? 'absorbed' : 'not absorbed'} (under 1% throttled in its first five minutes).`),
    '',
    'What the model follows, with its sources:',
    '',
    ...capacitySources(),
    '',
    '## Where the money goes',
    '',
    `What one payment does, as measured above: a ledger item of ${footprint.ledgerItemBytes} bytes and an idempotency record of`,
    `${footprint.idempotencyItemBytes} bytes (one write unit each), ${Math.round(footprint.logBytes)} bytes of logs and metrics, ${Math.round(footprint.dynamodbBytes)} bytes to and from`,
    `DynamoDB, and a ${footprint.auditLineBytes}-byte audit line. The handler creates ${footprint.customMetrics} custom metrics in normal operation`,
    '(`PaymentsRefused` adds one per error code that occurs).',
    '',
    'Assumptions where neither the template nor the benchmark can tell:',
    '',
    `- a payment is billed the handler's CPU time measured above (${formatNumber(footprint.handlerCpuMs, 2)} ms of a full core; a function has one vCPU at`,
    `  ${ASSUMPTIONS.lambdaMbPerVcpu} MB and proportionally less below) plus ${ASSUMPTIONS.dynamodbRoundTripMs} ms per DynamoDB call: ${costs[0].ours.paymentBilledMs} ms at the`,
    `  handler's memory size; an audit batch is billed ${ASSUMPTIONS.auditWriterBilledMs} ms of the audit writer;`,
    `- DynamoDB stores ${ASSUMPTIONS.dynamodbItemOverheadBytes} bytes per item besides the data; storage is counted for the month a payment is made;`,
    '- no free tier, and costs that depend on volumes no benchmark sees (VPC flow logs, AWS Backup storage, data',
    '  transfer out, GET requests) are left out.',
    '',
    ...costs.flatMap(({ name, ours, defaults }) => [
      `### ${name}`,
      '',
      '| item | payment platform: quantity | cost | CDK defaults: quantity | cost |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...costRows(ours, defaults),
      '',
    ]),
    ...multiRegion.flatMap(({ label, cost }) => [
      `### ${label} (\`MultiRegionPaymentPlatform\`, see docs/multi-region.md)`,
      '',
      'Payments spread over the Regions; each is served and audited once, and its table writes and storage are paid in',
      'every replica Region. Health checks and DNS validation come with the one custom domain.',
      '',
      '| item | quantity | cost |',
      '| --- | ---: | ---: |',
      ...(['fixed', 'perMillion'] as const).flatMap((part) => [
        ...cost[part].map((line) => `| ${line.item} (${part === 'fixed' ? 'per month' : 'per million payments'}) | ${formatNumber(line.quantity, 2)} | ${formatDollars(line.usd)} |`),
        `| **total ${part === 'fixed' ? 'per month' : 'per million payments'}** | | **${formatDollars(part === 'fixed' ? cost.fixedUsd : cost.perMillionUsd)}** |`,
      ]),
      '',
    ]),
    '### production with a processor',
    '',
    `With a processor, a payment writes the ledger ${formatNumber(withProcessor.footprint.ledgerWrites, 2)} times (written ahead as \`pending\`, then its outcome: two`,
    `changes, two audit objects) and the idempotency table ${formatNumber(withProcessor.footprint.idempotencyWrites, 2)} times (the claim, then the final answer),`,
    'whose index of pending payments it enters and leaves once each (counted on the ledger\'s stream and on the wire in the',
    `run above); the handler waits for the processor, assumed to answer in ${ASSUMPTIONS.processorAnswerMs} ms, and is billed for it; the call`,
    `carries ${formatNumber(withProcessor.footprint.processorBytes)} bytes through the Lambda interface endpoint. The completer runs every minute whatever the`,
    `traffic (assumed ${ASSUMPTIONS.completerRunBilledMs} ms a run when nothing is due). The processor's own function is the team's and its`,
    'duration is not counted here.',
    '',
    '| item | with a processor: quantity | cost | without one: quantity | cost |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...costRows(withProcessor.cost, production.ours),
    '',
    '### production with payment events',
    '',
    'With payment events on (`events: {}`), each payment\'s one change to a final status passes the pipe\'s filters; every',
    'other change (a `pending` write, a later edit, an expiry) is dropped before billing. The change is one pipe request, one',
    `run of the Express workflow (${ASSUMPTIONS.paymentEventsPerRun} event a run: at low traffic each change is a batch of its own; a busy pipe puts up to 10`,
    `a run), billed ${ASSUMPTIONS.eventsRunBilledMs} ms at 64 MB, one custom event under 64 KB, and the run's log lines (about ${formatNumber(ASSUMPTIONS.eventsRunLogBytes)} bytes`,
    'at level ALL without execution data). The bus uses the platform\'s key, so no key is added.',
    '',
    '| item | with events: quantity | cost | without them: quantity | cost |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...costRows(withEvents, production.ours),
    '',
    `Prices (${PRICES_REGION}, table of ${PRICES_DATE}):`,
    '',
    '| price | per | source |',
    '| ---: | --- | --- |',
    ...Object.values(PRICES).map((price) => `| ${price.usd < 0.01 ? `$${price.usd.toPrecision(3)}` : formatDollars(price.usd)} | ${price.per} | ${price.source} |`),
    '',
  ];
  return lines.join('\n');
}

/** Side by side: every line of either bill, fixed first. */
function costRows(ours: Cost, defaults: Cost): string[] {
  const rows: string[] = [];
  for (const [part, label] of [['fixed', 'per month'], ['perMillion', 'per million payments']] as const) {
    const items = [...new Set([...ours[part], ...defaults[part]].map((line) => line.item))];
    for (const item of items) {
      const mine = ours[part].find((line) => line.item === item);
      const theirs = defaults[part].find((line) => line.item === item);
      const cells = (costLine?: CostLine) => (costLine ? `${formatNumber(costLine.quantity, 2)} | ${formatDollars(costLine.usd)}` : '– | –');
      rows.push(`| ${item} (${label}) | ${cells(mine)} | ${cells(theirs)} |`);
    }
    const total = part === 'fixed' ? [ours.fixedUsd, defaults.fixedUsd] : [ours.perMillionUsd, defaults.perMillionUsd];
    rows.push(`| **total ${label}** | | **${formatDollars(total[0])}** | | **${formatDollars(total[1])}** |`);
  }
  return rows;
}

function coldExplanation(cold: Cold): string[] {
  const extraBytes = cold.payment.bytes - cold.floor.bytes;
  return [
    `Cold start: the payment bundle is ${formatNumber(extraBytes)} bytes (${((extraBytes / cold.floor.bytes) * 100).toFixed(0)}%) larger than the floor's, for Powertools`,
    'Metrics and Logger, request validation, the card-number guard, the currency list and the',
    `idempotency store; its set-up takes ${formatNumber(cold.payment.medianMs - cold.floor.medianMs)} ms more at the median. Of that, ${formatNumber(cold.stdoutMs)} ms (the median time a fresh`,
    'process takes to create `process.stdout`, measured in the same run) is Powertools Metrics opening a',
    'Console on stdout at set-up, which the floor, logging nothing, never does. The Logger is set up only on the',
    'first unexpected failure, since a request that succeeds or is refused writes only its metrics line.',
    'Everything else the handler needs (the SDK client, its configuration) the floor needs too.',
    `The rest, ${formatNumber(Math.max(0, cold.payment.medianMs - cold.floor.medianMs - cold.stdoutMs))} ms, is parsing the larger bundle and setting up Metrics. Creating stdout cannot be`,
    'avoided by a handler that emits metrics in embedded metric format: Powertools writes them through a',
    'Console of its own on stdout, not through the global console, which the Lambda runtime patches.',
    ...(cold.payment.paired.interval[0] <= 1.1 && cold.payment.paired.interval[1] > 1.1
      ? ['The 90% interval of the ratio reaches past 1.10: on this machine a run can land on either side of the',
        'target, which the handler meets by a few milliseconds at best.']
      : []),
  ];
}

/** The time of each guard on the body that takes it longest. */
function slowestBodies(guard: GuardMeasurement): { v3Us: number; v2Us: number } {
  return { v3Us: Math.max(...guard.versions.map(({ v3Us }) => v3Us)), v2Us: Math.max(...guard.versions.map(({ v2Us }) => v2Us)) };
}

function guardExplanation(guard: GuardMeasurement): string[] {
  const lines = [
    '## What the card-data guard refuses',
    '',
    `${guard.corpusRefused.length} of the ${formatNumber(guard.corpusLines)} lines of the seeded corpus of ordinary payment text`,
    `(${((guard.corpusRefused.length / guard.corpusLines) * 100).toFixed(2)}%) are refused. Contract version 3 counts a run of whole digit groups as a card`,
    'number only where it passes the Luhn check, starts with the leading digits of a row of its table and has one',
    'of that row\'s lengths. Text whose digits can form such a run by chance (14 or more digits in whole groups,',
    'starting with any digits) is ambiguous by that rule; every other class is accepted line by line.',
    '',
    '| class | lines | refused | why the contract may refuse a line of it |',
    '| --- | ---: | ---: | --- |',
    ...guard.corpusClasses.map(({ name, lines: count, refused, ambiguous }) => `| ${name} | ${formatNumber(count)} | ${refused.length} | ${ambiguous ?? 'it may not'} |`),
  ];
  const slower = guard.versions.filter(({ ratio }) => ratio.median > 1.1);
  const { v3Us: slowestV3, v2Us: slowestV2 } = slowestBodies(guard);
  const time = slower.length === 0 ? [] : [
    '',
    `Version 3 takes more than 1.1× version 2's time on ${slower.map(({ name, ratio, v3Us }) => `${name} (${ratio.median.toFixed(2)}×, ${formatNumber(v3Us, 1)} µs)`).join('; ')}.`,
    `Its slowest body takes ${formatNumber(slowestV3, 1)} µs, version 2's ${formatNumber(slowestV2, 1)} µs${slowestV3 <= slowestV2
      ? ': of these bodies, none makes version 3 spend more than version 2 could be made to spend.'
      : `: ${(slowestV3 / slowestV2).toFixed(2)}× as long.`}`,
    'Text that starts UUIDs costs the dash checks that version 2 did not make.',
  ];
  if (guard.corpusRefused.length === 0) {
    return [...lines, ...time];
  }
  return [...lines, ...time, '', 'Each refused line:', '', ...guard.corpusRefused.map((line) => `- \`${line}\``)];
}

function warmExplanation(warm: Warm): string[] {
  const total = (byOperation: Record<string, number>) => Object.values(byOperation).reduce((a, b) => a + b, 0);
  const idem = warm.idempotentFloor;
  const perCall = (cpu: number, n: number) => formatNumber(cpu / n, 2);
  const busy = (load: { motoCpuMs: number; requestsPerSecond: number }) => ((load.motoCpuMs * load.requestsPerSecond) / 10).toFixed(0);
  return [
    `Against moto_server the payment handler serves ${formatPairedRatio(warm.againstIdempotentFloor.requestsPerSecond, '×')} the requests per second of the idempotent floor,`,
    `with ${formatNumber(total(warm.payment.dynamodbCalls), 2)} DynamoDB calls per payment against its ${formatNumber(total(idem.dynamodbCalls), 2)}: both make the two writes that exactly-once needs. The`,
    `handler process spends ${formatNumber(warm.payment.handlerCpuMs, 2)} ms of CPU per payment against the floor's ${formatNumber(idem.handlerCpuMs, 2)} ms; the difference is what the`,
    'contract asks beyond the two writes: validation of every field, the card-data guard, the canonical request hash',
    'that a replay is compared with, the stored response, and Powertools metrics (the process\'s CPU includes the load',
    `generator's, alike for both). moto_server, one Python process, is the bottleneck: it was busy ${busy(warm.payment)}% of one core in the`,
    `payment rounds and ${busy(idem)}% in the idempotent floor's, at ${perCall(warm.payment.motoCpuMs, total(warm.payment.dynamodbCalls))} and ${perCall(idem.motoCpuMs, total(idem.dynamodbCalls))} ms per call.`,
    '',
    `For reference, the minimal floor (one write, not idempotent) serves ${formatNumber(warm.floor.requestsPerSecond)} requests per second: the second write is the price of`,
    'exactly-once. Exactly one payment per client and key, under any number of concurrent requests, needs a conditional',
    'write on a key derived from the idempotency key (the idempotency record), and the ledger is keyed by',
    '`transaction_id` and `timestamp`, which a retry cannot derive; so the record is claimed first and the ledger item',
    'written second. Putting both into one `TransactWriteItems` call would save a round trip but double the write',
    'units (transactional writes cost two each). With real DynamoDB (single-digit-millisecond writes) Lambda scales',
    'out by concurrency, so this shows as latency (about one more write\'s worth per payment), not as a ceiling.',
    '',
    `A replay costs ${formatNumber(total(warm.replay.dynamodbCalls), 2)} calls: the claim that finds the record, and a consistent read that proves the`,
    'ledger item exists before the stored response is sent again.',
  ];
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
