#pragma once
// Rand48: the 48-bit linear congruential generator of POSIX lrand48/srand48, the one Redis
// 7.0 gives scripts as math.random and math.randomseed (its rand.c), so that a script draws
// the very numbers it would draw on redis-server.
//
//   x(n+1) = (0x5DEECE66D * x(n) + 0xB) mod 2^48      next() = x(n+1) >> 17 (31 bits)
//   seed(s): x = s << 16 | 0x330E (the low 32 bits of s)
//
// Before any seed the state is 0x1234ABCD330E, rand.c's. Redis keeps one generator for the
// whole server and never resets it between scripts: one per ScriptEngine here, shared by EVAL
// and FCALL. Not thread-safe (the engine's mutex serialises scripts).

#include <cstdint>
#include <limits>

namespace tcpkit::kv {

class Rand48 {
 public:
  static constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();

  void seed(std::int32_t s) { x_ = std::uint64_t{static_cast<std::uint32_t>(s)} << 16 | 0x330E; }
  // A number in [0, 2^31).
  std::int32_t next() {
    x_ = (kMultiplier * x_ + kIncrement) & kMask;
    return static_cast<std::int32_t>(x_ >> 17);
  }

 private:
  static constexpr std::uint64_t kMultiplier = 0x5DEECE66D;
  static constexpr std::uint64_t kIncrement = 0xB;
  static constexpr std::uint64_t kMask = (std::uint64_t{1} << 48) - 1;
  std::uint64_t x_ = 0x1234ABCD330E;
};

}  // namespace tcpkit::kv
