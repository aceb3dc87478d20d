# tcpkit bench with redis-benchmark's flags, against redis-server 7.0 and redis-benchmark
# itself: -n sends exactly N requests, -c opens N connections, -d sizes the values, -r names
# the same keys, -P pipelines, -q prints redis-benchmark's line and --csv its header and
# columns; -a says AUTH on every connection; memtier's --key-pattern draws Zipf, Gaussian and
# sequential keys (counted on the server); --data-verify reads back what the tests wrote and
# fails on a changed value; several addresses load each with its own connections. Usage errors
# are one line, exit 64. redis-server runs on temporary Unix sockets, stopped by their pids.
source "$(dirname "$0")/../integration/peers/lib.sh"
need redis-server
need redis-benchmark

a=$WORK/a.sock
b=$WORK/b.sock
start_redis "$a"
start_redis "$b"
cli() { redis-cli -s "$a" "$@"; }
tk() { timeout 60 "$BIN" bench resp -s "$a" "$@"; }
rb() { timeout 60 redis-benchmark -s "$a" "$@"; }

# -n -c -P: exactly N requests through both tools (INCR of one counter each). With -P,
# redis-benchmark rounds N up to whole batches (1234 at -P 3 sends 1236); tcpkit sends N.
cli FLUSHALL >/dev/null
tk -n 1234 -c 7 -q -- INCR tk >/dev/null || fail "bench -n -c: exit $?"
rb -n 1234 -c 7 -q INCR rb >/dev/null
tk -n 1236 -c 7 -P 3 -q -- INCR tkp >/dev/null || fail "bench -n -c -P: exit $?"
rb -n 1236 -c 7 -P 3 -q INCR rbp >/dev/null
tk -n 1234 -c 7 -P 3 -q -- INCR tkp3 >/dev/null || fail "bench -n -c -P: exit $?"
[[ $(cli GET tk) == 1234 && $(cli GET rb) == 1234 ]] ||
  fail "-n 1234: tcpkit made $(cli GET tk), redis-benchmark $(cli GET rb)"
[[ $(cli GET tkp) == 1236 && $(cli GET rbp) == 1236 && $(cli GET tkp3) == 1234 ]] ||
  fail "-n -P 3: tcpkit made $(cli GET tkp) and $(cli GET tkp3), redis-benchmark $(cli GET rbp)"
before=$(cli INFO stats | tr -d '\r' | sed -n 's/^total_connections_received://p')
tk -n 100 -c 9 -q -- PING >/dev/null
after=$(cli INFO stats | tr -d '\r' | sed -n 's/^total_connections_received://p')
((after - before == 10)) || fail "-c 9 opened $((after - before - 1)) connections"

# -d and -r: the same key names and value sizes as redis-benchmark's SET test.
cli FLUSHALL >/dev/null
rb -t set -n 2000 -r 10 -d 100 -q >/dev/null
want=$(cli KEYS '*' | sort)
want_len=$(cli STRLEN key:000000000007)
cli FLUSHALL >/dev/null
tk -t set -n 2000 -r 10 -d 100 -q >/dev/null || fail "bench -t set -r -d: exit $?"
got=$(cli KEYS '*' | sort)
[[ $got == "$want" && $(wc -l <<<"$got") == 10 ]] || fail "-r 10 keys: want '$want', got '$got'"
[[ $(cli STRLEN key:000000000007) == "$want_len" && $want_len == 100 ]] ||
  fail "-d 100: want $want_len bytes, got $(cli STRLEN key:000000000007)"

# -q: redis-benchmark's last line per test, numbers aside; --csv: its header and columns.
shape() { tr '\r' '\n' | grep -E '^[A-Z]+: [0-9.]+ requests per second' | sed 's/[0-9]/9/g; s/9\+/9/g'; }
want=$(rb -t set,get -n 2000 -q | shape)
got=$(tk -t set,get -n 2000 -q | shape)
[[ -n $got && $got == "$want" ]] || fail "-q: want '$want', got '$got'"
want=$(rb -t set,get -n 2000 --csv)
got=$(tk -t set,get -n 2000 --csv)
[[ $(head -1 <<<"$got") == "$(head -1 <<<"$want")" ]] ||
  fail "--csv header: want '$(head -1 <<<"$want")', got '$(head -1 <<<"$got")'"
csv_shape() { sed 's/"[0-9.]*"/N/g' <<<"$1"; }
[[ $(csv_shape "$got") == "$(csv_shape "$want")" ]] || fail "--csv rows: want '$want', got '$got'"

