#!/usr/bin/env bash
# The one test command: installs every test tool from the package registries (Debian's Chromium,
# Java and Node.js, the Python test packages, the npm validators), then runs the whole suite.
# Extra arguments go to pytest, e.g. `bash tests/run.sh -k links`.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium chromium-driver)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error
exec python3 -m pytest "$@"
