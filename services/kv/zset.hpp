#pragma once
// SortedSet: the payload of a sorted-set key — distinct binary-safe members, each with a double
// score, ordered by (score, member bytes) — plus the score texts of Redis 7.0 (parsing ZADD's
// scores and ZRANGEBYSCORE's bounds, formatting replies).
//
// Two encodings, as Redis 7.0 has them and OBJECT ENCODING reports them:
//
//   listpack  one contiguous vector of {score, member}, kept sorted; every operation is a
//             binary search plus a shift, or a linear scan by member (N <= 128, so cheap).
//   skiplist  a Dict member → node (O(1) ZSCORE, ZADD's lookup) plus a ZSkipList ordered by
//             (score, member) whose spans answer rank queries in O(log N).
//
// A set is "listpack" while it holds at most zset-max-listpack-entries members of at most
// zset-max-listpack-value bytes; the write that crosses either threshold converts it to "skiplist"
// for good (Redis never converts back, except a store destination — ZUNIONSTORE, ZRANGESTORE, ... —
// whose encoding is chosen by the result: assign_sorted()). A listpack stores a score of -0 as
// 0, as Redis's listpack does. Not thread-safe: guarded by the Store's mutex.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kv/dict.hpp"
#include "kv/encoding_limits.hpp"
#include "kv/zskiplist.hpp"

namespace tcpkit::kv {

// A score as ZADD, ZINCRBY and WEIGHTS take it (Redis's strict float parse: strtod, no leading
// space, nothing after, no NaN, no overflow or underflow to 0); nullopt otherwise.
std::optional<double> parse_score(std::string_view s);
// The reply text of a score: printf's %.17g ("0.10000000000000001", "1e+17", "inf", "-0").
std::string format_score(double score);

// The text a listpack stores for a score, which ZSCAN of a listpack-encoded set replies: an
// integral score within +-2^62 as an integer ("100000000000000000", -0 as "0"), any other as
// format_score() writes it.
std::string format_packed_score(double score);

// One end of a score range: "1.5", "(1.5" (exclusive), "-inf", "+inf". Lenient like strtod:
// leading spaces and "" (0) pass, trailing characters and NaN do not.
struct ScoreBound {
  double value = 0;
  bool exclusive = false;
};
std::optional<ScoreBound> parse_score_bound(std::string_view s);

// One end of a lex range: "-", "+", "[member" (inclusive) or "(member" (exclusive).
struct LexBound {
  enum class Kind : std::uint8_t { kMinusInf, kPlusInf, kInclusive, kExclusive };
  Kind kind = Kind::kMinusInf;
  std::string_view member;  // a view into the argument
};
std::optional<LexBound> parse_lex_bound(std::string_view s);

class SortedSet {
 public:
  struct Element {
    double score = 0;
    std::string member;
  };

  SortedSet() = default;
  SortedSet(const SortedSet& other);
  SortedSet& operator=(const SortedSet&) = delete;
  ~SortedSet();

  std::size_t size() const { return index_ ? index_->list.size() : packed_.size(); }
  bool empty() const { return size() == 0; }
  bool listpack() const { return index_ == nullptr; }
  // Bytes owned: this object, the vector or the nodes, dict entries and buckets, the members.
  std::size_t bytes() const;

  // Replaces the (empty) contents by `sorted` (ascending, distinct members), encoded as Redis
  // encodes a store destination: listpack when small enough, whatever this set was.
  void assign_sorted(std::vector<Element> sorted, const EncodingLimits& limits);

  // The score of `member`, or nullopt.
  std::optional<double> score(std::string_view member);
  // Sets the score of `member`; true when the member is new. May convert to skiplist.
  bool set(std::string_view member, double score, const EncodingLimits& limits);
  // Removes `member`; false when absent.
  bool erase(std::string_view member);
  // The 0-based rank (ascending) of `member`, or nullopt.
  std::optional<std::size_t> rank(std::string_view member);

  // The element at 0-based rank `r` (< size()): O(log N).
  std::pair<std::string_view, double> at(std::size_t r) const;
  // Calls fn(member, score) for `count` elements from rank `start` (< size()), ascending, or
  // descending from there when `reverse`. O(log N + count).
  template <class Fn>
  void for_ranks(std::size_t start, std::size_t count, bool reverse, Fn&& fn) const;
  // Removes the `count` elements from rank `start` on: O(log N + count).
  void erase_ranks(std::size_t start, std::size_t count);

  // How many elements score below `score` (at most `score` when `inclusive`): O(log N).
  std::size_t count_score_below(double score, bool inclusive) const;
  // How many elements come before the first member >= `member` (> when `inclusive`), searched by
  // member alone: exact when all scores are equal (Redis's lex commands require it).
  std::size_t count_member_below(std::string_view member, bool inclusive) const;
  // The rank range [first, last) a score range covers.
  std::pair<std::size_t, std::size_t> score_ranks(ScoreBound min, ScoreBound max) const;
  // The rank range [first, last) a lex range covers.
  std::pair<std::size_t, std::size_t> lex_ranks(const LexBound& min, const LexBound& max) const;

  // Converts a listpack set to the skiplist encoding (SORT does, as Redis's does); no-op
  // otherwise.
  void convert_to_skiplist() {
    if (!index_) to_skiplist();
  }

  // One ZSCAN step over a skiplist-encoded set's dict (see Dict::scan); fn(member, score).
  template <class Fn>
  std::uint64_t scan(std::uint64_t cursor, Fn&& fn) const;

 private:
  using Node = ZSkipList::Node;
  struct Index {
    ZSkipList list;
    Dict<std::string_view, Node*> dict;
  };

  static std::size_t node_cost(const Node& n);
  std::size_t packed_find(std::string_view member) const;  // size() when absent
  void packed_insert(double score, std::string member);
  void to_skiplist();
  void index_insert(double score, std::string member);

  std::vector<Element> packed_;   // listpack encoding: sorted by (score, member)
  std::unique_ptr<Index> index_;  // skiplist encoding, or nullptr
  std::size_t element_bytes_ = 0;
};

template <class Fn>
void SortedSet::for_ranks(std::size_t start, std::size_t count, bool reverse, Fn&& fn) const {
  if (!index_) {
    for (std::size_t i = 0; i < count; ++i) {
      const Element& e = packed_[reverse ? start - i : start + i];
      fn(std::string_view(e.member), e.score);
    }
    return;
  }
  Node* x = index_->list.at(start);
  for (std::size_t i = 0; i < count && x != nullptr; ++i) {
    fn(std::string_view(x->member), x->score);
    x = reverse ? x->prev() : x->next();
  }
}

template <class Fn>
std::uint64_t SortedSet::scan(std::uint64_t cursor, Fn&& fn) const {
  return index_->dict.scan(cursor, [&](const auto& e) { fn(e.key, e.value->score); });
}

}  // namespace tcpkit::kv
