# `tcpkit connect` as people use ncat: HOST PORT, -U PATH, -z, -C, --send-only, --recv-only,
# and -l (listen) with -k, against tcpkit's own servers and listeners, loopback only, port 0.
source "$(dirname "$0")/../integration/peers/lib.sh"

# listen_bg OUT ARGS...: `tcpkit connect -l ARGS` in the background, its stdout to OUT; sets
# LPID and LPORT (from its "listening on" line on stderr, the kernel's port for :0).
listen_bg() {
  local out=$1
  shift
  : >"$WORK/listen.err"
  "$BIN" connect -l "$@" >"$out" 2>"$WORK/listen.err" </dev/null &
  LPID=$!
  PIDS+=("$LPID")
  local deadline=$((SECONDS + 30))
  until grep -q "listening on" "$WORK/listen.err"; do
    kill -0 "$LPID" 2>/dev/null || fail "listener exited: $(cat "$WORK/listen.err")"
    ((SECONDS < deadline)) || fail "no listening line within 30 s"
    sleep 0.05
  done
  LPORT=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$WORK/listen.err" | head -1)
}

# wait_exit PID: waits for PID, a child of this shell (30 s at most); sets RC to its exit status.
# (Called as a plain command: in a $(...) subshell `wait` would not know the child.)
wait_exit() {
  local deadline=$((SECONDS + 30))
  while kill -0 "$1" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]; do
    ((SECONDS < deadline)) || fail "process $1 still running after 30 s"
    sleep 0.05
  done
  RC=0
  wait "$1" || RC=$?
}

# HOST PORT, as ncat takes it, against the echo server.
start_server echo --listen 127.0.0.1:0
port=$(port_of "${ADDRS[0]}")
got=$(echo hello | timeout 10 "$BIN" connect 127.0.0.1 "$port")
[[ $got == hello ]] || fail "HOST PORT: '$got'"
got=$(echo hello | timeout 10 "$BIN" connect 127.0.0.1:"$port")
[[ $got == hello ]] || fail "HOST:PORT: '$got'"

# -z: exit 0 for a port that accepts, nothing sent; the refusal code for one that does not.
timeout 10 "$BIN" connect -z 127.0.0.1 "$port" || fail "-z on an open port: exit $?"
stop_server
timeout 10 "$BIN" connect -z 127.0.0.1 "$port" 2>/dev/null
rc=$?
[[ $rc == 69 ]] || fail "-z on a closed port: exit $rc, want 69"

# -4/-6: only addresses of that family (a name that has none is exit 68).
start_server echo --listen 127.0.0.1:0 --listen "[::1]:0"
port4=$(port_of "${ADDRS[0]}")
port6=$(port_of "${ADDRS[1]}")
got=$(echo four | timeout 10 "$BIN" connect -4 localhost "$port4")
[[ $got == four ]] || fail "-4 localhost: '$got'"
got=$(echo six | timeout 10 "$BIN" connect -6 ::1 "$port6")
[[ $got == six ]] || fail "-6 ::1: '$got'"
got=$(echo x | timeout 10 "$BIN" connect -4 ::1 "$port6" 2>&1)
[[ $? == 68 && $got == *"no IPv4 address"* ]] || fail "-4 ::1: '$got'"
stop_server

# -U: a Unix socket by path.
start_server echo --listen "unix:$WORK/echo.sock"
got=$(echo over-unix | timeout 10 "$BIN" connect -U "$WORK/echo.sock")
[[ $got == over-unix ]] || fail "-U: '$got'"
stop_server

# -l: one connection received to stdout; the sender's stdin EOF ends it for both. (The
# listeners here are --recv-only, as `ncat -l --recv-only > file`: with stdin at EOF at once,
# a listener that also sent would half-close first and the sender could stop before it sent.)
listen_bg "$WORK/l1.out" --recv-only 127.0.0.1:0
printf 'line one\nline two\n' | timeout 10 "$BIN" connect 127.0.0.1 "$LPORT" >/dev/null ||
  fail "sending to the listener: exit $?"
