#!/usr/bin/env bash
# Runs cfn-lint, checkov and five cdk-nag packs over the synthesized dev, staging and production
# templates and every stack of production as a multi-Region platform, prints one table and fails on any unacknowledged finding. Then proves the check can
# fail: a deliberately weakened copy of the stacks must not pass.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/test/compliance"
cd "$root"

# The scanners live in a venv of their own, at the versions in requirements.txt.
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || { echo "Cannot create a Python venv for the scanners (python3 -m venv failed)." >&2; exit 1; }
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" \
  || { echo "Cannot install the scanners from test/compliance/requirements.txt; no compliance result without them." >&2; exit 1; }
for tool in cfn-lint checkov; do
  [ -x "$venv/bin/$tool" ] || { echo "$tool is missing from $venv after installation." >&2; exit 1; }
done

scan() {
  local out="$1"; shift
  rm -rf "$out"
  mkdir -p "$out"
  npx ts-node --project tsconfig.dev.json --transpile-only "$here/synth.ts" "$out" "$@"
  "$venv/bin/cfn-lint" --list-rules | grep -cE '^[EWI][0-9]+' > "$out/cfn-lint-rules.txt"
  for env in $(cat "$out/envs.txt"); do
    local template="$out/Compliance-$env.template.json"
    # With the project's .cfnlintrc.yaml (acknowledged rules ignored), and without it, from another
    # directory, to count what was acknowledged.
    "$venv/bin/cfn-lint" --format json "$template" > "$out/cfn-lint-$env.json" || true
    (cd "$out" && "$venv/bin/cfn-lint" --format json "$template" > "$out/cfn-lint-$env-all.json") || true
    # Every check runs (from another directory, so that checkov does not pick up .checkov.yaml by
    # itself); report.ts counts the failures that .checkov.yaml skips as acknowledged. Nothing is
    # fetched from Prisma Cloud (--skip-download): only loopback traffic, and the same checks.
    (cd "$out" && "$venv/bin/checkov" --quiet --compact --skip-download --framework cloudformation \
      -o json -f "$template" > "$out/checkov-$env.json") || true
  done
  npx ts-node --project tsconfig.dev.json --transpile-only "$here/report.ts" "$out"
}

echo "== compliance of the stock environments"
scan "$here/.out"

echo
echo "== the same check over stacks with a deliberately weakened bucket must fail"
if scan "$here/.out-weakened" --weaken > "$here/weakened.log" 2>&1; then
  cat "$here/weakened.log"
  echo "The weakened stacks passed: the compliance check cannot see a weak bucket." >&2
  exit 1
fi
grep -E '^\| ' "$here/weakened.log"
echo "The weakened stacks failed, as they must."
