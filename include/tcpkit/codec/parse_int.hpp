#pragma once
// parse_int64: Redis's string2ll rules, shared by the RESP codecs (and usable by services that
// must accept exactly the integers Redis accepts): an optional '-', then digits with no
// leading zero ("0" alone is fine), nothing else, no "-0", no overflow. At most 20 bytes.

#include <cstdint>
#include <limits>
#include <string_view>

namespace tcpkit::codec {

inline bool parse_int64(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() == 1 && s[0] == '0') {
    out = 0;
    return true;
  }
  const bool negative = s[0] == '-';
  std::size_t i = negative ? 1 : 0;
  if (i == s.size() || s[i] < '1' || s[i] > '9') return false;
  std::uint64_t v = 0;
  for (; i < s.size(); ++i) {
    const auto digit = static_cast<unsigned>(static_cast<unsigned char>(s[i]) - '0');
    if (digit > 9) return false;
    if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    v = v * 10 + digit;
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (v > kMax + 1) return false;
    out = v == kMax + 1 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(v);
  } else {
    if (v > kMax) return false;
    out = static_cast<std::int64_t>(v);
  }
  return true;
}

}  // namespace tcpkit::codec
