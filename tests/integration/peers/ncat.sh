# ncat as a client of `tcpkit serve`, and `tcpkit connect` against `ncat -l`.
source "$(dirname "$0")/lib.sh"
need ncat

head -c 1000000 /dev/urandom >"$WORK/blob"
printf 'hello from ncat\n' >"$WORK/line"

for model in epoll thread iterative; do
  start_server echo --model "$model" --listen 127.0.0.1:0
  port=$(port_of "${ADDRS[0]}")
  # ncat half-closes on stdin EOF and prints until the server closes.
  timeout 20 ncat 127.0.0.1 "$port" <"$WORK/line" >"$WORK/out" || fail "ncat line ($model)"
  cmp -s "$WORK/line" "$WORK/out" || fail "line echo differs ($model)"
  timeout 20 ncat 127.0.0.1 "$port" <"$WORK/blob" >"$WORK/out" || fail "ncat blob ($model)"
  cmp -s "$WORK/blob" "$WORK/out" || fail "binary echo differs ($model)"
  stop_server
done

# tcpkit connect as the client of an ncat server: both directions, half-close, exit 0.
printf 'from ncat\n' >"$WORK/ncat_says"
printf 'from tcpkit\n' >"$WORK/tcpkit_says"
for attempt in 1 2 3 4 5; do
  port=$(free_port)
  ncat -l 127.0.0.1 "$port" <"$WORK/ncat_says" >"$WORK/ncat_got" 2>"$WORK/ncat.err" &
  ncat_pid=$!
  PIDS+=("$ncat_pid")
  wait_listening "$port" && break
  kill -KILL "$ncat_pid" 2>/dev/null
done
rc=0
timeout 20 "$BIN" connect "127.0.0.1:$port" <"$WORK/tcpkit_says" >"$WORK/tcpkit_got" || rc=$?
[[ $rc == 0 ]] || fail "tcpkit connect exited $rc against ncat -l"
wait "$ncat_pid" || fail "ncat -l failed: $(cat "$WORK/ncat.err")"
cmp -s "$WORK/ncat_says" "$WORK/tcpkit_got" || fail "tcpkit connect did not print what ncat sent"
cmp -s "$WORK/tcpkit_says" "$WORK/ncat_got" || fail "ncat did not get what tcpkit connect sent"
echo "ok"
