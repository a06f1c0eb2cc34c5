// Prints one table of every scanner over every environment and exits non-zero on any
// unacknowledged failure: `report.ts <outdir>`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Row {
  readonly tool: string;
  readonly env: string;
  readonly run: number;
  readonly passed: number;
  readonly acknowledged: number;
  readonly failed: number;
  readonly failures: string[];
}

const outdir = process.argv[2];
// Written by synth.ts: the stock environments, then each stack of the multi-Region platform.
const envs = readFileSync(join(outdir, 'envs.txt'), 'utf8').split('\n').filter((env) => env !== '');
const readJson = (file: string) => JSON.parse(readFileSync(join(outdir, file), 'utf8'));

const rows: Row[] = [...readJson('cdk-nag.json')];

const ruleCount = Number(readFileSync(join(outdir, 'cfn-lint-rules.txt'), 'utf8').trim());
for (const env of envs) {
  type Match = { Rule: { Id: string }; Location: { Path: string[] }; Message: string };
  const raw: Match[] = readJson(`cfn-lint-${env}-all.json`);
  const failed: Match[] = readJson(`cfn-lint-${env}.json`);
  const matchedRules = new Set(raw.map((m) => m.Rule.Id));
  rows.push({
    tool: 'cfn-lint',
    env,
    run: ruleCount,
    passed: ruleCount - matchedRules.size,
    acknowledged: raw.length - failed.length,
    failed: failed.length,
    failures: failed.map((m) => `${m.Rule.Id} at ${m.Location.Path.join('/')}: ${m.Message}`),
  });
}

/** The checks `.checkov.yaml` skips everywhere, each with its reason there. */
const checkovSkips = new Set([...readFileSync(join(__dirname, '..', '..', '.checkov.yaml'), 'utf8').matchAll(/^\s*-\s*(CKV_[A-Z0-9_]+)\s*$/gm)]
  .map((match) => match[1]));

for (const env of envs) {
  const file = `checkov-${env}.json`;
  if (!existsSync(join(outdir, file))) {
    throw new Error(`checkov wrote no report for ${env}`);
  }
  const report = readJson(file);
  const summary = report.summary as { passed: number; failed: number; skipped: number; parsing_errors: number };
  const allFailed = (report.results?.failed_checks ?? []) as Array<{ check_id: string; resource: string; check_name: string }>;
  const failedChecks = allFailed.filter((check) => !checkovSkips.has(check.check_id));
  rows.push({
    tool: 'checkov',
    env,
    run: summary.passed + summary.failed + summary.skipped,
    passed: summary.passed,
    acknowledged: summary.skipped + (allFailed.length - failedChecks.length),
    failed: failedChecks.length + summary.parsing_errors,
    failures: [
      ...failedChecks.map((c) => `${c.check_id} at ${c.resource}: ${c.check_name}`),
      ...(summary.parsing_errors > 0 ? [`${summary.parsing_errors} template(s) could not be parsed`] : []),
    ],
  });
}

console.log('| tool | environment | checks run | passed | acknowledged | failed |');
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  console.log(`| ${row.tool} | ${row.env} | ${row.run} | ${row.passed} | ${row.acknowledged} | ${row.failed} |`);
}
const failures = rows.flatMap((row) => row.failures.map((f) => `${row.tool} ${row.env}: ${f}`));
if (failures.length > 0) {
  console.log(`\nUnacknowledged failures (${failures.length}):`);
  for (const failure of failures.slice(0, 200)) {
    console.log(`  - ${failure}`);
  }
  process.exit(1);
}
console.log('\nNo unacknowledged failure in any environment.');
