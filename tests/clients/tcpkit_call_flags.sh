# `tcpkit call` with redis-cli's flags, against redis-server 7.0 and redis-cli itself: the same
# command through both clients must print the same bytes (raw when stdout is not a terminal,
# as redis-cli's default; --no-raw; -n; -x; -r; -e's exit status and stderr; -s, -h/-p, -u;
# -a and REDISCLI_AUTH), and an unknown flag is a one-line usage error (exit 64) that sends
# nothing. redis-server runs on temporary Unix sockets; the TCP cases use tcpkit kv on port 0;
# every server is stopped by its pid.
source "$(dirname "$0")/../integration/peers/lib.sh"
need redis-server
need redis-cli

sock=$WORK/redis.sock
start_redis "$sock"

# same ARGS...: redis-cli ARGS and tcpkit call ARGS print the same stdout and exit alike. An
# argument %k becomes a key of each client's own (cli:N, tk:N), so commands that change state
# start from the same state for both.
keyno=0
same() {
  local want got want_rc got_rc a
  ((++keyno))
  local cli_args=() tk_args=()
  for a in "$@"; do
    cli_args+=("${a//%k/cli:$keyno}")
    tk_args+=("${a//%k/tk:$keyno}")
  done
  want=$(timeout 10 redis-cli "${cli_args[@]}" 2>/dev/null)
  want_rc=$?
  got=$(timeout 10 "$BIN" call "${tk_args[@]}" 2>/dev/null)
  got_rc=$?
  [[ $got == "$want" ]] || fail "tcpkit call $*: want '$want', got '$got'"
  [[ $got_rc == "$want_rc" ]] || fail "tcpkit call $*: exit $got_rc, redis-cli's $want_rc"
}

s=(-s "$sock")
redis-cli "${s[@]}" RPUSH l a "b c" "" >/dev/null
redis-cli "${s[@]}" HSET h f v g w >/dev/null
redis-cli "${s[@]}" ZADD z 1.5 m 2 n >/dev/null
for raw in "" --raw --no-raw; do
  for cmd in "GET nokey" "SET k v" "GET k" "INCR %k" "LRANGE l 0 -1" "HGETALL h" \
    "ZRANGE z 0 -1 WITHSCORES" "NOSUCH x" "LPUSH k x" "MGET k nokey" "EXISTS k l"; do
    # shellcheck disable=SC2086 # the command's words
    same "${s[@]}" $raw $cmd
  done
done
same "${s[@]}" -3 HGETALL h
same "${s[@]}" -3 --raw ZSCORE z m

# -n selects a database first; a refused SELECT is reported and the command still runs.
same "${s[@]}" -n 3 SET %k x
same "${s[@]}" -n 3 DBSIZE
same "${s[@]}" -n 3 GET %k
same "${s[@]}" -n 99 PING
got=$(timeout 10 "$BIN" call "${s[@]}" -n 99 PING 2>&1 >/dev/null)
[[ $got == "SELECT 99 failed: ERR DB index is out of range" ]] || fail "-n 99 stderr: '$got'"

# -x: the last argument from stdin, newline and all.
printf 'from stdin\n' | timeout 10 "$BIN" call "${s[@]}" -x SET piped >/dev/null ||
  fail "-x exited non-zero"
[[ $(redis-cli "${s[@]}" GET piped | od -c | head -1) == *"f   r   o   m"*"\n"* ]] ||
  fail "-x did not store stdin as it came"

# -r repeats; -i waits between repeats.
same "${s[@]}" -r 3 INCR %k
same "${s[@]}" -r 2 -i 0.01 INCR %k

# -e: an error reply goes to stderr and the exit status is 1.
same "${s[@]}" -e NOSUCH
got=$(timeout 10 "$BIN" call "${s[@]}" -e NOSUCH 2>&1 >/dev/null)
[[ $got == "ERR unknown command 'NOSUCH', with args beginning with: " ]] || fail "-e stderr: '$got'"

# Addresses over TCP: -h/-p and -u with a database, against tcpkit's own kv on a port the
# kernel picked (redis-server cannot report one), through both clients.
start_server kv --listen 127.0.0.1:0 --requirepass s3cret
port=$(port_of "${ADDRS[0]}")
same -h 127.0.0.1 -p "$port" --no-auth-warning -a s3cret PING
same -u "redis://:s3cret@127.0.0.1:$port/3" --no-auth-warning SET %k x
same -u "redis://default:s3cret@127.0.0.1:$port" --no-auth-warning -n 3 DBSIZE
same -u "redis://:s3cret@127.0.0.1:$port" --no-auth-warning DBSIZE
stop_server

# A password: -a warns on stderr, REDISCLI_AUTH does not; a wrong one is reported and the
# command runs unauthenticated.
psock=$WORK/pass.sock
start_redis "$psock" --requirepass s3cret
same -s "$psock" -a s3cret PING
same -s "$psock" --no-auth-warning -a s3cret --user default PING
same -s "$psock" -a wrong PING
got=$(REDISCLI_AUTH=s3cret timeout 10 "$BIN" call -s "$psock" PING 2>&1)
[[ $got == PONG ]] || fail "REDISCLI_AUTH: '$got'"
got=$(timeout 10 "$BIN" call -s "$psock" -a s3cret PING 2>&1 >/dev/null)
[[ $got == "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe." ]] ||
  fail "-a warning: '$got'"

