import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The examples of the README, of docs/ and of CONTRIBUTING.md are checked in every language.
 * TypeScript blocks are compiled and translated by `jsii-rosetta extract --strict` in the build
 * (fixtures in `rosetta/`): the README's by `rosetta:extract`, the other documents' by `rosetta:docs`
 * (`rosetta/docs.sh`); either fails on an example that does not compile or cannot be translated. The
 * hand-written blocks of other languages are held here to code that runs: each statement of a
 * Python, Java or Go block must appear in that language's binding smoke app, which `test:bindings`
 * builds and runs against the packaged library (or in `examples/`, which test/examples runs); each
 * C# statement must appear in rosetta's C# translations, since this machine has no .NET SDK to build
 * a C# app.
 */
const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Block { readonly file: string; readonly language: string; readonly line: number; readonly code: string }

/** The markdown documents that may hold examples: the README, docs/ and CONTRIBUTING.md. */
const DOCUMENTS = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`), 'CONTRIBUTING.md'];

function markdownBlocks(file: string, markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)/.exec(lines[i]);
    if (!open) {
      continue;
    }
    const end = lines.indexOf('```', i + 1);
    blocks.push({ file, language: open[1], line: i + 1, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

/** A block's statements: lines, with a line that leaves a bracket open joined to the next ones. */
function statements(code: string): string[] {
  const result: string[] = [];
  let current = '';
  for (const line of code.split('\n')) {
    const text = line.replace(/(^|\s+)(#|\/\/) .*$/, '');
    current += text + '\n';
    const depth = [...current].reduce((d, c) => d + ('([{'.includes(c) ? 1 : ')]}'.includes(c) ? -1 : 0), 0);
    if (depth <= 0) {
      if (current.trim()) {
        result.push(current.trim());
      }
      current = '';
    }
  }
  return result;
}

/** Whitespace and trailing commas are layout in these languages' examples, so the match leaves them out. */
const squeeze = (text: string) => text.replace(/\s+/g, '').replace(/,([}\])])/g, '$1');

/** Go's single import is written grouped in a program with several. */
const normalise = (language: string, statement: string) =>
  language === 'go' ? statement.replace(/^import\s+("[^"]+")$/, '$1') : statement;

/** Rosetta's tablets: the README's, and that of docs/ and CONTRIBUTING.md. */
const TABLETS = [
  { path: '.jsii.tabl.json', task: 'rosetta:extract' },
  { path: '.rosetta-docs/.jsii.tabl.json', task: 'rosetta:docs' },
];

function rosettaTranslations(language: string): string {
  return TABLETS.map(({ path, task }) => {
    const tablet = join(root, path);
    if (!existsSync(tablet)) {
      throw new Error(`${path} is missing: run \`npx projen compile\` (its post-compile step runs ${task}).`);
    }
    const snippets = JSON.parse(readFileSync(tablet, 'utf8')).snippets as Record<string, { translations: Record<string, { source: string }> }>;
    return Object.values(snippets).map((snippet) => snippet.translations[language]?.source ?? '').join('\n');
  }).join('\n');
}

const SOURCES: Record<string, () => string> = {
  python: () => read('test/bindings/python/app.py') + read('examples/create_payment.py'),
  java: () => read('test/bindings/java/src/main/java/smoke/SmokeApp.java'),
  go: () => read('test/bindings/go/main.go'),
  csharp: () => rosettaTranslations('csharp'),
  js: () => read('examples/create-payment.ts'),
};

/** The statements of `block` that its language's checked code does not hold. */
function unbacked(block: Block): string[] {
  const source = squeeze(SOURCES[block.language]());
  return statements(block.code).filter((statement) => !source.includes(squeeze(normalise(block.language, statement))));
}

const blocks = DOCUMENTS.filter((file) => existsSync(join(root, file))).flatMap((file) => markdownBlocks(file, read(file)));

test.each(Object.keys(SOURCES))('the documents have %s examples', (language) => {
  expect(blocks.filter((block) => block.language === language).length).toBeGreaterThan(0);
});

test.each(blocks.filter((block) => block.language in SOURCES).map((block) => [`${block.language} at ${block.file} line ${block.line}`, block]))(
  'every statement of the %s is in code that runs', (_, block) => {
    expect(unbacked(block as Block)).toEqual([]);
  });

test('a statement that no checked code holds is reported', () => {
  expect(unbacked({ file: 'README.md', language: 'python', line: 0, code: 'custom = Profiles.derive(Profiles.production, region="eu-west-2")' }))
    .toEqual(['custom = Profiles.derive(Profiles.production, region="eu-west-2")']);
  expect(statements('a = f(1,\n  2)\nb = 3  # why\n\nc = 4')).toEqual(['a = f(1,\n  2)', 'b = 3', 'c = 4']);
});
