#pragma once
// Bit-level helpers over a string value, as the bitmap commands (SETBIT GETBIT BITCOUNT BITPOS
// BITOP BITFIELD) see it: bit 0 is the most significant bit of byte 0, and bits past the end
// of the string read as 0.
//
//   byte:   0                 1
//   bit:    0 1 2 3 4 5 6 7   8 9 ...
//           MSB         LSB   MSB
//
// Pure functions: they never allocate, except set_bit()/set_field(), which expect the caller
// to have grown the string (through Database::update()) to cover the bits they write.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tcpkit::kv::bits {

// An inclusive range [first, last] of bytes or bits, or empty.
struct Range {
  std::int64_t first = 0;
  std::int64_t last = -1;
  bool empty() const { return first > last; }
};

// BITCOUNT/BITPOS's range over `length` units (bytes or bits): negative indexes count from
// the end, both are clamped to [0, length-1]; empty when start > end after that.
Range clamp_range(std::int64_t start, std::int64_t end, std::int64_t length);

// The number of set bits in bits [first, last] of `s` (both within the string).
std::uint64_t count_bits(std::string_view s, std::uint64_t first, std::uint64_t last);

// The index of the first bit equal to `bit` in bits [first, last] of `s`, or -1.
std::int64_t find_bit(std::string_view s, bool bit, std::uint64_t first, std::uint64_t last);

// A bit offset argument: a non-negative integer (Redis's string2ll rules) whose byte, offset / 8,
// is below `max_bytes` (proto-max-bulk-len). `field_bits` > 0 also accepts BITFIELD's "#N",
// meaning N * field_bits. nullopt when invalid: "bit offset is not an integer or out of range".
std::optional<std::uint64_t> parse_offset(std::string_view s, std::uint64_t max_bytes,
                                          unsigned field_bits = 0);

bool get_bit(std::string_view s, std::uint64_t offset);
// Requires offset / 8 < s.size().
void set_bit(std::span<char> s, std::uint64_t offset, bool on);

// BITFIELD's integer types: i1..i64 and u1..u63.
struct FieldType {
  bool is_signed = false;
  unsigned bits = 0;
};
// "i16" → {true, 16}; nullopt for anything else ("I8", "u64", "i0", "u08").
std::optional<FieldType> parse_field_type(std::string_view s);

// The `type.bits` bits at `offset` as a number (sign-extended for a signed type); bits past
// the end of `s` read as 0.
std::int64_t get_field(std::string_view s, std::uint64_t offset, FieldType type);
// Writes the low `type.bits` bits of `value` at `offset`; requires the string to cover them.
void set_field(std::span<char> s, std::uint64_t offset, FieldType type, std::int64_t value);

enum class Overflow { kWrap, kSat, kFail };

// The value BITFIELD SET stores for `value` in a field of `type` under `overflow`, or nullopt
// when FAIL refuses it. An unsigned field reads `value` as a uint64 (so -1 wraps to all ones
// and saturates to the maximum), as Redis does.
std::optional<std::int64_t> fit_set(FieldType type, Overflow overflow, std::int64_t value);
// The value BITFIELD INCRBY stores for old + incr, or nullopt when FAIL refuses it.
std::optional<std::int64_t> fit_incr(FieldType type, Overflow overflow, std::int64_t old,
                                     std::int64_t incr);

}  // namespace tcpkit::kv::bits
