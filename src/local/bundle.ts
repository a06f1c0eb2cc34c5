/**
 * Bundles the local server (src/local/cli.ts) into assets/local/cli/index.mjs: one ES module with
 * everything it needs but the handler bundles, which it loads from assets/handlers/ as Lambda would.
 * Run by the `bundle:local` task.
 *
 * - dynalite's LevelDB (`level`, a native addon) is replaced by the journal of
 *   `journaled-level.ts`, so that the package brings no native code.
 * - dynalite loads its actions and validations by name (`require('./actions/' + action)`); esbuild
 *   bundles every file such a pattern can reach, keyed by its file name, so the `.js` is added.
 * - dynalite's copies of an item's maps have no prototype, so that a map key may be `__proto__`.
 * - The CommonJS modules inside (dynalite's) get a `require` for Node.js's own modules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, Plugin } from 'esbuild';

const ROOT = join(__dirname, '..', '..');

const dynaliteByFileName: Plugin = {
  name: 'dynalite-by-file-name',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]dynalite[\\/]index\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      let contents = source;
      for (const folder of ['actions', 'validations']) {
        const pattern = `require('./${folder}/' + action)`;
        if (!contents.includes(pattern)) {
          throw new Error(`${path} no longer loads its ${folder} with ${pattern}; see src/local/bundle.ts.`);
        }
        contents = contents.replace(pattern, `require('./${folder}/' + action + '.js')`);
      }
      return { contents, loader: 'js' };
    });
    // dynalite copies each map of an item into a `{}` key by key, so that a map key `__proto__` (a
    // metadata key, say) replaces the copy's prototype and the item is refused; DynamoDB stores it.
    builder.onLoad({ filter: /[\\/]dynalite[\\/]validations[\\/]index\.js$/ }, ({ path }) => {
      const copy = '        newVal[key] = checkType(val[key], children)\n        return newVal\n      }, {})';
      const parts = readFileSync(path, 'utf8').split(copy);
      if (parts.length !== 3) {
        throw new Error(`${path} no longer copies its two kinds of map as src/local/bundle.ts expects.`);
      }
      return { contents: parts.join(copy.replace('}, {})', '}, Object.create(null))')), loader: 'js' };
    });
  },
};

build({
  entryPoints: [join(ROOT, 'src', 'local', 'cli.ts')],
  outfile: join(ROOT, 'assets', 'local', 'cli', 'index.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  mainFields: ['module', 'main'],
  minify: true,
  logLevel: 'warning',
  alias: { level: join(ROOT, 'src', 'local', 'journaled-level.ts') },
  tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: true } },
  banner: { js: '#!/usr/bin/env node\nimport { createRequire as localRequire } from "node:module"; const require = localRequire(import.meta.url);' },
  plugins: [dynaliteByFileName],
}).catch(() => process.exit(1));
