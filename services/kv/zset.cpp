// SortedSet and the score texts (see zset.hpp).

#include "kv/zset.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "kv/value.hpp"

namespace tcpkit::kv {

std::optional<double> parse_score(std::string_view s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0])) != 0) return std::nullopt;
  std::string copy(s);  // strtod needs a terminator
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) return std::nullopt;
  return v;
}

std::string format_score(double score) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof(buf), "%.17g", score);
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string format_packed_score(double score) {
  constexpr double kLimit = 4611686018427387904.0;  // 2^62
  if (score >= -kLimit && score <= kLimit) {
    const auto whole = static_cast<long long>(score);
    if (static_cast<double>(whole) == score) return std::to_string(whole);
  }
  return format_score(score);
}

std::optional<ScoreBound> parse_score_bound(std::string_view s) {
  ScoreBound bound;
  if (!s.empty() && s[0] == '(') {
    bound.exclusive = true;
    s.remove_prefix(1);
  }
  std::string copy(s);
  char* end = nullptr;
  bound.value = std::strtod(copy.c_str(), &end);
  // Redis checks the character strtod stopped at, so an embedded NUL ends the number too.
  if (*end != '\0' || std::isnan(bound.value)) return std::nullopt;
  return bound;
}

std::optional<LexBound> parse_lex_bound(std::string_view s) {
  if (s == "-") return LexBound{LexBound::Kind::kMinusInf, {}};
  if (s == "+") return LexBound{LexBound::Kind::kPlusInf, {}};
  if (s.empty() || (s[0] != '[' && s[0] != '(')) return std::nullopt;
  return LexBound{s[0] == '[' ? LexBound::Kind::kInclusive : LexBound::Kind::kExclusive,
                  s.substr(1)};
}

SortedSet::SortedSet(const SortedSet& other) : packed_(other.packed_) {
  for (const Element& e : packed_) element_bytes_ += string_heap_bytes(e.member);
  if (other.index_) {
    index_ = std::make_unique<Index>();
    for (Node* x = other.index_->list.first(); x != nullptr; x = x->next()) {
      index_insert(x->score, x->member);
    }
  }
}

SortedSet::~SortedSet() = default;

std::size_t SortedSet::bytes() const {
  std::size_t b = sizeof(SortedSet) + packed_.capacity() * sizeof(Element) + element_bytes_;
  if (index_) {
    b += sizeof(Index) + ZSkipList::node_bytes(ZSkipList::kMaxLevel) + index_->dict.bucket_bytes();
  }
  return b;
}

std::size_t SortedSet::node_cost(const Node& n) {
  return ZSkipList::node_bytes(n.height) + string_heap_bytes(n.member) +
         sizeof(Dict<std::string_view, Node*>::Entry);
}

void SortedSet::assign_sorted(std::vector<Element> sorted, const EncodingLimits& limits) {
  TCPKIT_ASSERT(empty());
  std::size_t longest = 0;
  for (const Element& e : sorted) longest = std::max(longest, e.member.size());
  if (sorted.size() <= static_cast<std::uint64_t>(limits.zset_max_listpack_entries) &&
      longest <= static_cast<std::uint64_t>(limits.zset_max_listpack_value)) {
    index_.reset();
    packed_ = std::move(sorted);
    for (Element& e : packed_) {
      if (e.score == 0) e.score = 0;  // a listpack keeps -0 as 0
      element_bytes_ += string_heap_bytes(e.member);
    }
    return;
  }
  if (!index_) index_ = std::make_unique<Index>();
  for (Element& e : sorted) index_insert(e.score, std::move(e.member));
}

std::size_t SortedSet::packed_find(std::string_view member) const {
  for (std::size_t i = 0; i < packed_.size(); ++i) {
    if (packed_[i].member == member) return i;
  }
  return packed_.size();
}

void SortedSet::packed_insert(double score, std::string member) {
  if (score == 0) score = 0;  // a listpack keeps -0 as 0
  auto at = std::lower_bound(
      packed_.begin(), packed_.end(), score,
      [&](const Element& e, double s) { return zset_less(e.score, e.member, s, member); });
  packed_.insert(at, Element{score, std::move(member)});
}

void SortedSet::index_insert(double score, std::string member) {
  Node* n = index_->list.insert(score, std::move(member));
  index_->dict.insert_new(std::string_view(n->member), n);
  element_bytes_ += node_cost(*n);
}

void SortedSet::to_skiplist() {
  std::vector<Element> old = std::move(packed_);
  packed_ = std::vector<Element>();
  element_bytes_ = 0;
  index_ = std::make_unique<Index>();
  for (Element& e : old) index_insert(e.score, std::move(e.member));
}

