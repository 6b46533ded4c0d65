#!/usr/bin/env bash
# `npm test`: installs what is missing, starts a private stack, runs vitest against it, stops the stack.
# The test stack has its own run directory (fresh each time) so it never touches a developer's
# `npm run stack -- up` instance or its data.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.haven-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  # `npm install`, not `npm ci`: the registry mirror here does not serve other platforms' optional
  # packages (e.g. @swc/core-darwin-*), which `npm ci` insists on finding in the lock file. With a lock
  # file present `npm install` installs exactly the locked versions and leaves the lock unchanged.
  echo "[test] installing npm dependencies" >&2
  npm install --no-audit --no-fund >&2
  cp package-lock.json "$stamp"
fi

echo "[test] typecheck and lint" >&2
npm run --silent typecheck >&2
npm run --silent lint >&2

export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
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

node_modules/.bin/vitest run "$@"
