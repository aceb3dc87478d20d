#!/usr/bin/env bash
# make bench: the side-by-side comparison, in one run on this machine.
#   tcpkit kv vs redis-server under redis-benchmark and under tcpkit bench (PING/SET/GET, -P 1
#   and -P 16), tcpkit bench vs redis-benchmark against the same redis-server, echo under every
#   concurrency model at 1/50/1000 connections, bulk echo vs iperf3, idle memory per connection.
# Writes bench/results/latest.md, latest.json and latest.svg. Usage: run.sh [BUILD_DIR]
# Every server it starts is stopped by pid when it exits (compare.py's finally, and the trap).
set -euo pipefail
build=${1:-build/release}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# Debian's python3 (with python3-matplotlib for the chart), even when another python3 is first
# in PATH.
py=/usr/bin/python3
[[ -x $py ]] || py=python3
for tool in redis-server redis-benchmark iperf3 "$py"; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (make deps)" >&2; exit 69; }
done
[[ -x "$build/bin/tcpkit" ]] || { echo "run.sh: $build/bin/tcpkit not built (make build)" >&2; exit 69; }

driver_pid=
cleanup() {
  if [[ -n $driver_pid ]] && kill -0 "$driver_pid" 2>/dev/null; then
    kill -TERM "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$py" "$here/compare.py" --tcpkit "$build/bin/tcpkit" --out "$root/bench/results" &
driver_pid=$!
wait "$driver_pid"
