// Redis's stringmatchlen semantics in O(|pattern| * |text|) (theory of operation in glob.hpp).

#include "kv/glob.hpp"

#include <cstddef>
#include <utility>

namespace tcpkit::kv {

namespace {

// Redis recurses once per '*' and gives up past this nesting.
constexpr std::size_t kMaxStars = 1000;

// C's tolower() in the "C" locale, on a char promoted to int as Redis does (signed).
int fold(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

class Matcher {
 public:
  Matcher(std::string_view pattern, std::string_view text, bool nocase)
      : pattern_(pattern), text_(text), nocase_(nocase) {}

  bool run();
  std::uint64_t steps() const { return steps_; }

 private:
  // The pattern byte at i, or '\0' past the end (Redis reads the terminator of its sds).
  int at(std::size_t i) const {
    return i < pattern_.size() ? static_cast<signed char>(pattern_[i]) : 0;
  }
  bool same(int a, int b) const { return nocase_ ? fold(a) == fold(b) : a == b; }
  bool element(std::size_t& p, int c);
  bool klass(std::size_t& p, int c);
  bool at_end(std::size_t p);

  std::string_view pattern_;
  std::string_view text_;
  bool nocase_;
  std::uint64_t steps_ = 0;
};

// Matches the element at p (not a star) against byte c; on a match, p moves past the element.
bool Matcher::element(std::size_t& p, int c) {
  ++steps_;
  switch (at(p)) {
    case '?':
      ++p;
      return true;
    case '[':
      return klass(p, c);
    case '\\':
      if (pattern_.size() - p >= 2) ++p;
      [[fallthrough]];
    default:
      if (!same(at(p), c)) return false;
      ++p;
      return true;
  }
}

// The "[...]" element at p, step for step as stringmatchlen reads it.
bool Matcher::klass(std::size_t& p, int c) {
  const std::size_t m = pattern_.size();
  std::size_t q = p + 1;
  const bool negate = at(q) == '^';
  if (negate) ++q;
  bool match = false;
  for (;; ++q) {
    ++steps_;
    if (at(q) == '\\' && m - q >= 2) {
      ++q;
      if (at(q) == c) match = true;  // case-sensitive even in nocase mode, as in Redis
    } else if (at(q) == ']') {
      break;
    } else if (q == m) {
      --q;  // unterminated: the class ends with the pattern
      break;
    } else if (m - q >= 3 && at(q + 1) == '-') {
      int lo = at(q), hi = at(q + 2), x = c;
      if (lo > hi) std::swap(lo, hi);
      if (nocase_) lo = fold(lo), hi = fold(hi), x = fold(x);
      q += 2;
      if (x >= lo && x <= hi) match = true;
    } else if (same(at(q), c)) {
      match = true;
    }
  }
  if (negate) match = !match;
  if (!match) return false;
  p = q + 1;
  return true;
}

// After the last byte of text: the rest of the pattern must be stars.
bool Matcher::at_end(std::size_t p) {
  while (at(p) == '*') ++p, ++steps_;
  return p == pattern_.size();
}

bool Matcher::run() {
  // Redis's loop runs only while both remain: an empty text matches only an empty pattern.
  if (text_.empty()) return pattern_.empty();
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  const std::size_t m = pattern_.size(), n = text_.size();
  std::size_t p = 0, t = 0, stars = 0;
  // The latest star: where the pattern resumes after it, where its swallowed run ends, and
  // how many stars came before it and including it.
  std::size_t star_p = kNone, star_t = 0, star_count = 0;
  for (;;) {
    if (p < m && pattern_[p] == '*') {
      while (at(p + 1) == '*') ++p, ++steps_;
      ++steps_;
      ++stars;
      if (p + 1 == m) return true;          // a trailing star takes the rest
      if (stars > kMaxStars) return false;  // Redis's nesting guard
      star_p = p + 1, star_t = t, star_count = stars;
      p = star_p;
      continue;
    }
    if (p < m && element(p, static_cast<signed char>(text_[t]))) {
      if (++t < n) continue;
      if (at_end(p)) return true;
    }
    // Mismatch, or pattern or text used up too early: the latest star swallows one more byte.
    if (star_p == kNone || ++star_t >= n) return false;
    t = star_t, p = star_p, stars = star_count;
  }
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool nocase,
                std::uint64_t* steps) {
  Matcher matcher(pattern, text, nocase);
  const bool matched = matcher.run();
  if (steps != nullptr) *steps = matcher.steps();
  return matched;
}

}  // namespace tcpkit::kv
