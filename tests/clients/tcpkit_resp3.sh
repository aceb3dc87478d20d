# `tcpkit call -3` against redis-server 7.0: it says HELLO 3 and prints RESP3 replies exactly as
# `redis-cli -3` does (--no-raw: the format redis-cli uses on a terminal). The server runs on a
# temporary Unix socket (no TCP port), with DEBUG allowed for local clients, and is stopped by
# its pid.
source "$(dirname "$0")/../integration/peers/lib.sh"
need redis-server
need redis-cli

sock=$WORK/redis.sock
redis-server --port 0 --unixsocket "$sock" --save '' --appendonly no --dir "$WORK" \
  --enable-debug-command local >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
deadline=$((SECONDS + 30))
until [[ $(redis-cli -s "$sock" PING 2>/dev/null) == PONG ]]; do
  kill -0 "$REDIS_PID" 2>/dev/null || fail "redis-server exited: $(cat "$WORK/redis.log")"
  ((SECONDS < deadline)) || fail "redis-server not ready on $sock within 30 s"
  sleep 0.05
done

addr=unix:$sock
cli() { timeout 10 redis-cli -s "$sock" "$@"; }
cli HSET h f v g w >/dev/null
cli HSET wide f1 1 f2 2 f3 3 f4 4 f5 5 f6 6 f7 7 f8 8 f9 9 f10 10 >/dev/null
cli SADD s x y >/dev/null
cli SADD one x >/dev/null
cli ZADD z 1.5 a 2 b inf c -inf d 0.1 e 1e20 f >/dev/null
cli RPUSH l "a b" $'line\nbreak' >/dev/null

# call_expect WANT ARGS...: tcpkit call -3 ARGS must print exactly WANT.
call_expect() {
  local want=$1 got
  shift
  got=$(timeout 10 "$BIN" call -3 --no-raw --address "$addr" "$@" 2>&1) || fail "tcpkit call -3 $* exited non-zero: $got"
  [[ $got == "$want" ]] || fail "tcpkit call -3 $*: want '$want', got '$got'"
}

# The same output as redis-cli -3, command by command (commands that change nothing: each runs
# twice).
same_as_redis_cli() {
  local want
  want=$(cli -3 --no-raw "$@" 2>&1) || fail "redis-cli -3 $* exited non-zero: $want"
  call_expect "$want" "$@"
}
same_as_redis_cli HGETALL h
same_as_redis_cli HGETALL wide
same_as_redis_cli HGETALL missing
same_as_redis_cli SMEMBERS s
same_as_redis_cli SMEMBERS missing
same_as_redis_cli ZSCORE z e
same_as_redis_cli ZSCORE z c
same_as_redis_cli ZRANGE z 0 -1 WITHSCORES
same_as_redis_cli LRANGE l 0 -1
same_as_redis_cli GET missing
same_as_redis_cli MGET missing k
same_as_redis_cli BLPOP missing 0.01
same_as_redis_cli SISMEMBER s x
same_as_redis_cli INCR h
same_as_redis_cli PING
same_as_redis_cli DEBUG PROTOCOL map
same_as_redis_cli DEBUG PROTOCOL set
same_as_redis_cli DEBUG PROTOCOL true
same_as_redis_cli DEBUG PROTOCOL false
same_as_redis_cli DEBUG PROTOCOL double
same_as_redis_cli DEBUG PROTOCOL null
same_as_redis_cli DEBUG PROTOCOL verbatim
same_as_redis_cli EVAL "return {map={a={1,2}},set={'p'}}" 0
same_as_redis_cli EVAL "return {1,{map={k='v',k2='v2'}},{set={'q','r'}},{},{map={}}}" 0

# The exact text too, so the comparison above cannot pass on two identical mistakes.
call_expect $'1# "f" => "v"\n2# "g" => "w"' HGETALL h
call_expect '1~ "x"' SMEMBERS one  # (a set's order is the server's)
call_expect "(double) 0.10000000000000001" ZSCORE z e
call_expect "(double) 1e+20" ZSCORE z f
call_expect "(nil)" GET missing
call_expect "(double) 2.5" ZINCRBY z 1 a
# INCRBYFLOAT's result stays a bulk string under RESP3.
call_expect '"0.1"' INCRBYFLOAT n 0.1
call_expect "(true)" DEBUG PROTOCOL true
# HELLO's own reply says the connection speaks RESP3.
got=$(timeout 10 "$BIN" call -3 --no-raw --address "$addr" HELLO 3) || fail "HELLO 3 failed: $got"
[[ $got == *'3# "proto" => (integer) 3'* ]] || fail "HELLO 3: $got"
# Without -3 the same server answers in RESP2.
got=$(timeout 10 "$BIN" call --no-raw --address "$addr" HGETALL h)
[[ $got == $'1) "f"\n2) "v"\n3) "g"\n4) "w"' ]] || fail "RESP2 HGETALL: '$got'"

# What redis-cli 7.0 cannot print. A push before the reply is printed, then the reply.
call_expect $'1) "server-cpu-usage"\n2) (integer) 42\n"Some real reply following the push reply"' \
  DEBUG PROTOCOL push
# An attribute is decoded and set aside; the reply it annotates is printed.
call_expect '"Some real reply following the attribute"' DEBUG PROTOCOL attrib
call_expect "(big number) 1234567999999999999999999999999999999" DEBUG PROTOCOL bignum
# A command whose reply is a push gets it as its reply; SUBSCRIBE then streams what arrives
# (as redis-cli does) until the process is stopped: here by timeout, after a message came.
(
  for _ in $(seq 200); do  # publish once the subscriber is there (bounded: 200 looks)
    [[ $(cli PUBSUB NUMSUB ch | tail -1) == 1 ]] && break
    sleep 0.01
  done
  cli PUBLISH ch hello >/dev/null
) &
publisher=$!
got=$(timeout 3 "$BIN" call -3 --no-raw --address "$addr" SUBSCRIBE ch 2>&1)
rc=$?
want=$'Reading messages... (press Ctrl-C to quit)\n1) "subscribe"\n2) "ch"\n3) (integer) 1\n1) "message"\n2) "ch"\n3) "hello"'
[[ $rc == 124 && $got == "$want" ]] || fail "SUBSCRIBE stream: rc $rc, got '$got'"
wait "$publisher"

# -3 is RESP's: with the native protocol it is a usage error (78), before any connection (to a
# socket nobody listens on, which would be exit 69).
got=$(timeout 10 "$BIN" call -3 --protocol native --address "unix:$WORK/nobody.sock" PING 2>&1)
rc=$?
[[ $rc == 78 && $got == *"-3 needs --protocol resp"* ]] || fail "-3 with native: rc $rc, '$got'"

kill -TERM "$REDIS_PID"
wait "$REDIS_PID" || true
echo "tcpkit call -3: all checks passed"
