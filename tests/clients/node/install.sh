#!/usr/bin/env bash
# Installs the Node clients that package-lock.json pins (ioredis, node-redis) into
# node_modules/ here with `npm ci`, once per lock: a stamp holding the lock's SHA-256 says the
# tree there is that lock's, so later runs do nothing. ctest runs this as the fixture
# clients.node_install before the Node client tests.
# Without node or npm it installs nothing and exits 0: the tests then skip, saying why
# (scripts/install-deps installs both from Debian's packages).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node-clients: node or npm is not installed; the Node client tests will skip"
  exit 0
fi
want=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.tcpkit-lock-sha256
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
  echo "node-clients: node_modules matches package-lock.json"
  exit 0
fi
echo "node-clients: npm ci (node $(node --version), npm $(npm --version))"
npm ci --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
