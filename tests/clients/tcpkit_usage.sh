# Every subcommand's usage errors: exit 64, one line on stderr that starts with the command
# ("tcpkit bench: ...") and names what is wrong, nothing on stdout, no help dump and no
# 309-digit range. Nothing here reaches a server: the address 127.0.0.1:1 is never dialled.
source "$(dirname "$0")/../integration/peers/lib.sh"

# check WANT_IN_MESSAGE ARGS...
check() {
  local want=$1
  shift
  timeout 10 "$BIN" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
  local rc=$? err
  err=$(cat "$WORK/err")
  [[ $rc == 64 ]] || fail "tcpkit $*: exit $rc, want 64 ($err)"
  [[ ! -s $WORK/out ]] || fail "tcpkit $*: wrote on stdout: $(head -3 "$WORK/out")"
  [[ $(wc -l <"$WORK/err") == 1 && $err == tcpkit* ]] || fail "tcpkit $*: stderr '$err'"
  ((${#err} < 240)) || fail "tcpkit $*: a ${#err}-character error"
  [[ $err == *"$want"* ]] || fail "tcpkit $*: '$err' does not say '$want'"
}

check "'bogus' is not a subcommand (there are serve connect call bench lab)" bogus
check "unknown option --bogus" --bogus
check "'nosuch' is not a subcommand (there are models)" lab nosuch
check "not expected: --bogus; see tcpkit serve --help" serve echo --bogus
check "--threads must not be negative, got -1" serve echo --threads -1
check "--threads must be a whole number, got 'x'" serve echo --threads x
check "--max-connections: must be a positive number, got 0" serve echo --max-connections 0
check "--model: x not in" serve echo --model x
check "address 'nonsense': missing port" serve echo --listen nonsense
check "an address is required; see tcpkit connect --help" connect
check "--wait: must not be negative, got -1" connect -w -1 127.0.0.1:1
check "port must be a number from 0 to 65535" connect 127.0.0.1:99999
check "-k needs -l" connect -k 127.0.0.1 1
check "unknown option --bogus; see tcpkit call --help" call --bogus PING
check "-n must be a whole number, got 'x'" call -n x PING
check "-p: Value 99999 not in range 0 to 65535" call -p 99999 PING
check "--timeout: must be a positive number, got 0" call -w 0 PING
check "-u takes redis://" call -u http://x PING
check "--pattern needs --scan" call --pattern 'a*'
check "workload is required; see tcpkit bench --help" bench
check "--connections: must be a positive number, got 0" bench resp 127.0.0.1:1 -c 0
check "--requests: must be a positive number, got -1" bench resp 127.0.0.1:1 -n -1
check "--requests: must be a number, got 'x'" bench resp 127.0.0.1:1 -n x
check "--keyspace: must not be negative, got -5" bench resp 127.0.0.1:1 -r -5
check "--data-size: must be a positive number, got 0" bench resp 127.0.0.1:1 -d 0
check "unknown test 'nosuch'" bench resp 127.0.0.1:1 -t nosuch
check "must be seconds" bench resp 127.0.0.1:1 --duration 1x
check "--rate: must not be negative, got -1" bench resp 127.0.0.1:1 -R -1
check "--key-pattern takes R" bench resp 127.0.0.1:1 --key-pattern Q
check "--user needs -a PASSWORD" bench resp 127.0.0.1:1 --user u
check "-r after the command" bench resp 127.0.0.1:1 -- HSET h __rand_int__ v -r 1000
echo "tcpkit usage errors: all checks passed"
