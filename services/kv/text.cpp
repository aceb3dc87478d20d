// Number parsing and formatting with Redis's rules, and Redis's glob matcher.

#include "kv/text.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace tcpkit::kv {

std::optional<std::int64_t> parse_int(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s == "0") return 0;
  std::size_t digits_at = s[0] == '-' ? 1 : 0;
  if (digits_at >= s.size() || s[digits_at] < '1' || s[digits_at] > '9') return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<long double> parse_long_double(std::string_view s) {
  constexpr std::size_t kMaxChars = 5 * 1024;  // Redis's MAX_LONG_DOUBLE_CHARS
  if (s.empty() || s.size() >= kMaxChars) return std::nullopt;
  if (std::isspace(static_cast<unsigned char>(s[0])) != 0) return std::nullopt;
  std::string copy(s);  // strtold needs a terminator
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || v == 0.0L)) return std::nullopt;
  if (std::isnan(v)) return std::nullopt;
  return v;
}

std::string format_long_double(long double v) {
  char buf[5 * 1024 + 64];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof(buf)) return "0";
  std::string_view text(buf, static_cast<std::size_t>(n));
  if (text.find('.') != std::string_view::npos) {
    while (text.back() == '0') text.remove_suffix(1);
    if (text.back() == '.') text.remove_suffix(1);
  }
  if (text == "-0") text = "0";
  return std::string(text);
}

void append_int(std::string& out, std::int64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), n);
  (void)ec;
  out.append(buf, end);
}

bool is_int_encodable(std::string_view s) { return s.size() <= 20 && parse_int(s).has_value(); }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

namespace {

char fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches a "[...]" class at p (just after '['); advances p to its closing ']'.
bool match_class(std::string_view pattern, std::size_t& p, char c, bool nocase) {
  bool negate = p < pattern.size() && pattern[p] == '^';
  if (negate) ++p;
  bool match = false;
  for (; p < pattern.size() && pattern[p] != ']'; ++p) {
    if (pattern[p] == '\\' && p + 1 < pattern.size()) {
      ++p;
      if (fold(pattern[p], nocase) == fold(c, nocase)) match = true;
    } else if (p + 2 < pattern.size() && pattern[p + 1] == '-') {
      char lo = fold(pattern[p], nocase);
      char hi = fold(pattern[p + 2], nocase);
      if (lo > hi) std::swap(lo, hi);
      p += 2;
      char x = fold(c, nocase);
      if (x >= lo && x <= hi) match = true;
    } else if (fold(pattern[p], nocase) == fold(c, nocase)) {
      match = true;
    }
  }
  if (p >= pattern.size()) p = pattern.size() - 1;  // unterminated: Redis stops at the end
  return negate ? !match : match;
}

bool match_from(std::string_view pattern, std::size_t p, std::string_view text, std::size_t t,
                bool nocase, int depth) {
  if (depth > 1000) return false;  // Redis's nesting guard against pathological patterns
  while (p < pattern.size() && t < text.size()) {
    switch (pattern[p]) {
      case '*':
        while (p + 1 < pattern.size() && pattern[p + 1] == '*') ++p;
        if (p + 1 == pattern.size()) return true;
        for (; t < text.size(); ++t) {
          if (match_from(pattern, p + 1, text, t, nocase, depth + 1)) return true;
        }
        return false;
      case '?':
        break;
      case '[':
        ++p;
        if (!match_class(pattern, p, text[t], nocase)) return false;
        break;
      case '\\':
        if (p + 1 < pattern.size()) ++p;
        [[fallthrough]];
      default:
        if (fold(pattern[p], nocase) != fold(text[t], nocase)) return false;
    }
    ++p;
    ++t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size() && t == text.size();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool nocase) {
  return match_from(pattern, 0, text, 0, nocase, 0);
}

}  // namespace tcpkit::kv
