#!/usr/bin/env bash
# The contract test: Schemathesis (pinned in requirements.txt, in a venv of its own) against the
# local server, from the OpenAPI document that the server serves. Property-based examples, coverage
# and fuzzing of both operations, then the stateful phase (POST /payments, then GET by the link to
# the payment), with every check but those that test API Gateway itself (schemathesis.toml). Any
# failure fails the run. Needs the bundles (`npx projen bundle`). CONTRACT_EXAMPLES sets the number
# of examples per operation (200 unless set). CONTRACT_SEED sets the random seed; by default it is
# taken from the commit, so that a run on one commit, here or in CI, tries the same cases and a
# failure can be repeated, while each change tries others.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || { echo "Cannot create a Python venv for Schemathesis (python3 -m venv failed)." >&2; exit 1; }
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"

cli="$root/assets/local/cli/index.mjs"
[ -f "$cli" ] || { echo "No local server at $cli; run 'npx projen bundle' first." >&2; exit 1; }
key="contract-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
log="$(mktemp)"
node "$cli" --port 0 --api-key "contract=$key" --processor-timeout 2 > "$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 100); do
  url="$(grep -oE 'serving the payments API at http://127\.0\.0\.1:[0-9]+' "$log" | grep -oE 'http://.*' || true)"
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "The local server did not start:" >&2; cat "$log" >&2; exit 1; }

seed="${CONTRACT_SEED:-}"
if [ -z "$seed" ]; then
  commit="$(git -C "$root" rev-parse HEAD 2>/dev/null || true)"
  if [ -n "$commit" ]; then
    seed="$(( 16#${commit:0:7} ))"
  else
    seed="$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')"
  fi
fi
echo "contract test seed: $seed (CONTRACT_SEED=$seed repeats this run)"
cd "$here"
SCHEMATHESIS_HOOKS=hooks "$venv/bin/st" run "$url/openapi.json" --url "$url" -H "x-api-key: $key" \
  --checks all --exclude-checks unsupported_method,allow_header_conformance \
  --phases examples,coverage,fuzzing,stateful --max-examples "${CONTRACT_EXAMPLES:-200}" --seed "$seed"
