import { reportLines, tally } from './report';

const mutant = (id: string, status: string, line = 1, extra: Record<string, unknown> = {}) =>
  ({ id, mutatorName: 'ConditionalExpression', replacement: 'true', location: { start: { line, column: 1 } }, status, ...extra }) as never;

test('the score counts killed and timed-out mutants against all valid ones, leaving equivalent ones and errors out', () => {
  const counts = tally([
    mutant('1', 'Killed'), mutant('2', 'Timeout'), mutant('3', 'Survived'), mutant('4', 'NoCoverage'),
    mutant('5', 'Ignored'), mutant('6', 'CompileError'), mutant('7', 'Killed'), mutant('8', 'Killed'),
  ]);
  expect(counts).toEqual({ detected: 4, survived: 1, noCoverage: 1, ignored: 1, errors: 1, score: (4 / 6) * 100 });
  expect(tally([]).score).toBe(100);
});

test('the report lists every survivor and every equivalent mutant with its reason', () => {
  const lines = reportLines({
    files: {
      'src/handlers/a.ts': {
        source: 'const a = 1;\nif (x > 0) {\n',
        mutants: [mutant('1', 'Killed', 1), mutant('2', 'Survived', 2), mutant('3', 'Ignored', 2, { statusReason: 'x is never negative' })],
      },
    },
  }, { command: 'npx projen test:mutation:full', date: '2026-12-02', commit: 'abc1234', minutes: '41' });
  const text = lines.join('\n');
  expect(text).toContain('Full run of 2026-12-02 on commit abc1234, 41 minutes on this repository\'s 2-core machine: `npx projen test:mutation:full`.');
  expect(text).toContain('**Mutation score: 50.00%** (1 of 2 mutants detected; 1 equivalent mutants excluded, listed below).');
  expect(text).toContain('| a.ts | 50.00% | 1 | 1 | 0 | 1 | 0 |');
  expect(text).toContain('| src/handlers/a.ts:2 | ConditionalExpression | `if (x > 0) {` | `true` |');
  expect(text).toContain('| src/handlers/a.ts:2 | ConditionalExpression | `if (x > 0) {` | x is never negative |');
  expect(text).toContain('| where | mutator | line | becomes |\n| --- | --- | --- | --- |\n| src/handlers/a.ts:2 |');
});

test('a run without survivors or equivalent mutants says None under each heading', () => {
  const lines = reportLines({ files: { 'src/handlers/a.ts': { source: 'a\n', mutants: [mutant('1', 'Killed', 1)] } } },
    { command: 'c', date: 'd', commit: 'e', minutes: '1' });
  expect(lines.join('\n')).toMatch(/### Surviving mutants\n\nNone\.\n\n### Equivalent mutants\n[\s\S]*\nNone\.$/);
});