std::optional<double> SortedSet::score(std::string_view member) {
  if (!index_) {
    const std::size_t i = packed_find(member);
    if (i == packed_.size()) return std::nullopt;
    return packed_[i].score;
  }
  auto* e = index_->dict.find(member);
  if (e == nullptr) return std::nullopt;
  return e->value->score;
}

bool SortedSet::set(std::string_view member, double score, const EncodingLimits& limits) {
  if (!index_) {
    const std::size_t i = packed_find(member);
    if (i < packed_.size()) {
      if (packed_[i].score == score) return false;
      std::string kept = std::move(packed_[i].member);
      packed_.erase(packed_.begin() + static_cast<std::ptrdiff_t>(i));
      packed_insert(score, std::move(kept));
      return false;
    }
    if (member.size() <= static_cast<std::uint64_t>(limits.zset_max_listpack_value) &&
        packed_.size() < static_cast<std::uint64_t>(limits.zset_max_listpack_entries)) {
      packed_insert(score, std::string(member));
      element_bytes_ += string_heap_bytes(packed_[packed_find(member)].member);
      return true;
    }
    to_skiplist();
  }
  if (auto* e = index_->dict.find(member)) {
    if (e->value->score != score) index_->list.update_score(e->value, score);
    return false;
  }
  index_insert(score, std::string(member));
  return true;
}

bool SortedSet::erase(std::string_view member) {
  if (!index_) {
    const std::size_t i = packed_find(member);
    if (i == packed_.size()) return false;
    element_bytes_ -= string_heap_bytes(packed_[i].member);
    packed_.erase(packed_.begin() + static_cast<std::ptrdiff_t>(i));
    return true;
  }
  auto* e = index_->dict.find(member);
  if (e == nullptr) return false;
  Node* node = e->value;
  element_bytes_ -= node_cost(*node);
  index_->dict.erase(member);
  index_->list.erase(node);
  return true;
}

std::optional<std::size_t> SortedSet::rank(std::string_view member) {
  if (!index_) {
    const std::size_t i = packed_find(member);
    if (i == packed_.size()) return std::nullopt;
    return i;
  }
  auto* e = index_->dict.find(member);
  if (e == nullptr) return std::nullopt;
  return index_->list.rank(e->value);
}

std::pair<std::string_view, double> SortedSet::at(std::size_t r) const {
  if (!index_) return {packed_[r].member, packed_[r].score};
  const Node* n = index_->list.at(r);
  return {n->member, n->score};
}

void SortedSet::erase_ranks(std::size_t start, std::size_t count) {
  if (!index_) {
    auto first = packed_.begin() + static_cast<std::ptrdiff_t>(start);
    auto last = first + static_cast<std::ptrdiff_t>(count);
    for (auto it = first; it != last; ++it) element_bytes_ -= string_heap_bytes(it->member);
    packed_.erase(first, last);
    return;
  }
  index_->list.erase_ranks(start, count, [&](Node& n) {
    element_bytes_ -= node_cost(n);
    index_->dict.erase(n.member);
  });
}

std::size_t SortedSet::count_score_below(double score, bool inclusive) const {
  if (index_) return index_->list.count_score_below(score, inclusive);
  auto it = std::partition_point(packed_.begin(), packed_.end(), [&](const Element& e) {
    return inclusive ? e.score <= score : e.score < score;
  });
  return static_cast<std::size_t>(it - packed_.begin());
}

std::size_t SortedSet::count_member_below(std::string_view member, bool inclusive) const {
  if (index_) return index_->list.count_member_below(member, inclusive);
  auto it = std::partition_point(packed_.begin(), packed_.end(), [&](const Element& e) {
    return inclusive ? std::string_view(e.member) <= member : std::string_view(e.member) < member;
  });
  return static_cast<std::size_t>(it - packed_.begin());
}

std::pair<std::size_t, std::size_t> SortedSet::score_ranks(ScoreBound min, ScoreBound max) const {
  const std::size_t first = count_score_below(min.value, min.exclusive);
  const std::size_t last = count_score_below(max.value, !max.exclusive);
  return {first, std::max(first, last)};
}

std::pair<std::size_t, std::size_t> SortedSet::lex_ranks(const LexBound& min,
                                                         const LexBound& max) const {
  auto position = [&](const LexBound& b, bool is_max) -> std::size_t {
    switch (b.kind) {
      case LexBound::Kind::kMinusInf:
        return 0;
      case LexBound::Kind::kPlusInf:
        return size();
      case LexBound::Kind::kInclusive:
        return count_member_below(b.member, is_max);
      case LexBound::Kind::kExclusive:
        return count_member_below(b.member, !is_max);
    }
    return 0;
  };
  const std::size_t first = position(min, false);
  const std::size_t last = position(max, true);
  return {first, std::max(first, last)};
}

}  // namespace tcpkit::kv
