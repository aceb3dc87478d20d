#pragma once
// Conversions between text and numbers with Redis's exact rules (glob matching: glob.hpp).
// Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcpkit::kv {

// Redis's string2ll: optional '-', digits, no leading zeros or '+' or spaces, fits int64.
// The codec's parse_int64 (tcpkit/codec/parse_int.hpp), the one copy of these rules.
std::optional<std::int64_t> parse_int(std::string_view s);
// Redis's string2ld (strtold): rejects leading spaces, trailing garbage, NaN, overflow.
std::optional<long double> parse_long_double(std::string_view s);
// Redis's ld2string(LD_STR_HUMAN): "%.17Lf" without trailing zeros ("3", "1.1").
std::string format_long_double(long double v);
// Appends the decimal form of n.
void append_int(std::string& out, std::int64_t n);
// True when `s` is what Redis stores with the "int" encoding (round-trips through int64).
bool is_int_encodable(std::string_view s);
// ASCII case-insensitive equality (command names, options).
bool iequals(std::string_view a, std::string_view b);

}  // namespace tcpkit::kv
