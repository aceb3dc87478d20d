# tcpkit's own clients end to end: `tcpkit call` over RESP and the native protocol, `tcpkit
# connect --framing` against `serve echo --framing`, and RESP protocol errors from a raw peer.
source "$(dirname "$0")/../integration/peers/lib.sh"
command -v ncat >/dev/null || fail "ncat is not installed (scripts/install-deps installs it)"

# call_expect WANT ARGS...: tcpkit call ARGS must print exactly WANT.
call_expect() {
  local want=$1 got
  shift
  got=$(timeout 10 "$BIN" call "$@" 2>&1) || fail "tcpkit call $* exited non-zero: $got"
  [[ $got == "$want" ]] || fail "tcpkit call $*: want '$want', got '$got'"
}

for protocol in resp native; do
  start_server kv --protocol "$protocol" --listen 127.0.0.1:0
  a=(--no-raw --protocol "$protocol" --address "${ADDRS[0]}")
  call_expect OK "${a[@]}" SET k "hello world"
  call_expect '"hello world"' "${a[@]}" GET k
  call_expect "(integer) 5" "${a[@]}" INCRBY n 5
  call_expect "(nil)" "${a[@]}" GET missing
  call_expect $'1) "hello world"\n2) (nil)' "${a[@]}" MGET k missing
  call_expect "(error) ERR value is not an integer or out of range" "${a[@]}" INCR k
  # The interactive prompt reads commands from stdin too.
  got=$(printf 'SET x 1\nGET x\n' | timeout 10 "$BIN" call "${a[@]}" 2>&1 | grep -v '^$')
  [[ $got == *'"1"'* ]] || fail "interactive call ($protocol): $got"
  stop_server
done

# tcpkit bench with redis-benchmark's flags: -h/-p, -t TESTS, --test-time with a unit, and a
# command after -- (bench's own options there are refused: they would be sent as arguments).
start_server kv --listen 127.0.0.1:0
port=$(port_of "${ADDRS[0]}")
got=$(timeout 60 "$BIN" bench resp -h 127.0.0.1 -p "$port" -t set,get -n 500 -q 2>&1) ||
  fail "bench -h -p -t: exit $?: $got"
[[ $got == "SET: "*$'\n'"GET: "* && $(wc -l <<<"$got") == 2 ]] || fail "bench -t set,get: '$got'"
# --hdr-out: each test's spectrum in HdrHistogram's .hgrm text, a file per test.
timeout 60 "$BIN" bench resp -p "$port" -t set,get -n 500 -q --hdr-out "$WORK/lat.hgrm" >/dev/null ||
  fail "bench --hdr-out: exit $?"
for t in set get; do
  f=$WORK/lat.$t.hgrm
  [[ $(head -1 "$f") == "       Value     Percentile TotalCount 1/(1-Percentile)" ]] ||
    fail "$f header: $(head -1 "$f")"
  grep -qE '^ +[0-9.]+ 1\.000000000000 +500$' "$f" || fail "$f has no 100% row of 500"
  grep -q '^#\[Max' "$f" || fail "$f has no footer"
done
got=$(timeout 60 "$BIN" bench resp 127.0.0.1:"$port" -t ping --test-time 300ms -q 2>&1) ||
  fail "bench --test-time 300ms: exit $?: $got"
[[ $got == "PING: "* ]] || fail "bench --test-time: '$got'"
timeout 60 "$BIN" bench resp -p "$port" -r 50 -n 500 -q -- HSET h __rand_int__ v >/dev/null ||
  fail "bench -- HSET: exit $?"
hlen=$(timeout 10 "$BIN" call -p "$port" HLEN h)
((hlen > 1 && hlen <= 50)) || fail "bench -r 50 -- HSET made $hlen fields"
got=$(timeout 10 "$BIN" bench resp -p "$port" -- HSET h __rand_int__ v -r 1000 2>&1)
[[ $? == 64 && $got == *"-r after the command"* ]] || fail "bench option after --: '$got'"
got=$(timeout 10 "$BIN" bench resp -p "$port" --duration 1x 2>&1)
[[ $? == 64 && $got == *"must be seconds"* ]] || fail "bench --duration 1x: '$got'"
stop_server

# A malformed RESP request gets Redis's error, the connection closes, the server stays up.
start_server kv --listen 127.0.0.1:0
port=$(port_of "${ADDRS[0]}")
got=$(printf '*1\r\n$abc\r\n' | timeout 10 ncat 127.0.0.1 "$port" 2>&1)
[[ $got == $'-ERR Protocol error: invalid bulk length\r' ]] || fail "protocol error reply: '$got'"
got=$(printf 'SET k "unbalanced\r\n' | timeout 10 ncat 127.0.0.1 "$port" 2>&1)
[[ $got == $'-ERR Protocol error: unbalanced quotes in request\r' ]] || fail "quotes: '$got'"
call_expect PONG --address "${ADDRS[0]}" PING
stop_server

# Framed echo: whole messages come back; an oversized line closes only that connection.
start_server echo --framing length --listen 127.0.0.1:0
got=$(printf 'one\ntwo words\nthree' | timeout 10 "$BIN" connect --framing length "${ADDRS[0]}")
[[ $got == $'one\ntwo words\nthree' ]] || fail "length framing: '$got'"
stop_server
start_server echo --framing line --max-frame 16 --listen 127.0.0.1:0
got=$(printf 'short\r\nanother line\n' | timeout 10 "$BIN" connect --framing line "${ADDRS[0]}")
[[ $got == $'short\nanother line' ]] || fail "line framing: '$got'"
got=$(printf 'ok\n0123456789abcdefXYZ\nnever echoed\n' | timeout 10 "$BIN" connect "${ADDRS[0]}")
[[ $got == "ok" ]] || fail "oversized line should end the connection after 'ok': '$got'"
got=$(printf 'still here\n' | timeout 10 "$BIN" connect "${ADDRS[0]}")
[[ $got == "still here" ]] || fail "server after an oversized line: '$got'"
stop_server
echo "tcpkit tools: all checks passed"
