#!/usr/bin/env bash
# `npm test`: installs what is missing (Node, npm dependencies), starts a private stack, runs vitest against it, stops the stack.
# The test stack has its own run directory (fresh each time) so it never touches a developer's
# `npm run stack -- up` instance or its data.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node (the version in .node-version, fetched once into the cache) first on PATH, npm dependencies
# installed or rebuilt when package-lock.json or that Node changed: see scripts/runtime.sh.
# shellcheck source=scripts/runtime.sh
. scripts/runtime.sh
echo "[test] $(node --version), npm $(npm --version)" >&2

echo "[test] typecheck and lint" >&2
npm run --silent typecheck >&2
npm run --silent lint >&2

export HAVEN_RUN_DIR="${HAVEN_TEST_RUN_DIR:-$PWD/.run/test}"
stack() { node_modules/.bin/tsx scripts/stack/cli.ts "$@"; }
# A previous run that was killed may have left its servers running: stop them before wiping their data.
stack down >/dev/null 2>&1 || true
rm -rf "$HAVEN_RUN_DIR"
mkdir -p "$HAVEN_RUN_DIR"
trap 'stack down >&2 || true' EXIT

started=$(date +%s)
stack up --clusters 2 > "$HAVEN_RUN_DIR/test.env"
echo "[test] stack up in $(( $(date +%s) - started ))s" >&2
set -a
# shellcheck disable=SC1091
. "$HAVEN_RUN_DIR/test.env"
set +a

# Helm for test/helm, built once with go install and cached by version (minutes the first time).
node_modules/.bin/tsx scripts/helm/helm-binary.ts >&2

node_modules/.bin/vitest run "$@"
