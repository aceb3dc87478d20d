#pragma once
// Glob matching with the exact semantics of Redis 7.0's stringmatchlen() (util.c), in time
// O(|pattern| * |text|) instead of the recursive matcher's exponential worst case
// (KEYS *a*a*a*a*a*a*a*a*a*a*a*a*a*b against a long run of 'a').
//
// Theory of operation. A pattern is a sequence of elements; every element but '*' consumes
// exactly one byte of text:
//
//   *        any run of bytes (consecutive stars are one element)
//   ?        any byte
//   [...]    a class: [abc], [^abc] (negated), [a-z] (a range, ends swapped if reversed),
//            \x inside a class is the literal x; an unterminated class runs to the pattern's end
//   \x       the literal x (a trailing lone backslash is itself)
//   x        the literal x (ASCII case-folded when nocase)
//
// How an element parses depends only on the pattern, never on the text, so the match is the
// classic wildcard problem. The matcher walks pattern and text forward; on a mismatch it
// returns to the most recent '*' and lets it swallow one more byte. Going back to an earlier
// '*' is never needed: if the pattern after the latest star matches no suffix starting at or
// after where that star began, a longer match for an earlier star only starts it later (this
// is the argument behind Redis's own skipLongerMatches). The star's start only moves forward,
// so there are at most |text| retries of at most |pattern| bytes each.
//
// Redis's quirks kept on purpose (the differential test against redis-server checks them):
//   - an empty text matches only the empty pattern ("*" does not match "");
//   - inside a class, "\x" compares case-sensitively even in nocase mode, and a range compares
//     bytes as signed chars (bytes >= 0x80 sort below ASCII);
//   - "[a-]" is a range from 'a' to ']', so the class goes on after it;
//   - Redis gives up (no match) when it would recurse past nesting 1000, i.e. on reaching the
//     1001st '*' that is not the pattern's last element; so does this matcher.
//
// Pure functions; thread-safe.

#include <cstdint>
#include <string_view>

namespace tcpkit::kv {

// True when `text` matches `pattern` (Redis's stringmatchlen). `steps`, when given, receives
// the number of pattern bytes examined: the work done, for tests of the complexity bound
// (at most (|pattern| + 1) * (|text| + 1)).
bool glob_match(std::string_view pattern, std::string_view text, bool nocase = false,
                std::uint64_t* steps = nullptr);

}  // namespace tcpkit::kv
