/**
 * Writes the result of a mutation run (StrykerJS's JSON report) into docs/quality.md, between its
 * markers: the score over all of src/handlers/, per file, every surviving mutant, and every
 * equivalent mutant with the reason written beside it in the source.
 *
 *   ts-node test/mutation/report.ts reports/mutation/mutation.json "<command that made it>" "<commit>" "<minutes>"
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Status = 'Killed' | 'Survived' | 'NoCoverage' | 'CompileError' | 'RuntimeError' | 'Timeout' | 'Ignored' | 'Pending';

interface Mutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
  readonly status: Status;
  readonly statusReason?: string;
}

interface Report {
  readonly files: Record<string, { readonly source: string; readonly mutants: readonly Mutant[] }>;
}

/** Counts of one file or of all, as StrykerJS counts them. */
export interface Tally {
  readonly detected: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly ignored: number;
  readonly errors: number;
  /** Detected of all valid mutants that are not ignored, in percent. */
  readonly score: number;
}

export function tally(mutants: readonly Mutant[]): Tally {
  const count = (...statuses: Status[]) => mutants.filter((mutant) => statuses.includes(mutant.status)).length;
  const detected = count('Killed', 'Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const valid = detected + survived + noCoverage;
  return {
    detected,
    survived,
    noCoverage,
    ignored: count('Ignored'),
    errors: count('CompileError', 'RuntimeError'),
    score: valid === 0 ? 100 : (detected / valid) * 100,
  };
}

const START = '<!-- mutation:start: written by `npx projen test:mutation:full` -->';
const END = '<!-- mutation:end -->';

/** Where and how a report was made. */
export interface RunInfo {
  readonly command: string;
  readonly date: string;
  readonly commit: string;
  readonly minutes: string;
}

/** A markdown table, or `None.` without rows. */
function table(header: readonly string[], rows: readonly string[][]): string[] {
  if (rows.length === 0) {
    return ['None.'];
  }
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)];
}

/** The report as markdown lines. */
export function reportLines(report: Report, run: RunInfo): string[] {
  const files = Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b));
  const all = tally(files.flatMap(([, file]) => file.mutants));
  const row = (name: string, t: Tally) =>
    `| ${name} | ${t.score.toFixed(2)}% | ${t.detected} | ${t.survived} | ${t.noCoverage} | ${t.ignored} | ${t.errors} |`;
  const lineOf = (file: { source: string }, mutant: Mutant) => file.source.split('\n')[mutant.location.start.line - 1]?.trim() ?? '';
  const listed = (status: Status) => files.flatMap(([name, file]) => file.mutants
    .filter((mutant) => mutant.status === status)
    .sort((a, b) => a.location.start.line - b.location.start.line)
    .map((mutant) => ({ name, file, mutant })));
  const survivors = [...listed('Survived'), ...listed('NoCoverage')];
  const equivalent = listed('Ignored');
  const code = (text: string) => `\`${text.replace(/`/g, '\'').replace(/\|/g, '\\|').slice(0, 120)}\``;
  return [
    `Full run of ${run.date} on commit ${run.commit}, ${run.minutes} minutes on this repository's 2-core machine: \`${run.command}\`.`,
    '',
    `**Mutation score: ${all.score.toFixed(2)}%** (${all.detected} of ${all.detected + all.survived + all.noCoverage} mutants detected; `
      + `${all.ignored} equivalent mutants excluded, listed below).`,
    '',
    '| file | score | detected | survived | no coverage | equivalent | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...files.map(([name, file]) => row(name.replace(/^src\/handlers\//, ''), tally(file.mutants))),
    row('**all of src/handlers/**', all),
    '',
    '### Surviving mutants',
    '',
    ...table(['where', 'mutator', 'line', 'becomes'], survivors.map(({ name, file, mutant }) => [
      `${name}:${mutant.location.start.line}`,
      `${mutant.mutatorName}${mutant.status === 'NoCoverage' ? ' (no test reaches it)' : ''}`,
      code(lineOf(file, mutant)),
      code(mutant.replacement ?? ''),
    ])),
    '',
    '### Equivalent mutants',
    '',
    'Each is disabled where it arises, with a `// Stryker disable next-line <mutator>: <reason>` comment that',
    'says why it cannot change what the handler does.',
    '',
    ...table(['where', 'mutator', 'line', 'why it changes nothing'], equivalent.map(({ name, file, mutant }) => [
      `${name}:${mutant.location.start.line}`,
      mutant.mutatorName,
      code(lineOf(file, mutant)),
      (mutant.statusReason ?? '').replace(/\|/g, '\\|'),
    ])),
  ];
}

function main(): void {
  const [reportFile, command, commit, minutes] = process.argv.slice(2);
  if (!reportFile || !command || !commit || !minutes) {
    throw new Error('usage: report.ts <mutation.json> "<command>" "<commit>" "<minutes>"');
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  const path = join(__dirname, '..', '..', 'docs', 'quality.md');
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`docs/quality.md has no mutation report between ${START} and ${END}`);
  }
  const lines = reportLines(report, { command, commit, minutes, date: new Date().toISOString().slice(0, 10) });
  writeFileSync(path, `${text.slice(0, start + START.length)}\n${lines.join('\n')}\n${text.slice(end)}`);
}

if (require.main === module) {
  main();
}
