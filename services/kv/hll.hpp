#pragma once
// HyperLogLog sketches stored in string values, as PFADD, PFCOUNT and PFMERGE use them.
//
// The algorithm is the published one Redis uses, so counts equal redis-server's: 16384
// registers of 6 bits; an element's 64-bit MurmurHash64A (seed 0xadc83b19) picks its register
// with the low 14 bits, and the register keeps the longest run of zeros seen in the other 50
// bits, plus one; the estimate is Ertl's improved estimator ("New cardinality estimation
// algorithms for HyperLogLog sketches", 2017) over the histogram of register values.
//
// The byte layout is kv's own (GET returns it; Redis's differs):
//
//   0      4     5       6        8                       16
//   ┌──────┬─────┬───────┬────────┬───────────────────────┬──────────────────────────────┐
//   │"TKHL"│ enc │ flags │ 0 0    │ cached count (u64 LE) │ registers                    │
//   └──────┴─────┴───────┴────────┴───────────────────────┴──────────────────────────────┘
//   enc 0, sparse: 3 bytes per non-zero register, (index << 6 | value) big-endian, sorted by
//          index: 16 + 3n bytes, so a small count costs a few dozen bytes;
//   enc 1, dense:  16384 packed 6-bit registers (register i at bits 6i..6i+5, little-endian),
//          12288 bytes.
//   flags bit 0: the cached count is valid (PFCOUNT of one key stores it; changes clear it).
//
// A sparse sketch turns dense when it would pass kSparseMaxBytes (3000 bytes of registers,
// Redis's hll-sparse-max-bytes default), and never back; PFMERGE writes whichever fits.
// Not thread-safe; pure functions over strings.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tcpkit::kv::hll {

inline constexpr std::size_t kRegisters = 16384;
inline constexpr std::size_t kSparseMaxBytes = 3000;

using Registers = std::array<std::uint8_t, kRegisters>;

enum class Check {
  kOk,
  kNotHll,   // not a sketch: "WRONGTYPE Key is not a valid HyperLogLog string value."
  kCorrupt,  // a sketch header over an invalid body: "INVALIDOBJ Corrupted HLL object detected"
};
Check check(std::string_view s);

// An empty sketch (sparse, cached count 0).
std::string make_empty();

// MurmurHash64A (Austin Appleby's published algorithm, little-endian reads).
std::uint64_t murmur64a(std::string_view data, std::uint64_t seed);

// The register an element lands in and the value it offers it.
struct Slot {
  std::uint32_t index;
  std::uint8_t count;
};
Slot slot_of(std::string_view element);

// A register of a checked sketch.
std::uint8_t get(std::string_view s, std::uint32_t index);
// Raises a register to `count` if below; true when it changed (the cached count is then
// cleared, and a sparse sketch may turn dense). Requires check(s) == kOk.
bool raise(std::string& s, Slot slot);

// regs[i] = max(regs[i], register i of s), for a checked sketch.
void merge_into(std::string_view s, Registers& regs);
// A sketch (sparse when it fits, else dense) holding `regs`, with no cached count.
std::string from_registers(const Registers& regs);

// The cardinality estimate of a checked sketch, and of a register array.
std::uint64_t estimate(std::string_view s);
std::uint64_t estimate(const Registers& regs);

std::optional<std::uint64_t> cached_count(std::string_view s);
void set_cached_count(std::span<char> s, std::uint64_t count);

}  // namespace tcpkit::kv::hll
