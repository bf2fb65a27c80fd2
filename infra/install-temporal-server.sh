#!/usr/bin/env bash
# Builds the open-source Temporal server (go.temporal.io/server v1.32.2: `server` and the `temporal-sql-tool`
# that sets up its PostgreSQL schemas) and Temporal's standalone Web UI server (github.com/temporalio/ui-server
# v2.58.1) once, from the Go module proxy, for the cluster of `npm run cluster`.
# It needs Go >= 1.26.10: GOTOOLCHAIN fetches the approved toolchain through the same proxy. The binaries are
# cached outside the clone (REGIE_CACHE_DIR, default ~/.cache/regie), so a fresh clone on the same machine does
# not build again, and linked into the git-ignored tools folder. Measured here: about 8 minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${REGIE_TOOLS_DIR:-$root/.tools}"
version="v1.32.2"
toolchain="go1.27.3"
cache="${REGIE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/regie}/temporal-server-$version"

if [ ! -x "$cache/bin/temporal-server" ] || [ ! -x "$cache/bin/temporal-sql-tool" ]; then
  command -v go >/dev/null || { echo "[install-temporal-server] Go is required (any version; GOTOOLCHAIN=$toolchain fetches the right one)" >&2; exit 1; }
  echo "[install-temporal-server] building Temporal server $version with $toolchain into $cache (about 8 minutes, once)"
  started=$(date +%s)
  mkdir -p "$cache/bin.partial"
  GOTOOLCHAIN="$toolchain" GOBIN="$cache/bin.partial" GOFLAGS=-mod=mod \
    go install "go.temporal.io/server/cmd/server@$version" "go.temporal.io/server/cmd/tools/sql@$version"
  mv "$cache/bin.partial/server" "$cache/bin.partial/temporal-server"
  mv "$cache/bin.partial/sql" "$cache/bin.partial/temporal-sql-tool"
  rm -rf "$cache/bin" && mv "$cache/bin.partial" "$cache/bin"
  # The schema files temporal-sql-tool applies ship in the module's source, which the build left in the module cache.
  src="$(GOTOOLCHAIN="$toolchain" GOFLAGS=-mod=mod go env GOMODCACHE)/go.temporal.io/server@$version"
  rm -rf "$cache/schema" && cp -r "$src/schema" "$cache/schema" && chmod -R u+w "$cache/schema"
  echo "[install-temporal-server] built in $(( $(date +%s) - started )) s"
fi
if [ ! -x "$cache/bin/temporal-ui-server" ]; then
  # ui-server v2.58.1 asks for go.temporal.io/api v1.64.0 and echo v4.16.1, which the proxy here does not serve:
  # a build module of our own raises both to served patch releases (minimal version selection takes the higher).
  echo "[install-temporal-server] building the Temporal Web UI server v2.58.1"
  mod="$cache/ui-server-build"
  mkdir -p "$mod"
  cat > "$mod/go.mod" <<'GOMOD'
module regie.local/ui-server-build

go 1.26

require (
	github.com/temporalio/ui-server/v2 v2.58.1
	go.temporal.io/api v1.64.3
	github.com/labstack/echo/v4 v4.16.5
)
GOMOD
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/temporalio/ui-server/v2/cmd/server"\n' > "$mod/tools.go"
  (cd "$mod" && GOTOOLCHAIN="$toolchain" GOFLAGS=-mod=mod go mod tidy && GOTOOLCHAIN="$toolchain" GOFLAGS=-mod=mod go build -o "$cache/bin/temporal-ui-server.partial" github.com/temporalio/ui-server/v2/cmd/server)
  mv "$cache/bin/temporal-ui-server.partial" "$cache/bin/temporal-ui-server"
fi
mkdir -p "$tools"
ln -sfn "$cache/bin/temporal-server" "$tools/temporal-server"
ln -sfn "$cache/bin/temporal-sql-tool" "$tools/temporal-sql-tool"
ln -sfn "$cache/bin/temporal-ui-server" "$tools/temporal-ui-server"
ln -sfn "$cache/schema" "$tools/temporal-schema"
