# Protected mode against real sockets, next to redis-server: in a network namespace of its own
# (uniquely named, always deleted) with 192.0.2.1/24 on a dummy interface (a veth pair where
# the dummy driver is missing), `tcpkit serve kv --listen 0.0.0.0:0` must answer a client
# connecting from 192.0.2.1 with Redis's DENIED error and close, and a client on 127.0.0.1
# with PONG; redis-server in the same namespace must send the very same bytes.
# Needs root (CI runs as root): without it this test fails, it does not skip.
source "$(dirname "$0")/../integration/peers/lib.sh"
[[ $(id -u) == 0 ]] || fail "protected_mode.sh must run as root: it creates a network namespace"
need ip
need redis-server
need python3

NS="tcpkit-pm-$$-$RANDOM"
ip netns add "$NS" || fail "ip netns add $NS failed"
trap 'cleanup; ip netns delete "$NS" 2>/dev/null' EXIT
in_ns() { ip netns exec "$NS" "$@"; }

in_ns ip link set lo up || fail "lo up in $NS"
if in_ns ip link add tk0 type dummy 2>/dev/null; then
  in_ns ip addr add 192.0.2.1/24 dev tk0 && in_ns ip link set tk0 up || fail "dummy setup"
else
  in_ns ip link add tk0 type veth peer name tk1 || fail "neither dummy nor veth interfaces work"
  in_ns ip addr add 192.0.2.1/24 dev tk0 && in_ns ip link set tk0 up && in_ns ip link set tk1 up ||
    fail "veth setup"
fi

# probe SRC DST PORT MODE: connects from SRC to DST:PORT inside the namespace; MODE "ping"
# sends PING, "eof" sends nothing and half-closes; prints what arrived until EOF, as Python's
# repr of the bytes ("<timeout>" after 10 s without EOF).
probe() {
  in_ns python3 - "$@" <<'PY'
import socket, sys
src, dst, port, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
s = socket.socket()
s.settimeout(10)
s.bind((src, 0))
s.connect((dst, port))
if mode == "ping":
    s.sendall(b"PING\r\n")
else:
    s.shutdown(socket.SHUT_WR)
got = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        got += d
        if mode == "ping" and got == b"+PONG\r\n":
            break
except socket.timeout:
    got += b"<timeout>"
except ConnectionResetError:
    got += b"<reset>"
print(repr(got))
PY
}

# kv in the namespace, on every address, port chosen by the kernel.
: >"$WORK/ready"
ip netns exec "$NS" "$BIN" serve kv --listen 0.0.0.0:0 >"$WORK/ready" 2>"$WORK/server.err" &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
for ((i = 0; i < 600; i++)); do
  grep -q "listening on " "$WORK/ready" && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "kv exited: $(cat "$WORK/server.err")"
  sleep 0.05
done
line=$(head -n1 "$WORK/ready")
[[ $line == *"listening on "* ]] || fail "no ready line from tcpkit serve kv: '$line'"
KV_PORT=$(sed -E 's/.*listening on [^ ]*:([0-9]+).*/\1/' <<<"$line")

# redis-server in the namespace: the namespace is new, so any fixed port is free there.
REDIS_PORT=6390
ip netns exec "$NS" redis-server --port "$REDIS_PORT" --save '' --appendonly no --dir "$WORK" \
  >"$WORK/redis.out" 2>&1 &
PIDS+=("$!")
for ((i = 0; i < 600; i++)); do
  [[ $(probe 127.0.0.1 127.0.0.1 "$REDIS_PORT" ping 2>/dev/null) == "b'+PONG\\r\\n'" ]] && break
  sleep 0.05
done

# What redis-server sends a remote client: the DENIED line at accept, then a close. Probed with
# a client that only half-closes: one that sends PING may race the close into a reset.
denied=$(probe 192.0.2.1 192.0.2.1 "$REDIS_PORT" eof)
# (repr() picks double quotes: the text holds single quotes.)
[[ $denied == 'b"-DENIED Redis is running in protected mode because '*'from the outside.\r\n"' ]] ||
  fail "redis-server did not deny 192.0.2.1: $denied"
[[ $(probe 127.0.0.1 127.0.0.1 "$REDIS_PORT" ping) == "b'+PONG\\r\\n'" ]] ||
  fail "redis-server did not answer PONG on 127.0.0.1"

# kv sends the same bytes, then closes (FIN, no reset), whether the client spoke or not.
for mode in eof ping; do
  got=$(probe 192.0.2.1 192.0.2.1 "$KV_PORT" "$mode")
  [[ $got == "$denied" ]] || fail "remote client ($mode): kv sent $got, redis-server sent $denied"
done
got=$(probe 127.0.0.1 127.0.0.1 "$KV_PORT" ping)
[[ $got == "b'+PONG\\r\\n'" ]] || fail "kv on 127.0.0.1: want PONG, got $got"

# --protected-mode no serves the remote client.
stop_server
: >"$WORK/ready"
ip netns exec "$NS" "$BIN" serve kv --listen 0.0.0.0:0 --protected-mode no >"$WORK/ready" 2>"$WORK/server.err" &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
for ((i = 0; i < 600; i++)); do
  grep -q "listening on " "$WORK/ready" && break
  sleep 0.05
done
KV_PORT=$(sed -E 's/.*listening on [^ ]*:([0-9]+).*/\1/' <<<"$(head -n1 "$WORK/ready")")
got=$(probe 192.0.2.1 192.0.2.1 "$KV_PORT" ping)
[[ $got == "b'+PONG\\r\\n'" ]] || fail "kv --protected-mode no, remote client: got $got"
stop_server
echo "protected mode: kv and redis-server send the same DENIED bytes; loopback served"
