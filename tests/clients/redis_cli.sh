# redis-cli against `tcpkit serve kv`: single commands with Redis's exact replies and errors,
# and --pipe mass insertion.
source "$(dirname "$0")/../integration/peers/lib.sh"
command -v redis-cli >/dev/null || fail "redis-cli is not installed (scripts/install-deps installs redis-tools)"

# expect WANT CMD...: runs redis-cli CMD against the server and compares its output.
expect() {
  local want=$1 got
  shift
  got=$(timeout 10 redis-cli -p "$PORT" "$@" 2>&1) || fail "redis-cli $* exited non-zero: $got"
  [[ $got == "$want" ]] || fail "redis-cli $*: want '$want', got '$got'"
}

for model in epoll reactors thread; do
  start_server kv --model "$model" --listen 127.0.0.1:0
  PORT=$(port_of "${ADDRS[0]}")
  expect PONG ping
  expect OK set greeting "hello world"
  expect "hello world" get greeting
  expect 11 strlen greeting
  expect 1 incr counter
  expect 11 incrby counter 10
  expect "ERR value is not an integer or out of range" incr greeting
  expect "ERR wrong number of arguments for 'get' command" get
  expect "ERR unknown command 'nosuchcmd', with args beginning with: 'a' " nosuchcmd a
  expect OK set temp v px 60000
  ttl=$(redis-cli -p "$PORT" pttl temp)
  ((ttl > 0 && ttl <= 60000)) || fail "pttl out of range: $ttl"
  expect "" get missing
  expect 3 dbsize
  expect OK flushall
  expect 0 dbsize
  stop_server
done

# Mass insertion: 20000 SETs as raw RESP through --pipe, as the Redis docs describe.
start_server kv --listen 127.0.0.1:0
PORT=$(port_of "${ADDRS[0]}")
python3 - "$WORK/mass.resp" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    for i in range(20000):
        key, value = b"key:%d" % i, b"value:%d" % i
        f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(value), value))
PY
out=$(timeout 60 redis-cli -p "$PORT" --pipe <"$WORK/mass.resp" 2>&1) || fail "redis-cli --pipe failed: $out"
[[ $out == *"errors: 0, replies: 20000"* ]] || fail "unexpected --pipe summary: $out"
expect 20000 dbsize
expect "value:12345" get key:12345
stop_server
echo "redis-cli: all checks passed"
