#!/usr/bin/env bash
# Uses the library as a user would: installs the packed tarball into a fresh CDK app together with
# aws-cdk-lib and constructs, writes the one-line PaymentPlatform for each stock profile,
# synthesizes, and checks the templates; then starts the package's local server with npx and sends
# the README's curl requests to it. Needs the tarball from `npx projen package:js`.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tarball="$(ls "$root"/dist/js/*.tgz 2>/dev/null | head -n 1 || true)"
if [ -z "$tarball" ]; then
  echo "No package in dist/js; run 'npx projen build' (or 'npx projen package:js') first." >&2
  exit 1
fi
cdk_version="$(node -p "require('$root/package.json').devDependencies['aws-cdk-lib']")"
constructs_version="$(node -p "require('$root/package.json').devDependencies['constructs']")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
echo "== installing $(basename "$tarball") with aws-cdk-lib@$cdk_version and constructs@$constructs_version"
npm install --no-audit --no-fund --loglevel=error "$tarball" "aws-cdk-lib@$cdk_version" "constructs@$constructs_version"
cp "$root/test/consumer/app.js" "$root/test/consumer/check.js" "$root/test/consumer/local.js" .
echo "== synthesizing the three stock environments"
if ! node app.js 2> synth.err; then
  # aws-cdk-lib is minified: the end of the report holds the message, the start a line of code.
  tail -c 3000 synth.err >&2
  exit 1
fi
node check.js cdk.out
echo "== the package's local server, with the README's requests"
node local.js "$root/README.md"
