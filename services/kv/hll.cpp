// HyperLogLog sketches (see hll.hpp for the algorithm and the byte layout).

#include "kv/hll.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace tcpkit::kv::hll {

namespace {

constexpr std::string_view kMagic = "TKHL";
constexpr std::size_t kHeader = 16;
constexpr std::size_t kDenseBytes = kRegisters * 6 / 8;
constexpr std::uint8_t kSparse = 0, kDense = 1;
constexpr std::uint8_t kCacheValid = 1;
constexpr std::size_t kEncodingAt = 4, kFlagsAt = 5, kCountAt = 8;
constexpr unsigned kIndexBits = 14;             // log2(kRegisters)
constexpr unsigned kRunBits = 64 - kIndexBits;  // the hash bits left for the zero run
constexpr std::size_t kEntry = 3;               // one sparse register

bool is_dense(std::string_view s) { return static_cast<std::uint8_t>(s[kEncodingAt]) == kDense; }

std::size_t entries(std::string_view s) { return (s.size() - kHeader) / kEntry; }

// Sparse entry k: (index, value).
Slot entry(std::string_view s, std::size_t k) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data() + kHeader + k * kEntry);
  const std::uint32_t word = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
  return {word >> 6, static_cast<std::uint8_t>(word & 63u)};
}

void put_entry(char* p, Slot slot) {
  const std::uint32_t word = (slot.index << 6) | slot.count;
  p[0] = static_cast<char>(word >> 16);
  p[1] = static_cast<char>(word >> 8);
  p[2] = static_cast<char>(word);
}

// The first sparse entry whose index is >= `index` (binary search).
std::size_t lower_bound(std::string_view s, std::uint32_t index) {
  std::size_t lo = 0, hi = entries(s);
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    entry(s, mid).index < index ? lo = mid + 1 : hi = mid;
  }
  return lo;
}

std::uint8_t dense_get(std::string_view s, std::uint32_t index) {
  const std::size_t bit = std::size_t{index} * 6, at = kHeader + bit / 8;
  const unsigned shift = bit % 8;
  unsigned v = unsigned{static_cast<unsigned char>(s[at])} >> shift;
  if (shift > 2) v |= static_cast<unsigned>(static_cast<unsigned char>(s[at + 1])) << (8 - shift);
  return static_cast<std::uint8_t>(v & 63u);
}

void dense_set(std::string& s, std::uint32_t index, std::uint8_t value) {
  const std::size_t bit = std::size_t{index} * 6, at = kHeader + bit / 8;
  const unsigned shift = bit % 8;
  const unsigned low = static_cast<unsigned char>(s[at]);
  const unsigned high = shift > 2 ? static_cast<unsigned char>(s[at + 1]) : 0u;
  const unsigned field = low | (high << 8);
  const unsigned updated = (field & ~(63u << shift)) | (unsigned{value} << shift);
  s[at] = static_cast<char>(updated);
  if (shift > 2) s[at + 1] = static_cast<char>(updated >> 8);
}

std::string header(std::uint8_t encoding) {
  std::string s(kHeader, '\0');
  std::memcpy(s.data(), kMagic.data(), kMagic.size());
  s[kEncodingAt] = static_cast<char>(encoding);
  return s;
}

void to_dense(std::string& s) {
  std::string dense = header(kDense);
  dense.resize(kHeader + kDenseBytes, '\0');
  for (std::size_t k = 0; k < entries(s); ++k) {
    const Slot e = entry(s, k);
    dense_set(dense, e.index, e.count);
  }
  s.swap(dense);
}

// Histogram of register values (0..63), the estimator's only input.
using Histogram = std::array<int, 64>;

// Ertl's tau and sigma, evaluated as their series until the sum stops changing.
double tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double y = 1.0, z = 1 - x, previous = 0;
  do {
    x = std::sqrt(x);
    previous = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (previous != z);
  return z / 3;
}

double sigma(double x) {
  if (x == 1.) return INFINITY;
  double y = 1, z = x, previous = 0;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous != z);
  return z;
}

std::uint64_t estimate(const Histogram& h) {
  constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2)
  const double m = kRegisters;
  double z = m * tau((m - h[kRunBits + 1]) / m);
  for (unsigned j = kRunBits; j >= 1; --j) {
    z += h[j];
    z *= 0.5;
  }
  z += m * sigma(h[0] / m);
  return static_cast<std::uint64_t>(std::llround(kAlphaInf * m * m / z));
}

}  // namespace

Check check(std::string_view s) {
  if (s.size() < kHeader || s.substr(0, kMagic.size()) != kMagic) return Check::kNotHll;
  const auto enc = static_cast<std::uint8_t>(s[kEncodingAt]);
  if (enc == kDense) return s.size() == kHeader + kDenseBytes ? Check::kOk : Check::kNotHll;
  if (enc != kSparse) return Check::kNotHll;
  if ((s.size() - kHeader) % kEntry != 0) return Check::kCorrupt;
  std::uint32_t next = 0;  // the lowest index the next entry may have
  for (std::size_t k = 0; k < entries(s); ++k) {
    const Slot e = entry(s, k);
    if (e.index < next || e.index >= kRegisters || e.count == 0) return Check::kCorrupt;
    next = e.index + 1;
  }
  return Check::kOk;
}

