#!/usr/bin/env bash
# The handler tests start moto_server on 127.0.0.1 themselves; this installs it where it is missing.
set -euo pipefail
if ! command -v moto_server >/dev/null 2>&1; then
  python3 -m pip install --quiet -r "$(dirname "$0")/../requirements.txt"
fi
