// Bit-level helpers of the bitmap commands (see bits.hpp).

#include "kv/bits.hpp"

#include <bit>
#include <cstring>

#include "kv/text.hpp"

namespace tcpkit::kv::bits {

namespace {

// Wide enough for any sum or difference of two int64/uint64 values.
__extension__ typedef __int128 Wide;

unsigned char byte_at(std::string_view s, std::uint64_t i) {
  return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
}

// Mask of the bits [from, to] (0 = MSB) of one byte.
unsigned mask_of(unsigned from, unsigned to) { return (0xffu >> from) & (0xffu << (7 - to)); }

// A signed/unsigned wide value reduced to `bits` bits (two's complement), sign-extended for a
// signed type.
std::int64_t wrap_to(FieldType type, Wide v) {
  auto u = static_cast<std::uint64_t>(v);
  if (type.bits < 64) {
    const std::uint64_t mask = (std::uint64_t{1} << type.bits) - 1;
    u &= mask;
    if (type.is_signed && (u >> (type.bits - 1)) != 0) u |= ~mask;
  }
  return static_cast<std::int64_t>(u);
}

Wide max_of(FieldType type) {
  return type.is_signed ? (Wide{1} << (type.bits - 1)) - 1 : (Wide{1} << type.bits) - 1;
}
Wide min_of(FieldType type) { return type.is_signed ? -(Wide{1} << (type.bits - 1)) : 0; }

std::optional<std::int64_t> fit(FieldType type, Overflow overflow, Wide target) {
  const Wide hi = max_of(type), lo = min_of(type);
  if (target >= lo && target <= hi) return static_cast<std::int64_t>(target);
  if (overflow == Overflow::kFail) return std::nullopt;
  if (overflow == Overflow::kWrap) return wrap_to(type, target);
  return static_cast<std::int64_t>(target > hi ? hi : lo);
}

}  // namespace

Range clamp_range(std::int64_t start, std::int64_t end, std::int64_t length) {
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  return {start, end};
}

std::uint64_t count_bits(std::string_view s, std::uint64_t first, std::uint64_t last) {
  const std::uint64_t first_byte = first / 8, last_byte = last / 8;
  const auto from = static_cast<unsigned>(first % 8), to = static_cast<unsigned>(last % 8);
  if (first_byte == last_byte) {
    return static_cast<std::uint64_t>(
        std::popcount(static_cast<unsigned>(byte_at(s, first_byte) & mask_of(from, to))));
  }
  std::uint64_t n = static_cast<std::uint64_t>(
      std::popcount(static_cast<unsigned>(byte_at(s, first_byte) & mask_of(from, 7))));
  n += static_cast<std::uint64_t>(
      std::popcount(static_cast<unsigned>(byte_at(s, last_byte) & mask_of(0, to))));
  std::uint64_t i = first_byte + 1;
  // Eight bytes at a time: the bulk of a large BITCOUNT.
  for (; i + 8 <= last_byte; i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, s.data() + i, sizeof word);  // byte order is irrelevant to a count
    n += static_cast<std::uint64_t>(std::popcount(word));
  }
  for (; i < last_byte; ++i) {
    n += static_cast<std::uint64_t>(std::popcount(static_cast<unsigned char>(s[i])));
  }
  return n;
}

std::int64_t find_bit(std::string_view s, bool bit, std::uint64_t first, std::uint64_t last) {
  const std::uint64_t first_byte = first / 8, last_byte = last / 8;
  for (std::uint64_t i = first_byte; i <= last_byte; ++i) {
    unsigned b = byte_at(s, i);
    if (!bit) b = ~b & 0xffu;  // look for a 1 in the complement
    const unsigned from = i == first_byte ? static_cast<unsigned>(first % 8) : 0;
    const unsigned to = i == last_byte ? static_cast<unsigned>(last % 8) : 7;
    b &= mask_of(from, to);
    if (b != 0) {
      // The first set bit from the MSB: countl_zero of the byte within 8 bits.
      const int lead = std::countl_zero(static_cast<unsigned char>(b));
      return static_cast<std::int64_t>(i * 8) + lead;
    }
  }
  return -1;
}

