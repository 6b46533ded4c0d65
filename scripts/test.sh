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

export HAVEN_RUN_DIR="${HAVEN_TEST_RUN_DIR:-$PWD/.run/test}"
stack() { node_modules/.bin/tsx scripts/stack/cli.ts "$@"; }
# A previous run that was killed may have left its servers running: stop them before wiping their data.
stack down >/dev/null 2>&1 || true
rm -rf "$HAVEN_RUN_DIR"
mkdir -p "$HAVEN_RUN_DIR"
trap 'stack down >&2 || true' EXIT

# Typecheck and lint are each one single-threaded process and the stack mostly waits on its servers: the
# three run side by side (on 2 cores this saves about the shorter of the checks), and vitest starts once all passed.
started=$(date +%s)
checks_dir="$HAVEN_RUN_DIR/checks"
mkdir -p "$checks_dir"
check() {
  local name=$1
  if npm run --silent "$name" > "$checks_dir/$name.log" 2>&1; then
    echo "[test] $name passed in $(( $(date +%s) - started ))s" >&2
  else
    cat "$checks_dir/$name.log" >&2
    echo "[test] $name failed" >&2
    return 1
  fi
}
# Each check in a process group of its own (monitor mode), so an early exit (the stack failed) stops it whole.
set -m
check typecheck & typecheck_pid=$!
check lint & lint_pid=$!
set +m
trap 'kill -- -"$typecheck_pid" -"$lint_pid" 2>/dev/null || true; stack down >&2 || true' EXIT
stack up --clusters 2 > "$HAVEN_RUN_DIR/test.env"
echo "[test] stack up in $(( $(date +%s) - started ))s" >&2
checks_ok=true
wait "$typecheck_pid" || checks_ok=false
wait "$lint_pid" || checks_ok=false
$checks_ok
set -a
# shellcheck disable=SC1091
. "$HAVEN_RUN_DIR/test.env"
set +a

# Helm for test/helm, built once with go install and cached by version (minutes the first time).
node_modules/.bin/tsx scripts/helm/helm-binary.ts >&2

node_modules/.bin/vitest run "$@"
