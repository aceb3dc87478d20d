# `tcpkit call help ...` answers from its own table, byte for byte as redis-cli 7.0 answers
# (its colours and CRLFs included): every command and container of redis-server's COMMAND
# LIST, every group, subcommands, unknown topics; without a server to ask. And -w bounds the
# wait for a reply: a server that accepts and never answers ends the call with exit 75 within
# the timeout. redis-server runs on a temporary Unix socket; every process is stopped by its pid.
source "$(dirname "$0")/../integration/peers/lib.sh"
need redis-server
need redis-cli

sock=$WORK/redis.sock
start_redis "$sock"

# same_help TOPIC...: redis-cli help TOPIC and tcpkit call help TOPIC write the same bytes.
same_help() {
  timeout 10 redis-cli -s "$sock" help "$@" >"$WORK/want" 2>&1
  timeout 10 "$BIN" call -s "$WORK/nothing-listens-here" help "$@" >"$WORK/got" 2>&1 ||
    fail "tcpkit call help $*: exit $?"
  cmp -s "$WORK/want" "$WORK/got" ||
    fail "help $*: want $(od -c "$WORK/want" | head -3), got $(od -c "$WORK/got" | head -3)"
}

mapfile -t names < <(redis-cli -s "$sock" COMMAND LIST)
((${#names[@]} > 200)) || fail "COMMAND LIST gave ${#names[@]} names"
for name in "${names[@]}"; do same_help "$name"; done
for group in bitmap cluster connection generic geo hash hyperloglog list pubsub scripting \
  server set sorted-set stream string transactions; do
  same_help "@$group"
done
same_help @STRING
same_help client kill
same_help Object Encoding
same_help nosuch
same_help GET extra
same_help @nosuch
got=$(timeout 10 "$BIN" call '?' set | head -2 | tail -1)
[[ $got == *"SET"*"key value [NX|XX]"* ]] || fail "? set: '$got'"
got=$(timeout 10 "$BIN" call help)
[[ $(head -1 <<<"$got") == "tcpkit call "* && $got == *'"help <command>" for help on <command>'* ]] ||
  fail "help: '$got'"

# -w: a listener that accepts and never answers.
silent_peer tcp
port=$SILENT_PORT
start=$(date +%s%N)
got=$(timeout 20 "$BIN" call -p "$port" -w 0.5 PING 2>&1)
rc=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[[ $rc == 75 && $got == *"no reply within 0.5s"* ]] || fail "-w 0.5, silent server: rc $rc, '$got'"
((elapsed_ms < 5000)) || fail "-w 0.5 took $elapsed_ms ms"
got=$(timeout 10 "$BIN" call -w 0 PING 2>&1)
[[ $? == 64 && $(wc -l <<<"$got") == 1 ]] || fail "-w 0: '$got'"

echo "tcpkit call help and -w: all checks passed"
