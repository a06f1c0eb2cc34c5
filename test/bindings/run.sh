#!/usr/bin/env bash
# Proves the generated bindings work: packages the library for Python, Java and Go (and generates
# the C# sources), installs each artifact into a small app written the way a user of that
# language would write it, synthesizes the stock staging platform and one derived from it, and
# compares every template with the TypeScript one. Needs a compiled library (`npx projen build`).
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
npx ts-node --project tsconfig.dev.json --transpile-only "$bindings/typescript/app.ts" "$out/typescript"

step "Python: a venv with the wheel"
venv="$bindings/python/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$bindings/python/requirements.txt"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps dist/python/*.whl
"$venv/bin/python" "$bindings/python/app.py" "$out/python"

step "Java: a Maven project on the built jar"
# Maven keeps a copy of every artifact it resolved; drop the library's so the fresh jar is used.
rm -rf "$HOME/.m2/repository/org/paymentplatform"
(cd "$bindings/java" && mvn --quiet --batch-mode "-Dpayment.platform.repo=$root/dist/java" compile exec:java "-Dexec.args=$out/java")

step "Go: a module with a replace to the generated one"
(cd "$bindings/go" && go build -o "$out/go-smoke" . && "$out/go-smoke" "$out/go")

step "comparison with TypeScript"
npx ts-node --project tsconfig.dev.json --transpile-only "$bindings/compare.ts" "$out" python java go

echo "== bindings checked in $((SECONDS - started)) seconds"