wait_exit "$LPID"
[[ $RC == 0 ]] || fail "the listener exited $RC: $(cat "$WORK/listen.err")"
[[ $(cat "$WORK/l1.out") == $'line one\nline two' ]] || fail "-l received '$(cat "$WORK/l1.out")'"

# -C: LF becomes CRLF on the wire (a CRLF already there stays one).
listen_bg "$WORK/l2.out" --recv-only 127.0.0.1:0
printf 'a\nb\r\nc\n' | timeout 10 "$BIN" connect -C 127.0.0.1 "$LPORT" >/dev/null
wait_exit "$LPID"
[[ $(od -An -c "$WORK/l2.out" | tr -s ' ') == " a \r \n b \r \n c \r \n" ]] ||
  fail "-C sent: $(od -An -c "$WORK/l2.out")"

# -k: the listener takes the next connection after each one closes.
listen_bg "$WORK/l3.out" -k --recv-only 127.0.0.1:0
for n in 1 2 3; do
  echo "client $n" | timeout 10 "$BIN" connect 127.0.0.1 "$LPORT" >/dev/null ||
    fail "-k: client $n: exit $?"
done
deadline=$((SECONDS + 30))
until [[ $(wc -l <"$WORK/l3.out") == 3 ]]; do
  ((SECONDS < deadline)) || fail "-k received '$(cat "$WORK/l3.out")'"
  sleep 0.05
done
kill -0 "$LPID" 2>/dev/null || fail "-k: the listener exited"
kill -TERM "$LPID"

# --send-only: exits once stdin is sent, whatever the peer sends; --recv-only: reads no stdin.
start_server echo --listen 127.0.0.1:0
port=$(port_of "${ADDRS[0]}")
got=$(echo dropped | timeout 10 "$BIN" connect --send-only 127.0.0.1 "$port")
[[ $? == 0 && -z $got ]] || fail "--send-only printed '$got'"
stop_server
listen_bg "$WORK/l4.out" 127.0.0.1:0
"$BIN" connect --recv-only 127.0.0.1 "$LPORT" >"$WORK/r.out" 2>&1 </dev/zero &
RPID=$!
PIDS+=("$RPID")
wait_exit "$LPID"  # the listener's stdin is /dev/null: it sends nothing, closes
wait_exit "$RPID"
[[ $RC == 0 ]] || fail "--recv-only exited $RC: $(cat "$WORK/r.out")"
[[ ! -s $WORK/l4.out ]] || fail "--recv-only sent '$(cat "$WORK/l4.out")' (stdin is /dev/zero)"

# A refused datagram names the address (not an fd) and says why.
got=$(echo x | timeout 10 "$BIN" connect --udp 127.0.0.1 1 2>&1)
[[ $? == 69 && $got == "tcpkit connect: 127.0.0.1:1: Connection refused (nothing listens on that UDP port)" ]] ||
  fail "refused datagram: '$got'"

# UDP with a server that never answers: at stdin EOF it waits a second for replies and exits 0
# (never hangs); -w 2 asks it to wait two.
silent_peer udp
uport=$SILENT_PORT
for wait in "" 2; do
  start=$(date +%s%N)
  echo x | timeout 10 "$BIN" connect -u ${wait:+-w $wait} 127.0.0.1 "$uport"
  rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  want=${wait:-1}
  [[ $rc == 0 ]] && ((ms >= want * 1000 - 50 && ms < want * 1000 + 2000)) ||
    fail "-u ${wait:+-w $wait} against a silent server: exit $rc after $ms ms"
done

# Usage errors are one line, exit 64.
got=$(timeout 10 "$BIN" connect -k 127.0.0.1 1 2>&1)
[[ $? == 64 && $got == *"-k needs -l"* ]] || fail "-k without -l: '$got'"
got=$(timeout 10 "$BIN" connect 2>&1)
[[ $? == 64 && $(wc -l <<<"$got") == 1 ]] || fail "no address: '$got'"

echo "tcpkit connect as ncat: all checks passed"
