# `tcpkit connect --udp` against `tcpkit serve --udp` (and socat as a UDP client).
source "$(dirname "$0")/lib.sh"

start_server echo --udp --listen 127.0.0.1:0 --listen "unix:$WORK/dgram.sock"
rc=0
printf 'ping\n' | timeout 20 "$BIN" connect --udp -w 1 "${ADDRS[0]}" >"$WORK/out" || rc=$?
[[ $rc == 0 ]] || fail "tcpkit connect --udp exited $rc"
[[ $(cat "$WORK/out") == ping ]] || fail "expected 'ping', got '$(cat "$WORK/out")'"
rc=0
printf 'over unix\n' | timeout 20 "$BIN" connect --udp -w 1 "${ADDRS[1]}" >"$WORK/out" || rc=$?
[[ $rc == 0 ]] || fail "tcpkit connect --udp (unix) exited $rc"
[[ $(cat "$WORK/out") == "over unix" ]] || fail "unix datagram: got '$(cat "$WORK/out")'"
if command -v socat >/dev/null; then
  port=$(port_of "${ADDRS[0]}")
  printf 'from socat\n' | timeout 20 socat -t 1 - "UDP:127.0.0.1:$port" >"$WORK/out" || fail "socat udp"
  [[ $(cat "$WORK/out") == "from socat" ]] || fail "socat udp: got '$(cat "$WORK/out")'"
fi
stop_server
echo "ok"
