# redis-benchmark short runs against `tcpkit serve kv`: every test finishes, none errs.
source "$(dirname "$0")/../integration/peers/lib.sh"
command -v redis-benchmark >/dev/null || fail "redis-benchmark is not installed (redis-tools)"

run_benchmark() {
  local out
  out=$(timeout 120 redis-benchmark -p "$PORT" -t ping,set,get,incr,mset -n 20000 -c 20 -q "$@" \
        2>"$WORK/bench.err") || fail "redis-benchmark $* exited non-zero: $(cat "$WORK/bench.err")"
  # -q prints one "NAME: N requests per second" line per test (PING comes as two).
  local lines
  lines=$(tr '\r' '\n' <<<"$out" | grep -c 'requests per second')
  ((lines == 6)) || fail "redis-benchmark $*: expected 6 results, got $lines: $out"
  if grep -qi 'error' <<<"$out" "$WORK/bench.err"; then
    fail "redis-benchmark $* reported errors: $out $(cat "$WORK/bench.err")"
  fi
}

# redis-benchmark's whole default suite (no -t): PING_INLINE PING_MBULK SET GET INCR LPUSH RPUSH
# LPOP RPOP SADD HSET SPOP ZADD ZPOPMIN, LPUSH for LRANGE, LRANGE_100/300/500/600, MSET: 20 results.
run_default_suite() {
  local out lines
  out=$(timeout 120 redis-benchmark -p "$PORT" -n 2000 -c 20 -q 2>"$WORK/bench.err") ||
    fail "redis-benchmark (default suite) exited non-zero: $(cat "$WORK/bench.err")"
  lines=$(tr '\r' '\n' <<<"$out" | grep -c 'requests per second')
  ((lines == 20)) || fail "redis-benchmark default suite: expected 20 results, got $lines: $out"
  if grep -qi 'error' <<<"$out" "$WORK/bench.err"; then
    fail "redis-benchmark default suite reported errors: $out $(cat "$WORK/bench.err")"
  fi
}

for model in epoll reactors; do
  start_server kv --model "$model" --listen 127.0.0.1:0
  PORT=$(port_of "${ADDRS[0]}")
  run_benchmark
  run_benchmark -P 16
  # The counter redis-benchmark's INCR test bumps: 20000 each run, 40000 in all.
  got=$(redis-cli -p "$PORT" get counter:__rand_int__)
  [[ $got == 40000 ]] || fail "counter after two INCR runs: want 40000, got '$got'"
  run_default_suite
  stop_server
done
echo "redis-benchmark: all runs finished without errors"
