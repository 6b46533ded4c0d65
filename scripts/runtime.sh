# shellcheck shell=bash
# Haven's runtime bootstrap: every npm script runs through it, so nothing has to be installed by hand
# before `npm run demo` or `npm test` (any Node >= 20 with npm runs them; this file itself needs only bash).
#
#   1. Node: the version in .node-version, from the npm registry's `node-linux-<arch>` package (Node's
#      binaries with headers, repackaged on npm; its sha512 is pinned below), unpacked once into the stack's cache: <cache>/node/<version>/ where
#      <cache> is $HAVEN_CACHE_DIR, else $XDG_CACHE_HOME/haven, else ~/.cache/haven (scripts/stack/paths.ts).
#      Its bin directory goes first on PATH, so npm (its `#!/usr/bin/env node`), tsx, vitest, the services
#      and every process they start with a plain `node` (the emulated data-mover pods) use it.
#   2. npm dependencies: `npm install` when package-lock.json or the Node version differs from what
#      node_modules was installed with (node_modules/.haven-lock-stamp), and `npm rebuild` when only an
#      older Node had built them, so native addons (zstd-napi) match the Node that loads them.
#
# Sourced (`. scripts/runtime.sh`, as scripts/test.sh does) it sets up the current shell; executed with a
# command (`bash scripts/runtime.sh tsx scripts/demo.ts`, as package.json's scripts do) it then runs it.

haven_runtime_fail() {
  echo "[runtime] $*" >&2
  return 1
}

# The npm registry's sha512 of each Node package this project may run on (`npm view node-linux-<arch>@<v> dist.integrity`).
haven_runtime_node_integrity() {
  case "$1@$2" in
    x64@24.22.3) echo 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' ;;
    arm64@24.22.3) echo 'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==' ;;
  esac
}

haven_runtime_node() {
  local version="$1" root="$2" arch dir tmp started
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) arch=x64 ;;
    Linux-aarch64 | Linux-arm64) arch=arm64 ;;
    *) haven_runtime_fail "no Node package for $(uname -s) $(uname -m): install Node $version yourself and set HAVEN_NODE_HOME to its folder"; return 1 ;;
  esac
  dir="$root/node/$version"
  if [ -x "$dir/bin/node" ]; then
    HAVEN_NODE_HOME="$dir"
    return 0
  fi
  started=$(date +%s)
  echo "[runtime] fetching Node $version (npm package node-linux-$arch, first run only)…" >&2
  mkdir -p "$root/node"
  # Unpacked beside its final place and renamed there in one step: an interrupted or concurrent run never
  # leaves a half-written Node behind, and two runs racing both end up with a complete one.
  tmp=$(mktemp -d "$root/node/.fetch-$version.XXXXXX") || return 1
  if ! (cd "$tmp" && npm pack --silent --no-audit --no-fund "node-linux-$arch@$version" >pack.out 2>pack.err); then
    cat "$tmp/pack.err" >&2
    rm -rf "$tmp"
    haven_runtime_fail "npm pack node-linux-$arch@$version failed"
    return 1
  fi
  # The package is a repackaging on the npm registry, not a nodejs.org artifact: it is unpacked only when
  # its bytes are the ones this repository pinned (npm's own check trusts whatever the registry says).
  local want got
  want=$(haven_runtime_node_integrity "$arch" "$version")
  # Hashed by the Node that runs npm (any Node >= 20 is there already), so bash stays the only other need.
  got=$(node -e 'process.stdout.write("sha512-" + require("node:crypto").createHash("sha512").update(require("node:fs").readFileSync(process.argv[1])).digest("base64"))' "$tmp/node-linux-$arch-$version.tgz")
  if [ -z "$want" ] || [ "$got" != "$want" ]; then
    rm -rf "$tmp"
    haven_runtime_fail "node-linux-$arch@$version: integrity ${got} is not the pinned ${want:-(none: pin it in scripts/runtime.sh)}"
    return 1
  fi
  if ! tar -xzf "$tmp/node-linux-$arch-$version.tgz" -C "$tmp"; then
    rm -rf "$tmp"
    haven_runtime_fail "could not unpack node-linux-$arch-$version.tgz"
    return 1
  fi
  local seen
  seen=$("$tmp/package/bin/node" --version 2>&1) || true
  if [ "$seen" != "v$version" ]; then
    rm -rf "$tmp"
    haven_runtime_fail "node-linux-$arch@$version: bin/node --version printed '$seen', expected v$version"
    return 1
  fi
  mv -T "$tmp/package" "$dir" 2>/dev/null || [ -x "$dir/bin/node" ] || {
    rm -rf "$tmp"
    haven_runtime_fail "could not move Node $version into $dir"
    return 1
  }
  rm -rf "$tmp"
  echo "[runtime] Node $version in $dir ($(($(date +%s) - started))s)" >&2
  HAVEN_NODE_HOME="$dir"
}

