# The generated man pages and bash completion (scripts/gen-docs, built with tcpkit): a page per
# subcommand naming its flags, and completion that offers subcommands and each one's flags.
set -u
docs=${1:?usage: docs_check.sh BUILD/docs}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
for page in tcpkit tcpkit-serve tcpkit-connect tcpkit-call tcpkit-bench tcpkit-lab; do
  f=$docs/man1/$page.1
  [[ -s $f ]] || fail "no man page $f"
  grep -q '^\.TH' "$f" || fail "$f is not a man page"
done
# roff writes a dash as \-
grep -qF -- '\-\-model' "$docs/man1/tcpkit-serve.1" || fail "tcpkit-serve.1 lacks --model"
grep -qF -- '\-\-pipe' "$docs/man1/tcpkit-call.1" || fail "tcpkit-call.1 lacks --pipe"
grep -qF -- '\-\-recv\-only' "$docs/man1/tcpkit-connect.1" || fail "tcpkit-connect.1 lacks --recv-only"
grep -q '^tcpkit-call \\-' "$docs/man1/tcpkit-call.1" || fail "tcpkit-call.1 misnamed"
grep -qF -- '\-\-quick' "$docs/man1/tcpkit-lab.1" || fail "tcpkit-lab.1 lacks lab models' --quick"
grep -qF -- '\-\-key\-pattern' "$docs/man1/tcpkit-bench.1" || fail "tcpkit-bench.1 lacks --key-pattern"

# complete WORDS...: what the completion offers for the last word.
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));
           _tcpkit; printf "%s\n" "${COMPREPLY[@]}"' _ "$docs/tcpkit.bash" "$@"
}
[[ $(complete_words tcpkit se) == serve ]] || fail "tcpkit se<TAB>: $(complete_words tcpkit se)"
got=$(complete_words tcpkit call --p | tr '\n' ' ')
[[ $got == *--pass* && $got == *--pattern* && $got == *--pipe* ]] ||
  fail "tcpkit call --p<TAB>: $got"
[[ $(complete_words tcpkit lab m) == models ]] || fail "tcpkit lab m<TAB>: $(complete_words tcpkit lab m)"
[[ $(complete_words tcpkit serve k) == kv ]] || fail "tcpkit serve k<TAB>: $(complete_words tcpkit serve k)"
echo "docs: man pages and completion ok"
