# Shared helpers for the real-peer tests. Sourced by each script; $1 of the script is the
# tcpkit binary. Every wait is a bounded loop; every process started is killed by its pid.
set -u
BIN=${1:?usage: $0 path/to/tcpkit}
WORK=$(mktemp -d /tmp/tcpkit-peers-XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  # What the server under test said, and whether it still runs, to explain the failure.
  if [[ -n ${SERVER_PID:-} ]]; then
    kill -0 "$SERVER_PID" 2>/dev/null && echo "server $SERVER_PID still running" >&2 ||
      echo "server $SERVER_PID is gone" >&2
    [[ -s $WORK/server.err ]] && sed 's/^/server: /' "$WORK/server.err" >&2
  fi
  exit 1
}
# A missing peer is a failure, not a skip: scripts/install-deps installs every one of them.
need() { command -v "$1" >/dev/null || fail "$1 is not installed (run make deps)"; }

# start_server ARGS...: runs `tcpkit serve ARGS`, waits (30 s at most: CI runs tests in
# parallel on 2 cores) for the ready line, sets SERVER_PID and ADDRS (the addresses of the
# ready line, one per array entry).
start_server() {
  # Emptied here, in this shell: the background child truncates its redirections only when
  # it gets to run, and until then the file would still hold the previous server's line.
  : >"$WORK/ready"
  : >"$WORK/server.err"
  "$BIN" serve "$@" >"$WORK/ready" 2>"$WORK/server.err" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  local deadline=$((SECONDS + 30)) line=""
  while ((SECONDS < deadline)); do
    line=$(head -n1 "$WORK/ready" 2>/dev/null)
    [[ $line == *"listening on "*")" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited: $(cat "$WORK/server.err")"
    sleep 0.05
  done
  if [[ $line != *"listening on "*")" ]]; then
    fail "no ready line from 'tcpkit serve $*' within 30 s (pid $SERVER_PID, state" \
      "$(awk '{print $3}' "/proc/$SERVER_PID/stat" 2>/dev/null), stdout '$line'," \
      "stderr '$(cat "$WORK/server.err")')"
  fi
  line=${line#*listening on }
  line=${line% (model*}
  IFS=',' read -r -a ADDRS <<<"${line//, /,}"
}

stop_server() {
  kill -TERM "$SERVER_PID"
  local rc=0
  wait "$SERVER_PID" || rc=$?
  [[ $rc == 0 ]] || fail "server exited $rc after SIGTERM: $(cat "$WORK/server.err")"
}

# free_port: a port the kernel just handed out on 127.0.0.1 (the caller retries on a clash).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_listening PORT: until something listens on 127.0.0.1:PORT (5 s at most).
wait_listening() {
  local hex i
  hex=$(printf '%04X' "$1")
  for ((i = 0; i < 100; i++)); do
    grep -q "0100007F:$hex 00000000:0000 0A" /proc/net/tcp && return 0
    sleep 0.05
  done
  return 1
}

# port_of ADDR: "127.0.0.1:4000" -> 4000
port_of() { echo "${1##*:}"; }

# start_redis SOCK [ARGS...]: a redis-server on Unix socket SOCK only (no TCP, no persistence),
# stopped by its pid at exit; waits (30 s at most) until it answers PING, with PONG or, when
# ARGS set a password, NOAUTH.
start_redis() {
  local sock=$1
  shift
  redis-server --port 0 --unixsocket "$sock" --save '' --appendonly no --dir "$WORK" "$@" \
    >"$sock.log" 2>&1 &
  PIDS+=("$!")
  local pid=$! deadline=$((SECONDS + 30))
  until [[ -S $sock ]] && redis-cli -s "$sock" PING 2>&1 | grep -q -e PONG -e NOAUTH; do
    kill -0 "$pid" 2>/dev/null || fail "redis-server exited: $(cat "$sock.log")"
    ((SECONDS < deadline)) || fail "redis-server not ready on $sock within 30 s"
    sleep 0.05
  done
}

# silent_peer tcp|udp: a peer on 127.0.0.1 that takes what it is sent and never answers (TCP:
# accepts, then reads nothing), stopped at exit; sets SILENT_PORT.
silent_peer() {
  python3 -c '
import socket, sys, time
tcp = sys.argv[1] == "tcp"
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
if tcp:
    s.listen()
print(s.getsockname()[1], flush=True)
if tcp:
    conn, _ = s.accept()
time.sleep(120)
' "$1" >"$WORK/silent.$1" &
  PIDS+=("$!")
  local deadline=$((SECONDS + 30))
  until [[ -s $WORK/silent.$1 ]]; do
    ((SECONDS < deadline)) || fail "the silent $1 peer did not start"
    sleep 0.05
  done
  SILENT_PORT=$(cat "$WORK/silent.$1")
}
