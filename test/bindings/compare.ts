// Compares each binding's synthesized stacks with the TypeScript ones: `compare.ts <outdir> <language>...`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareTemplates, resourceCounts, Template } from './compare-templates';

const [outdir, ...languages] = process.argv.slice(2);
const STACKS = ['Payments', 'Custom'];
const read = (language: string, stack: string): Template =>
  JSON.parse(readFileSync(join(outdir, language, `${stack}.template.json`), 'utf8'));

let failed = 0;
let passed = 0;
for (const language of languages) {
  for (const stack of STACKS) {
    const reference = read('typescript', stack);
    const differences = compareTemplates(reference, read(language, stack));
    const resources = Object.values(resourceCounts(reference)).reduce((a, b) => a + b, 0);
    if (differences.length === 0) {
      passed++;
      console.log(`${language} ${stack}: same as TypeScript (${resources} resources)`);
    } else {
      failed++;
      console.log(`${language} ${stack}: ${differences.length} differences from TypeScript`);
      for (const difference of differences) {
        console.log(`  - ${difference}`);
      }
    }
  }
}
console.log(`bindings comparison: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
