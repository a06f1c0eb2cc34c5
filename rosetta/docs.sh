#!/usr/bin/env bash
# The TypeScript examples of docs/ and CONTRIBUTING.md compile and translate like the README's.
#
# jsii-rosetta reads the examples of an assembly's readme only, so this builds a throwaway package in
# .rosetta-docs/: the assembly with those documents as its readme, the compiled library (`lib`), the
# fixtures of rosetta/, and a node_modules in which `@org/payment-platform` is this repository. Its
# strict extract fails on an example that does not compile or cannot be translated, and writes the
# translations to .rosetta-docs/.jsii.tabl.json, where test/readme.test.ts reads the C# ones.
set -euo pipefail
cd "$(dirname "$0")/.."

out=.rosetta-docs
rm -rf "$out"
mkdir -p "$out/node_modules/@org"

docs=()
for file in docs/*.md CONTRIBUTING.md; do
  if [ -f "$file" ] && grep -q '^```ts' "$file"; then
    docs+=("$file")
  fi
done
if [ ${#docs[@]} -eq 0 ]; then
  echo "No document outside the README has a TypeScript example."
  exit 0
fi

# One readme of every document, each starting on a line that the map below names, so that an
# error's line in the readme can be traced back to its document.
node - "$out" "${docs[@]}" <<'EOF'
const { readFileSync, writeFileSync } = require('node:fs');
const [out, ...docs] = process.argv.slice(2);
const assembly = JSON.parse(readFileSync('.jsii', 'utf8'));
delete assembly.fingerprint;
let markdown = '';
for (const file of docs) {
  const start = markdown.split('\n').length;
  console.log(`${file} starts at line ${start} of the readme`);
  markdown += readFileSync(file, 'utf8').replace(/\n*$/, '\n\n');
}
assembly.readme = { markdown };
writeFileSync(`${out}/.jsii`, JSON.stringify(assembly, undefined, 2));
EOF

cp package.json "$out/package.json"
ln -s ../lib "$out/lib"
ln -s ../rosetta "$out/rosetta"
for entry in node_modules/* node_modules/.bin; do
  ln -s "../../$entry" "$out/node_modules/$(basename "$entry")"
done
ln -s ../../.. "$out/node_modules/@org/payment-platform"

cd "$out"
JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=1 npx jsii-rosetta extract --strict .jsii