std::optional<std::uint64_t> parse_offset(std::string_view s, std::uint64_t max_bytes,
                                          unsigned field_bits) {
  const bool by_field = field_bits > 0 && !s.empty() && s[0] == '#';
  auto v = parse_int(by_field ? s.substr(1) : s);
  if (!v || *v < 0) return std::nullopt;
  auto offset = static_cast<std::uint64_t>(*v);
  if (by_field) {
    if (offset > UINT64_MAX / field_bits) return std::nullopt;
    offset *= field_bits;
  }
  if (offset / 8 >= max_bytes) return std::nullopt;
  return offset;
}

bool get_bit(std::string_view s, std::uint64_t offset) {
  const unsigned byte = byte_at(s, offset / 8);
  return ((byte >> (7 - offset % 8)) & 1u) != 0;
}

void set_bit(std::span<char> s, std::uint64_t offset, bool on) {
  auto& byte = reinterpret_cast<unsigned char&>(s[offset / 8]);
  const auto mask = static_cast<unsigned char>(1u << (7 - offset % 8));
  byte = static_cast<unsigned char>(on ? (byte | mask) : (byte & ~mask));
}

std::optional<FieldType> parse_field_type(std::string_view s) {
  if (s.size() < 2 || s.size() > 3 || (s[0] != 'i' && s[0] != 'u')) return std::nullopt;
  if (s[1] < '1' || s[1] > '9' || (s.size() == 3 && (s[2] < '0' || s[2] > '9'))) {
    return std::nullopt;
  }
  unsigned bits = static_cast<unsigned>(s[1] - '0');
  if (s.size() == 3) bits = bits * 10 + static_cast<unsigned>(s[2] - '0');
  const bool is_signed = s[0] == 'i';
  if (bits > (is_signed ? 64u : 63u)) return std::nullopt;
  return FieldType{is_signed, bits};
}

std::int64_t get_field(std::string_view s, std::uint64_t offset, FieldType type) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < type.bits; ++i) v = (v << 1) | (get_bit(s, offset + i) ? 1u : 0u);
  return wrap_to(type, v);
}

void set_field(std::span<char> s, std::uint64_t offset, FieldType type, std::int64_t value) {
  const auto u = static_cast<std::uint64_t>(value);
  for (unsigned i = 0; i < type.bits; ++i) {
    set_bit(s, offset + i, ((u >> (type.bits - 1 - i)) & 1u) != 0);
  }
}

// Redis's signed check, which computes max - value and min - value in wrapping 64-bit
// arithmetic: for SET of a very negative value that wraps, so SAT saturates it to the
// maximum, not the minimum. Kept so, for byte-identical results.
std::optional<std::int64_t> fit_set(FieldType type, Overflow overflow, std::int64_t value) {
  if (!type.is_signed) return fit(type, overflow, Wide{static_cast<std::uint64_t>(value)});
  const auto hi = static_cast<std::int64_t>(max_of(type));
  const auto lo = static_cast<std::int64_t>(min_of(type));
  const auto wrapping_minus = [](std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
  };
  const bool narrow = type.bits != 64;
  bool up = value > hi || (narrow && 0 > wrapping_minus(hi, value));
  bool down = !up && (value < lo || (narrow && 0 < wrapping_minus(lo, value)));
  if (!up && !down) return value;
  if (overflow == Overflow::kFail) return std::nullopt;
  if (overflow == Overflow::kWrap) return wrap_to(type, Wide{value});
  return up ? hi : lo;
}

std::optional<std::int64_t> fit_incr(FieldType type, Overflow overflow, std::int64_t old,
                                     std::int64_t incr) {
  return fit(type, overflow, Wide{old} + Wide{incr});
}

}  // namespace tcpkit::kv::bits
