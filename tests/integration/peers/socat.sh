# socat as a client of `tcpkit serve`, and `tcpkit connect` against socat servers.
source "$(dirname "$0")/lib.sh"
need socat

head -c 1000000 /dev/urandom >"$WORK/blob"
printf 'hello from socat\n' >"$WORK/line"
sock="$WORK/tk.sock"

for model in reactors fork; do
  start_server echo --model "$model" --listen 127.0.0.1:0 --listen "unix:$sock"
  port=$(port_of "${ADDRS[0]}")
  timeout 20 socat -t 10 - "TCP:127.0.0.1:$port" <"$WORK/line" >"$WORK/out" || fail "socat line ($model)"
  cmp -s "$WORK/line" "$WORK/out" || fail "line echo differs ($model)"
  timeout 20 socat -t 10 - "TCP:127.0.0.1:$port" <"$WORK/blob" >"$WORK/out" || fail "socat blob ($model)"
  cmp -s "$WORK/blob" "$WORK/out" || fail "binary echo differs ($model)"
  timeout 20 socat -t 10 - "UNIX-CONNECT:$sock" <"$WORK/blob" >"$WORK/out" || fail "socat unix ($model)"
  cmp -s "$WORK/blob" "$WORK/out" || fail "unix echo differs ($model)"
  stop_server
done

# start_socat ADDRESS2: a one-shot socat TCP server on a free port; sets port and socat_pid.
start_socat() {
  local attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" "$1" 2>"$WORK/socat.err" &
    socat_pid=$!
    PIDS+=("$socat_pid")
    wait_listening "$port" && return 0
    kill -KILL "$socat_pid" 2>/dev/null
  done
  fail "socat did not listen: $(cat "$WORK/socat.err")"
}

# An echo peer: tcpkit connect sends stdin, half-closes, prints the echo, exits 0 on EOF.
start_socat EXEC:cat
rc=0
timeout 20 "$BIN" connect "127.0.0.1:$port" <"$WORK/blob" >"$WORK/out" || rc=$?
[[ $rc == 0 ]] || fail "tcpkit connect exited $rc against socat EXEC:cat"
cmp -s "$WORK/blob" "$WORK/out" || fail "tcpkit connect got a different echo from socat"
wait "$socat_pid"

# A peer that talks first and closes without reading: tcpkit connect prints it and exits 0
# when the peer closes, although its own stdin is still open.
start_socat "SYSTEM:echo hi"
exec 3< <(sleep 30)
sleeper=$!
PIDS+=("$sleeper")
rc=0
timeout 20 "$BIN" connect "127.0.0.1:$port" <&3 >"$WORK/out" || rc=$?
exec 3<&-
[[ $rc == 0 ]] || fail "tcpkit connect exited $rc when socat closed"
[[ $(cat "$WORK/out") == hi ]] || fail "expected 'hi', got '$(cat "$WORK/out")'"
wait "$socat_pid"
echo "ok"