std::string make_empty() {
  std::string s = header(kSparse);
  s[kFlagsAt] = static_cast<char>(kCacheValid);
  return s;
}

std::uint64_t murmur64a(std::string_view data, std::uint64_t seed) {
  constexpr std::uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t len = data.size();
  std::uint64_t h = seed ^ (len * m);
  const std::size_t blocks = len / 8;
  for (std::size_t b = 0; b < blocks; ++b, p += 8) {
    std::uint64_t k = 0;
    for (int i = 7; i >= 0; --i) k = (k << 8) | p[i];
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const std::size_t tail = len % 8;
  if (tail != 0) {
    for (std::size_t i = tail; i-- > 0;) h ^= std::uint64_t{p[i]} << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

Slot slot_of(std::string_view element) {
  std::uint64_t hash = murmur64a(element, 0xadc83b19ULL);
  const auto index = static_cast<std::uint32_t>(hash & (kRegisters - 1));
  hash >>= kIndexBits;
  hash |= std::uint64_t{1} << kRunBits;  // bounds the run: at most kRunBits + 1
  return {index, static_cast<std::uint8_t>(std::countr_zero(hash) + 1)};
}

std::uint8_t get(std::string_view s, std::uint32_t index) {
  if (is_dense(s)) return dense_get(s, index);
  const std::size_t k = lower_bound(s, index);
  return k < entries(s) && entry(s, k).index == index ? entry(s, k).count : 0;
}

bool raise(std::string& s, Slot slot) {
  if (get(s, slot.index) >= slot.count) return false;
  s[kFlagsAt] = 0;
  if (is_dense(s)) {
    dense_set(s, slot.index, slot.count);
    return true;
  }
  const std::size_t k = lower_bound(s, slot.index);
  const std::size_t at = kHeader + k * kEntry;
  if (k < entries(s) && entry(s, k).index == slot.index) {
    put_entry(s.data() + at, slot);
    return true;
  }
  if (s.size() - kHeader + kEntry > kSparseMaxBytes) {
    to_dense(s);
    dense_set(s, slot.index, slot.count);
    return true;
  }
  s.insert(at, kEntry, '\0');
  put_entry(s.data() + at, slot);
  return true;
}

void merge_into(std::string_view s, Registers& regs) {
  if (is_dense(s)) {
    for (std::uint32_t i = 0; i < kRegisters; ++i) regs[i] = std::max(regs[i], dense_get(s, i));
    return;
  }
  for (std::size_t k = 0; k < entries(s); ++k) {
    const Slot e = entry(s, k);
    regs[e.index] = std::max(regs[e.index], e.count);
  }
}

std::string from_registers(const Registers& regs) {
  const auto used = static_cast<std::size_t>(
      std::count_if(regs.begin(), regs.end(), [](std::uint8_t v) { return v != 0; }));
  if (used * kEntry <= kSparseMaxBytes) {
    std::string s = header(kSparse);
    s.resize(kHeader + used * kEntry);
    std::size_t k = 0;
    for (std::uint32_t i = 0; i < kRegisters; ++i) {
      if (regs[i] != 0) put_entry(s.data() + kHeader + kEntry * k++, {i, regs[i]});
    }
    return s;
  }
  std::string s = header(kDense);
  s.resize(kHeader + kDenseBytes, '\0');
  for (std::uint32_t i = 0; i < kRegisters; ++i) dense_set(s, i, regs[i]);
  return s;
}

std::uint64_t estimate(std::string_view s) {
  Histogram h{};
  if (is_dense(s)) {
    for (std::uint32_t i = 0; i < kRegisters; ++i) ++h[dense_get(s, i)];
    return estimate(h);
  }
  h[0] = static_cast<int>(kRegisters - entries(s));
  for (std::size_t k = 0; k < entries(s); ++k) ++h[entry(s, k).count];
  return estimate(h);
}

std::uint64_t estimate(const Registers& regs) {
  Histogram h{};
  for (std::uint8_t v : regs) ++h[v & 63u];
  return estimate(h);
}

std::optional<std::uint64_t> cached_count(std::string_view s) {
  if ((static_cast<std::uint8_t>(s[kFlagsAt]) & kCacheValid) == 0) return std::nullopt;
  std::uint64_t v = 0;
  for (std::size_t i = 8; i-- > 0;)
    v = (v << 8) | std::uint64_t{static_cast<unsigned char>(s[kCountAt + i])};
  return v;
}

void set_cached_count(std::span<char> s, std::uint64_t count) {
  for (std::size_t i = 0; i < 8; ++i) s[kCountAt + i] = static_cast<char>(count >> (8 * i));
  s[kFlagsAt] = static_cast<char>(kCacheValid);
}

}  // namespace tcpkit::kv::hll