# --key-pattern: Zipf (key 0 gets 1/H(1000) = 13.4% of 20,000 INCRs), Gaussian (around the
# middle, nothing at the edge), sequential (one connection: every key once).
cli FLUSHALL >/dev/null
tk -n 20000 -r 1000 --key-pattern Z -q -- INCR c:__rand_int__ >/dev/null || fail "Z: exit $?"
hot=$(cli GET c:000000000000)
((hot > 2400 && hot < 2950)) || fail "--key-pattern Z: key 0 got $hot of 20000, want ~2672"
cli FLUSHALL >/dev/null
tk -n 20000 -r 1000 --key-pattern G -q -- INCR c:__rand_int__ >/dev/null || fail "G: exit $?"
middle=$(cli GET c:000000000500)
edge=$(cli GET c:000000000000)
((middle > 30 && ${edge:-0} < 5)) || fail "--key-pattern G: middle $middle, edge ${edge:-0}"
cli FLUSHALL >/dev/null
tk -c 1 -n 1000 -r 1000 --key-pattern S -q -- INCR c:__rand_int__ >/dev/null || fail "S: exit $?"
[[ $(cli DBSIZE) == 1000 && $(cli GET c:000000000999) == 1 ]] ||
  fail "--key-pattern S: $(cli DBSIZE) keys"

# --data-verify: the values read back are those written; one changed value fails (exit 65).
cli FLUSHALL >/dev/null
got=$(tk -t set,get -n 5000 -r 1000 --data-verify -q) || fail "--data-verify: exit $?: $got"
[[ $got == *"data-verify unix:$a: 1000 keys, "*" written, 0 wrong" ]] || fail "--data-verify: '$got'"
cli SET key:000000000005 changed >/dev/null
got=$(tk -t get -n 100 -r 1000 --data-verify -q 2>&1)
[[ $? == 65 && $got == *"key:000000000005 holds '\"changed\"'"* && $got == *", 1 wrong"* ]] ||
  fail "--data-verify of a changed value: '$got'"

# Several targets: each gets its own connections and half of -n.
redis-cli -s "$b" FLUSHALL >/dev/null
cli FLUSHALL >/dev/null
timeout 60 "$BIN" bench resp "unix:$a,unix:$b" -c 3 -n 2000 -q -- INCR n >/dev/null ||
  fail "two targets: exit $?"
[[ $(cli GET n) == 1000 && $(redis-cli -s "$b" GET n) == 1000 ]] ||
  fail "two targets: $(cli GET n) and $(redis-cli -s "$b" GET n) of 2000"

# -a: AUTH on every connection; a wrong password is one line and exit 77.
p=$WORK/pass.sock
start_redis "$p" --requirepass s3cret
got=$(timeout 60 "$BIN" bench resp -s "$p" -a s3cret -c 4 -n 400 -q -- INCR n 2>&1) ||
  fail "-a s3cret: exit $?: $got"
[[ $(redis-cli -s "$p" --no-auth-warning -a s3cret GET n) == 400 ]] || fail "-a: INCRs lost"
got=$(timeout 60 "$BIN" bench resp -s "$p" -a wrong -n 10 -q 2>&1)
[[ $? == 77 && $(wc -l <<<"$got") == 1 && $got == *WRONGPASS* ]] || fail "-a wrong: '$got'"
timeout 60 "$BIN" bench resp -s "$p" -n 10 -q >/dev/null 2>&1
[[ $? == 74 ]] || fail "no -a against a password: exit $?, want 74 (NOAUTH replies)"

# Usage errors: one line naming the problem and --help, exit 64.
for bad in "-c 0" "-P 0" "--key-pattern X" "--key-pattern R:" "--key-zipf-exp 0" \
  "--data-verify -n 10" "--data-verify -r 10 -d 5" "-r 10 --data-verify -- GET k" "--threads 0" \
  "-p 70000" "--bogus"; do
  # shellcheck disable=SC2086 # the flags
  got=$(timeout 10 "$BIN" bench resp -s "$a" $bad 2>&1)
  rc=$?
  [[ $rc == 64 && $(wc -l <<<"$got") == 1 && $got == "tcpkit bench: "*"; see tcpkit bench --help" ]] ||
    fail "bench $bad: rc $rc, '$got'"
done

echo "tcpkit bench flags: all checks passed"
