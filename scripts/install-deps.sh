#!/bin/sh
# Installs the Debian packages ckms needs to build and test, and the Node
# packages of tests/interop (from the committed lockfile). Idempotent: prints
# nothing when everything is already present.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --fuzz   also clang and its fuzzer runtime
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential pkg-config cmake ninja-build git
      libssl-dev libsecp256k1-dev libcmocka-dev
      libgrpc-dev grpc-proto protobuf-c-compiler libprotobuf-c-dev libprotobuf-dev
      nodejs"
if [ "${1:-}" = "--fuzz" ]; then
  PKGS="$PKGS clang libclang-rt-14-dev"
fi

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
# nodejs may come from outside Debian (nodesource ships npm inside it)
if ! command -v npm >/dev/null 2>&1; then missing="$missing npm"; fi
if command -v node >/dev/null 2>&1; then missing=$(echo "$missing" | sed 's/ nodejs//'); fi

if [ -n "$missing" ]; then
  echo "install-deps: installing$missing"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
      echo "install-deps: need root (or sudo) to install:$missing" >&2; exit 1
    fi
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Node test oracles: reinstall only when the lockfile changed.
lock=tests/interop/package-lock.json
stamp=tests/interop/node_modules/.ckms-lock-sha256
want=$(sha256sum "$lock" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "install-deps: npm ci in tests/interop"
  (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" > "$stamp"
fi
