#include "tcpkit/bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "tcpkit/base/assert.hpp"

namespace tcpkit::bench {

namespace {
constexpr std::uint64_t kSubBuckets = 1u << Histogram::kSubBucketBits;  // 128
}  // namespace

Histogram::Histogram() : counts_(kBucketCount, 0) {}

std::size_t Histogram::bucket_of(std::uint64_t value) {
  if (value < kExactBelow) return static_cast<std::size_t>(value);
  // shift >= 1: how many low bits this octave's buckets ignore; (value >> shift) is in [128, 256).
  const auto shift = static_cast<unsigned>(std::bit_width(value) - 1 - kSubBucketBits);
  return static_cast<std::size_t>(shift * kSubBuckets + (value >> shift));
}

std::uint64_t Histogram::bucket_lowest(std::size_t index) {
  if (index < kExactBelow) return index;
  const auto shift = static_cast<unsigned>(index / kSubBuckets - 1);
  const std::uint64_t top = index - shift * kSubBuckets;  // in [128, 256)
  return top << shift;
}

std::uint64_t Histogram::bucket_highest(std::size_t index) {
  if (index < kExactBelow) return index;
  const auto shift = static_cast<unsigned>(index / kSubBuckets - 1);
  return bucket_lowest(index) + ((std::uint64_t{1} << shift) - 1);
}

void Histogram::record_n(std::uint64_t value, std::uint64_t count) {
  counts_[bucket_of(value)] += count;
  count_ += count;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<long double>(value) * static_cast<long double>(count);
}

void Histogram::merge(const Histogram& other) {
  TCPKIT_ASSERT(counts_.size() == other.counts_.size());
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
}

double Histogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

double Histogram::stddev() const {
  if (count_ == 0) return 0.0;
  const long double mean = sum_ / static_cast<long double>(count_);
  long double squares = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const long double mid =
        (static_cast<long double>(bucket_lowest(i)) + static_cast<long double>(bucket_highest(i))) /
        2;
    squares += static_cast<long double>(counts_[i]) * (mid - mean) * (mid - mean);
  }
  return static_cast<double>(std::sqrt(squares / static_cast<long double>(count_)));
}

std::uint64_t Histogram::value_at_percentile(double percentile) const {
  if (count_ == 0) return 0;
  if (percentile <= 0) return min();
  if (percentile >= 100) return max_;
  // The rank of the wanted value, 1-based: the smallest recorded value with at least this many
  // values at or below it.
  auto rank =
      static_cast<std::uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const std::uint64_t lo = bucket_lowest(i);
      const std::uint64_t mid = lo + (bucket_highest(i) - lo) / 2;
      return std::clamp(mid, min(), max_);
    }
  }
  return max_;
}

}  // namespace tcpkit::bench
