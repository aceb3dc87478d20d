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

fail() { echo "FAIL: $*" >&2; exit 1; }
# A missing peer is a failure, not a skip: scripts/install-deps installs every one of them.
need() { command -v "$1" >/dev/null || fail "$1 is not installed (run make deps)"; }

# start_server ARGS...: runs `tcpkit serve ARGS`, waits (10 s at most) for the ready line,
# sets SERVER_PID and ADDRS (the addresses of the ready line, one per array entry).
start_server() {
  "$BIN" serve "$@" >"$WORK/ready" 2>"$WORK/server.err" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  local i
  for ((i = 0; i < 200; i++)); do
    grep -q 'listening on' "$WORK/ready" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited: $(cat "$WORK/server.err")"
    sleep 0.05
  done
  local line
  line=$(head -n1 "$WORK/ready")
  [[ $line == *"listening on "* ]] || fail "no ready line: $(cat "$WORK/server.err")"
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
