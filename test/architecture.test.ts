import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '..');
const SRC = join(ROOT, 'src');

/** Every TypeScript file under `dir`, relative to the repository root. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return sourceFiles(path);
    }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative(ROOT, path)] : [];
  });
}

/** The project files that `file` imports or re-exports, type-only imports included. */
function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+'([^']+)'/g)].map((match) => match[1]);
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)))
    .map((path) => (path.endsWith('.ts') ? path : `${path}.ts`));
}

/** The cycles of a graph of imports, each as the files around it (Tarjan's strongly connected components). */
function importCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indexes = new Map<string, number>();
  const lowest = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    indexes.set(node, index);
    lowest.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexes.has(next)) {
        visit(next);
        lowest.set(node, Math.min(lowest.get(node)!, lowest.get(next)!));
      } else if (onStack.has(next)) {
        lowest.set(node, Math.min(lowest.get(node)!, indexes.get(next)!));
      }
    }
    if (lowest.get(node) === indexes.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) {
        cycles.push(component.sort());
      }
    }
  };
  for (const node of graph.keys()) {
    if (!indexes.has(node)) {
      visit(node);
    }
  }
  return cycles;
}

const files = sourceFiles(SRC);
const texts = new Map(files.map((file) => [file, readFileSync(join(ROOT, file), 'utf8')]));
const graph = new Map(files.map((file) => [file, importsOf(file, texts.get(file)!)]));

describe('the shape of src/', () => {
  test('the import finder sees every kind of import, and the cycle finder finds a cycle where there is one', () => {
    expect(importsOf('src/private/x.ts', "import type { A } from '../a';\nimport { B,\n  C } from './b';\nexport * from './c';\nimport 'aws-cdk-lib';"))
      .toEqual(['src/a.ts', 'src/private/b.ts', 'src/private/c.ts']);
    expect(importCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(importCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  test('no module imports itself through others', () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(importCycles(graph)).toEqual([]);
  });

  test('private helpers import no public construct: only the profile\'s types and values', () => {
    // A public module that uses the constructs library defines a construct (or an aspect over them).
    const constructModules = files.filter((file) => dirname(file) === 'src' && /from 'constructs'/.test(texts.get(file)!));
    expect(constructModules).toEqual(expect.arrayContaining(['src/payment-api.ts', 'src/audit-bucket.ts', 'src/mandatory-tags.ts']));
    const upward = files
      .filter((file) => file.startsWith('src/private/'))
      .flatMap((file) => graph.get(file)!.filter((target) => constructModules.includes(target)).map((target) => `${file} -> ${target}`));
    expect(upward).toEqual([]);
  });
});

/** Constructors longer than `limit` lines, and functions of the benchmarks' hand-written floor platform. */
function longBuilders(file: string, text: string, limit: number): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const isFloor = file === 'bench/floor-platform.ts';
  const visit = (node: ts.Node) => {
    const builder = ts.isConstructorDeclaration(node) || (isFloor && ts.isFunctionDeclaration(node));
    if (builder && (node as ts.FunctionLikeDeclaration).body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = ts.isConstructorDeclaration(node) ? `constructor of ${(node.parent as ts.ClassDeclaration).name?.text}` : (node as ts.FunctionDeclaration).name?.text;
      if (last - first + 1 > limit) {
        found.push(`${file}: ${name}, ${last - first + 1} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('no constructor in src/ or bench/, nor a part of the floor platform, is longer than 80 lines: each hands its parts to others', () => {
  expect(longBuilders('x.ts', `class Long {\n  constructor() {\n${'    call();\n'.repeat(80)}  }\n}`, 80)).toEqual(['x.ts: constructor of Long, 82 lines']);
  const builders = [...sourceFiles(SRC), ...sourceFiles(join(ROOT, 'bench'))];
  expect(builders.flatMap((file) => longBuilders(file, readFileSync(join(ROOT, file), 'utf8'), 80))).toEqual([]);
});
