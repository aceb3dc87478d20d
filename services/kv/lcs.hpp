#pragma once
// The longest common subsequence of two strings, as LCS computes it: the classic dynamic
// programme over an (a+1) x (b+1) table of prefix LCS lengths, then one walk back from the
// bottom-right corner that collects the common characters and the runs of consecutive
// matches ("matches" of LCS ... IDX), last run first.
//
// Cost: O(a·b) time. Memory: the LCS length alone needs two rows, O(min(a, b)); the string or
// the runs need the whole table, held in 16-bit cells when the shorter string is below 65535
// bytes (it always is under the default proto-max-bulk-len), 32-bit ones otherwise. The
// command refuses, as Redis does, when 4·(a+1)·(b+1) exceeds proto-max-bulk-len: see fits().

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tcpkit::kv::lcs {

// Whether Redis 7.0 accepts the pair: its table of 32-bit cells fits in `max_bytes`.
bool fits(std::size_t a, std::size_t b, std::uint64_t max_bytes);

// The length of the LCS of `a` and `b`, in O(min(a, b)) memory.
std::uint64_t length(std::string_view a, std::string_view b);

// One run of consecutive matches: a[a_first..a_last] == b[b_first..b_last].
struct Match {
  std::uint64_t a_first, a_last, b_first, b_last;
  std::uint64_t size() const { return a_last - a_first + 1; }
};

struct Result {
  std::string common;          // the LCS itself
  std::vector<Match> matches;  // runs of at least min_match_len, last run first
  std::uint64_t length = 0;
};

// The LCS, its length and its runs (those shorter than `min_match_len` left out).
Result compute(std::string_view a, std::string_view b, std::uint64_t min_match_len);

}  // namespace tcpkit::kv::lcs
