#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (driven by playwright-core), once: from the machine's apt
# sources, as the tests need a real browser and nothing may be downloaded at run time. Later runs return
# at once. REGIE_CHROMIUM points the tests at another Chromium instead.
set -euo pipefail
chromium="${REGIE_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then
  exit 0
fi
if [ -n "${REGIE_CHROMIUM:-}" ]; then
  echo "[install-browser] REGIE_CHROMIUM=$REGIE_CHROMIUM is not an executable" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "[install-browser] no Chromium at /usr/bin/chromium and no apt-get to install it: install Chromium and set REGIE_CHROMIUM to its path" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "[install-browser] installing Chromium needs root (apt-get install chromium), or set REGIE_CHROMIUM" >&2; exit 1; }
  sudo="sudo"
fi
echo "[install-browser] installing Debian's chromium (apt-get install chromium)"
$sudo apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
"$chromium" --version
