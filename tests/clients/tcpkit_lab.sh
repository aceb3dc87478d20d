# `tcpkit lab models --quick`: every model runs, the table has a row per model and connection
# count, and the figures say what each model is: iterative serves one connection of many,
# fork has a process per connection, thread a thread per connection, epoll serves them all
# with one loop.
set -u
BIN=${1:?usage: tcpkit_lab.sh path/to/tcpkit}
fail() {
  echo "FAIL: $*" >&2
  echo "$out" >&2
  exit 1
}
out=$(timeout 120 "$BIN" lab models --quick 2>&1) || fail "exit $?"
[[ $(grep -c '^| [a-z]* | [0-9]* |' <<<"$out") == 15 ]] || fail "not 15 rows"
grep -q '^| iterative | 200 | .* | 1 of 200 | ' <<<"$out" || fail "iterative served more than one"
grep -qE '^\| fork \| 200 \| .* \| 200 of 200 \| [0-9]+ \| 20[0-9] \|' <<<"$out" ||
  fail "fork: not a process per connection"
grep -qE '^\| thread \| 200 \| .* \| 200 of 200 \| 20[0-9] \| 1 \|' <<<"$out" ||
  fail "thread: not a thread per connection"
grep -qE '^\| epoll \| 200 \| .* \| 200 of 200 \| [1-3] \| 1 \|' <<<"$out" ||
  fail "epoll: not one loop for all"
[[ $(grep -c '^- ' <<<"$out") == 5 ]] || fail "not a sentence per model"
echo "tcpkit lab models: ok"
