// Number parsing and formatting with Redis's rules.

#include "kv/text.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "tcpkit/codec/parse_int.hpp"

namespace tcpkit::kv {

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t value = 0;
  if (!codec::parse_int64(s, value)) return std::nullopt;
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

}  // namespace tcpkit::kv
