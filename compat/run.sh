#!/usr/bin/env bash
# Compares the public API (.jsii) with the baseline assembly and fails on any incompatible change
# whose key is not in .compatignore, experimental APIs included.
#
# The baseline is unpacked outside the project: jsii-docgen reads every assembly it finds under
# the project, and would take a baseline there for the current API.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/compat/baseline.package.json" "$work/package.json"
cp "$root/compat/baseline.jsii" "$work/.jsii"
# The baseline's dependencies (aws-cdk-lib, constructs) resolve from the project's node_modules.
ln -s "$root/node_modules" "$work/node_modules"
cd "$root"
npx jsii-diff "$work" . --keys --error-on all --ignore-file .compatignore