haven_runtime_deps() {
  local repo="$1" stamp="$1/node_modules/.haven-lock-stamp" want built_with="" had_modules="" started
  want="node $(node --version)
lock $(sha256sum "$repo/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  [ -f "$stamp" ] && built_with=$(head -n1 "$stamp")
  [ -d "$repo/node_modules" ] && had_modules=1
  started=$(date +%s)
  echo "[runtime] installing npm dependencies with Node $(node --version) (package-lock.json or Node changed)" >&2
  # `npm install`, not `npm ci`: it keeps what is already installed, so a lock change costs seconds rather
  # than a full reinstall; with the lock file present it installs exactly the locked versions.
  (cd "$repo" && npm install --no-audit --no-fund >&2) || { haven_runtime_fail "npm install failed"; return 1; }
  # `npm install` leaves already installed native addons as they were built; rebuild them for this Node
  # when another one (or an unknown one: no stamp, or one from before it recorded the Node) built them.
  if [ -n "$had_modules" ] && [ "$built_with" != "node $(node --version)" ]; then
    echo "[runtime] rebuilding native addons for Node $(node --version)" >&2
    (cd "$repo" && npm rebuild >&2) || { haven_runtime_fail "npm rebuild failed"; return 1; }
  fi
  # The lock as npm install left it (it rewrites it when package.json asked for something else).
  want="node $(node --version)
lock $(sha256sum "$repo/package-lock.json" | cut -d' ' -f1)"
  printf '%s\n' "$want" >"$stamp"
  echo "[runtime] npm dependencies ready ($(($(date +%s) - started))s)" >&2
}

haven_runtime() {
  local repo version root
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || return 1
  version="${HAVEN_NODE_VERSION:-$(tr -d ' \t\r\n' <"$repo/.node-version")}"
  version="${version#v}"
  root="${HAVEN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/haven}"
  if [ -z "${HAVEN_NODE_HOME:-}" ]; then
    haven_runtime_node "$version" "$root" || return 1
  fi
  export HAVEN_NODE_HOME
  case "$PATH" in
    "$HAVEN_NODE_HOME/bin:"*) ;;
    *) PATH="$HAVEN_NODE_HOME/bin:$repo/node_modules/.bin:$PATH" ;;
  esac
  export PATH
  # npm's own notion of the Node running scripts, and node-gyp's headers: this Node's, never the system's
  # (node-gyp would otherwise download headers, or use a machine-wide nodedir of another version).
  export NODE="$HAVEN_NODE_HOME/bin/node" npm_node_execpath="$HAVEN_NODE_HOME/bin/node" npm_config_nodedir="$HAVEN_NODE_HOME"
  hash -r
  haven_runtime_deps "$repo"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  haven_runtime
  [ "$#" -gt 0 ] || { echo "usage: bash scripts/runtime.sh COMMAND [ARG…]" >&2; exit 2; }
  exec "$@"
fi
haven_runtime
