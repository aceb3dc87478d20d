#!/usr/bin/env bash
# ctest's entry for one Node client test file: run.sh FILE.js (path/to/tcpkit | --redis).
# Exits 77 (skipped) when node is not installed; fails when the clients are not installed
# (the fixture clients.node_install, install.sh, installs them).
set -u
dir=$(dirname "$0")
if ! command -v node >/dev/null; then
  echo "SKIP: node is not installed (scripts/install-deps installs Debian's nodejs and npm)"
  exit 77
fi
if [[ ! -f $dir/node_modules/.tcpkit-lock-sha256 ]]; then
  echo "FAIL: the Node clients are not installed: run $dir/install.sh (npm ci)" >&2
  exit 1
fi
exec node "$dir/$1" "${@:2}"
