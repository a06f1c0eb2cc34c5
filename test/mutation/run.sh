#!/usr/bin/env bash
# Mutation testing of src/handlers/ with StrykerJS (stryker.config.mjs); arguments go to
# `stryker run` (`--force` tests every mutant again instead of those that changed).
#
# Each mutant runs the handler tests that reach it, and most of those start a moto_server; a Python
# start for every test file of every mutant would take most of the run. So this starts a few
# servers on 127.0.0.1 for the whole run, and the tests take one each, empty it and give it back
# (MOTO_POOL_DIR, see test/handlers/moto.ts). All are stopped when the run ends.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/setup/ensure-moto.sh

pool="$(mktemp -d)"
mkdir -p "$pool/servers" "$pool/locks"
pids=()
cleanup() {
  if [ "${#pids[@]}" -gt 0 ]; then
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  rm -rf "$pool"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Two Stryker workers, each running one test file at a time; two spare for a file that holds two.
for _ in 1 2 3 4; do
  port="$(free_port)"
  moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
  pids+=("$!")
  listening=false
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      listening=true
      break
    fi
    sleep 0.1
  done
  if [ "$listening" != true ]; then
    echo "moto_server did not listen on 127.0.0.1:$port within 30 seconds" >&2
    exit 1
  fi
  touch "$pool/servers/$port"
done

# The property-based tests run a tenth of their cases against each mutant (1,000 instead of
# 10,000); the ordinary suite runs them all.
status=0
commit="$(git rev-parse --short HEAD)"
if [ -n "$(git status --porcelain -- src/handlers test/handlers)" ]; then
  commit="$commit with uncommitted changes"
fi
started=$SECONDS
MOTO_POOL_DIR="$pool" PROPERTY_RUNS="${PROPERTY_RUNS:-1000}" npx stryker run "$@" || status=$?
minutes=$(( (SECONDS - started + 30) / 60 ))

# A full run over every handler file (no --mutate) is the one docs/quality.md reports, whether or
# not it reached the threshold.
if [ "${1:-}" = "--force" ] && [ "$#" -eq 1 ] && [ -f reports/mutation/mutation.json ]; then
  npx ts-node --project tsconfig.dev.json --transpile-only test/mutation/report.ts \
    reports/mutation/mutation.json "npx projen test:mutation:full" "$commit" "$minutes"
fi
exit "$status"
