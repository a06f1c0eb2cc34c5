#!/usr/bin/env bash
# Proves the generated bindings work: packages the library for Python, Java and Go (and generates
# the C# sources), installs each artifact into a small app written the way a user of that
# language would write it, synthesizes the stock staging platform and one derived from the
# production profile, and compares every template with the TypeScript one. The apps hold the
# Python, Java and Go examples of the README and docs/ (test/readme.test.ts checks that) and write
# to $CDK_OUTDIR, as under `cdk synth`. Needs a compiled library (`npx projen build`).
#
# Caches that are safe to keep between runs on one machine: pip's download cache, the Maven
# repository (~/.m2) and the Go module and build caches. The library's own artifacts are always
# rebuilt and reinstalled.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bindings="$root/test/bindings"
out="$bindings/.out"
rm -rf "$out"
mkdir -p "$out"
cd "$root"
# Node.js 20 is end-of-life; jsii says so once per language runtime, which buries the output.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=1

started=$SECONDS
step() {
  echo "== $1 (at ${SECONDS}s)"
}

step "packaging: Python wheel, Java jar, Go module, C# sources"
npx projen package:python
npx projen package:java
npx projen package:go
npx projen package:dotnet
ls dist/python/*.whl dist/java/org/paymentplatform/payment-platform/0.0.0/*.jar dist/go/paymentplatform/go.mod dist/dotnet/Org.PaymentPlatform/*.csproj

step "TypeScript reference"
CDK_OUTDIR="$out/typescript" npx ts-node --project tsconfig.dev.json --transpile-only "$bindings/typescript/app.ts"

step "Python: a venv with the wheel"
venv="$bindings/python/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$bindings/python/requirements.txt"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps dist/python/*.whl
CDK_OUTDIR="$out/python" "$venv/bin/python" "$bindings/python/app.py"

step "Java: a Maven project on the built jar"
# Maven keeps a copy of every artifact it resolved; drop the library's so the fresh jar is used.
rm -rf "$HOME/.m2/repository/org/paymentplatform"
(cd "$bindings/java" && CDK_OUTDIR="$out/java" mvn --quiet --batch-mode "-Dpayment.platform.repo=$root/dist/java" compile exec:java)

step "Go: a module with a replace to the generated one"
(cd "$bindings/go" && go build -o "$out/go-smoke" . && CDK_OUTDIR="$out/go" "$out/go-smoke")

step "comparison with TypeScript"
npx ts-node --project tsconfig.dev.json --transpile-only "$bindings/compare.ts" "$out" python java go

echo "== bindings checked in $((SECONDS - started)) seconds"
