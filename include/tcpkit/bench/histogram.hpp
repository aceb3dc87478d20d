#pragma once
// Histogram: a log-linear latency histogram in the manner of HdrHistogram, for `tcpkit bench`.
//
// Theory of operation: values (nanoseconds, any uint64) are counted in buckets whose width
// grows with the value, so the relative error is bounded everywhere and memory is fixed.
//
//   value v                          bucket index                     bucket width
//   v < 256                          v                                1 (exact)
//   2^e <= v < 2^(e+1), e >= 8       (e-7)*128 + (v >> (e-7))         2^(e-7)
//
// Each power-of-two range above 256 is cut into 128 equal buckets, so a bucket is at most
// 1/128 (0.78%) of the values it holds; a percentile is reported as its bucket's midpoint
// (clamped to the exact min and max), within 0.4% of a value that was recorded. The whole
// uint64 range takes 7,424 counters (58 KiB), allocated once. Recording is a bit scan, a shift
// and an increment; histograms of equal shape merge by adding counters, so each thread keeps
// its own and the results are merged at the end.
//
// Not thread-safe: one writer at a time; merge after the writers are done.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tcpkit::bench {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 7;  // 128 buckets per octave
  static constexpr std::uint64_t kExactBelow = 1u << (kSubBucketBits + 1);  // 256
  static constexpr std::size_t kBucketCount = (64 - kSubBucketBits + 1) * (1u << kSubBucketBits);

  Histogram();

  void record(std::uint64_t value) { record_n(value, 1); }
  void record_n(std::uint64_t value, std::uint64_t count);
  // Adds every value recorded in `other`, as if it had been recorded here.
  void merge(const Histogram& other);
  void reset();

  std::uint64_t count() const { return count_; }
  // Exact; 0 when empty.
  std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const { return max_; }
  double mean() const;
  // Standard deviation, from the buckets' midpoints (within the histogram's resolution).
  double stddev() const;
  // The value below which `percentile` (0..100) percent of the recorded values fall, within the
  // histogram's resolution; 0 when empty. 100 gives max(), 0 gives min().
  std::uint64_t value_at_percentile(double percentile) const;

  // The bucket `value` falls into, and the range [lowest, highest] of values it holds.
  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t bucket_lowest(std::size_t index);
  static std::uint64_t bucket_highest(std::size_t index);

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace tcpkit::bench
