// Mutation testing of the handler code with StrykerJS: `npx projen test:mutation` runs the mutants
// that changed since the state in test/mutation/ (incremental), `npx projen test:mutation:full`
// every mutant again. docs/quality.md says how to read the result.
import { resolve } from 'node:path';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  // Every handler source except the generated `*-function.ts` construct wrappers.
  mutate: ['src/handlers/**/*.ts', '!src/handlers/*-function.ts'],
  // Each mutant runs against the tests that reached its code in the first, unmutated run.
  coverageAnalysis: 'perTest',
  jest: {
    projectType: 'custom',
    configFile: 'package.json',
    config: {
      // The handler tests, the property-based ones included. The bundle test and the crash tests
      // load the built assets, not src/, so they cannot see a mutant. The exactly-once property
      // (a few hundred milliseconds per case against moto_server, and every processor module under
      // it) would add tens of seconds to each mutant it covers; the processor tests beside it are
      // the ones that kill, and the ordinary suite runs it in full.
      testMatch: ['<rootDir>/test/handlers/**/*.test.ts'],
      testPathIgnorePatterns: [
        '/node_modules/',
        '/test/handlers/bundle\\.test\\.ts$',
        '/test/handlers/crash-recovery\\.test\\.ts$',
        '/test/handlers/exactly-once\\.property\\.test\\.ts$',
      ],
      collectCoverage: false,
      reporters: ['default'],
      // Node.js, stopping at a mutant's first failing test (StrykerJS's jest runner cannot).
      testEnvironment: resolve('test/mutation/bail-environment.cjs'),
    },
    // Only the test files that import the mutated module, found by their literal `require` and
    // `import` paths (see `loadModule` in test/handlers/events.ts).
    enableFindRelatedTests: true,
  },
  incremental: true,
  incrementalFile: 'test/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: 90 },
  concurrency: 2,
  // The sandbox needs the sources, the handler tests and their set-up, and the configuration.
  ignorePatterns: ['/*', '!/src', '!/test', '/test/*', '!/test/handlers', '!/test/setup', '!/package.json', '!/tsconfig.dev.json', '!/tsconfig.json'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