# --pipe: the same report (stdout), the same errors (stderr) and exit status as redis-cli's;
# 200,000 commands (about 6 MB each way) must not deadlock on full socket buffers.
printf 'SET pa 1\r\nINCR pa\r\nNOSUCH\r\n*3\r\n$3\r\nSET\r\n$2\r\npb\r\n$1\r\n2\r\n' >"$WORK/pipe.in"
want=$(timeout 10 redis-cli "${s[@]}" --pipe <"$WORK/pipe.in" 2>"$WORK/want.err")
want_rc=$?
got=$(timeout 10 "$BIN" call "${s[@]}" --pipe <"$WORK/pipe.in" 2>"$WORK/got.err")
got_rc=$?
[[ $got == "$want" && $got_rc == "$want_rc" ]] || fail "--pipe: want '$want' ($want_rc), got '$got' ($got_rc)"
cmp -s "$WORK/want.err" "$WORK/got.err" || fail "--pipe stderr: $(cat "$WORK/got.err")"
# Input whose last request is cut short: the marker still arrives (CRLF first, as redis-cli).
printf '*3\r\n$3\r\nSET\r\n$2\r\npc\r\n$1\r\n2\r' >"$WORK/cut.in"
want=$(timeout 10 redis-cli "${s[@]}" --pipe <"$WORK/cut.in" 2>&1)
got=$(timeout 10 "$BIN" call "${s[@]}" --pipe <"$WORK/cut.in" 2>&1)
[[ $got == "$want" ]] || fail "--pipe of a cut request: want '$want', got '$got'"
python3 -c '
import sys
out = sys.stdout.buffer
for i in range(200000):
    k = b"bulk:%d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n" % (len(k), k))
' >"$WORK/bulk.resp"
got=$(timeout 60 "$BIN" call "${s[@]}" --pipe <"$WORK/bulk.resp" | tail -1)
[[ $got == "errors: 0, replies: 200000" ]] || fail "--pipe of 200,000 commands: '$got'"

# --scan [--pattern]: the same keys as redis-cli's (SCAN's order is its own: compared sorted).
want=$(timeout 10 redis-cli "${s[@]}" --scan --pattern 'cli:*' | sort)
got=$(timeout 10 "$BIN" call "${s[@]}" --scan --pattern 'cli:*' | sort)
[[ -n $got && $got == "$want" ]] || fail "--scan --pattern: want '$want', got '$got'"
[[ $(timeout 30 "$BIN" call "${s[@]}" --scan | wc -l) == $(redis-cli "${s[@]}" DBSIZE) ]] ||
  fail "--scan did not list every key"
got=$(timeout 10 "$BIN" call "${s[@]}" --scan GET x 2>&1)
[[ $? == 64 && $got == *"--scan takes no command"* ]] || fail "--scan with a command: '$got'"

# --stat: redis-cli's header and columns, a line per -i, -r lines; the requests column grows.
got=$(timeout 10 "$BIN" call "${s[@]}" --stat -i 0.05 -r 3)
[[ $(sed -n 1p <<<"$got") == "------- data ------ --------------------- load -------------------- - child -" &&
  $(sed -n 2p <<<"$got") == "keys       mem      clients blocked requests            connections          " ]] ||
  fail "--stat header: '$got'"
[[ $(wc -l <<<"$got") == 5 ]] || fail "--stat -r 3: '$got'"
keys=$(redis-cli "${s[@]}" DBSIZE)
[[ $(sed -n 3p <<<"$got") =~ ^[0-9]+\ +[0-9.]+[BKMG]\ +[0-9]+\ +0\ +[0-9]+\ \(\+0\)\ +[0-9]+ ]] ||
  fail "--stat first line: '$(sed -n 3p <<<"$got")'"
[[ $(sed -n 4p <<<"$got") == *"(+1)"* ]] || fail "--stat second line: '$(sed -n 4p <<<"$got")'"
((keys > 0)) || fail "no keys to count"

# An unknown flag is a usage error: one line, exit 64, nothing sent.
pings() { redis-cli "${s[@]}" INFO commandstats | grep cmdstat_ping || true; }
before=$(pings)
got=$(timeout 10 "$BIN" call "${s[@]}" --bogus PING 2>&1)
rc=$?
[[ $rc == 64 && $(wc -l <<<"$got") == 1 && $got == *"--bogus"* ]] ||
  fail "unknown flag: rc $rc, '$got'"
got=$(timeout 10 "$BIN" call "${s[@]}" -z PING 2>&1)
rc=$?
[[ $rc == 64 && $got == *"-z"* ]] || fail "unknown short flag: rc $rc, '$got'"
after=$(pings)
[[ $before == "$after" ]] || fail "an unknown flag sent a command: $before, then $after"

echo "tcpkit call flags: all checks passed"
