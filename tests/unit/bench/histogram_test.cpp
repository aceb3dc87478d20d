#include "tcpkit/bench/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <vector>

#include "tcpkit/bench/report.hpp"

namespace tcpkit::bench {
namespace {

// The exact percentile by the same rank rule the histogram uses (nearest rank).
std::uint64_t exact_percentile(std::vector<std::uint64_t> values, double p) {
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  rank = std::clamp<std::size_t>(rank, 1, values.size());
  return values[rank - 1];
}

void expect_within_one_percent(const Histogram& h, const std::vector<std::uint64_t>& values) {
  for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    const auto want = static_cast<double>(exact_percentile(values, p));
    const auto got = static_cast<double>(h.value_at_percentile(p));
    EXPECT_LE(std::abs(got - want), want * 0.01) << "p" << p << " want " << want << " got " << got;
  }
}

TEST(HistogramTest, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.value_at_percentile(50), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 0; v < 256; ++v) h.record(v);
  EXPECT_EQ(h.value_at_percentile(50), 127u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 255u);
}

TEST(HistogramTest, BucketsCoverEveryValueContiguously) {
  for (std::size_t i = 1; i < Histogram::kBucketCount; ++i) {
    ASSERT_EQ(Histogram::bucket_lowest(i), Histogram::bucket_highest(i - 1) + 1) << i;
  }
  EXPECT_EQ(Histogram::bucket_of(UINT64_MAX), Histogram::kBucketCount - 1);
  EXPECT_EQ(Histogram::bucket_highest(Histogram::kBucketCount - 1), UINT64_MAX);
  for (std::uint64_t v : {0ull, 255ull, 256ull, 257ull, 1000ull, 123456789ull, 1ull << 40}) {
    const std::size_t b = Histogram::bucket_of(v);
    EXPECT_LE(Histogram::bucket_lowest(b), v);
    EXPECT_GE(Histogram::bucket_highest(b), v);
    // Relative width of a bucket: under 1%.
    EXPECT_LE(static_cast<double>(Histogram::bucket_highest(b) - Histogram::bucket_lowest(b)),
              0.01 * static_cast<double>(std::max<std::uint64_t>(v, 1)));
  }
}

TEST(HistogramTest, UniformDistributionPercentilesWithinOnePercent) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::uint64_t> dist(1'000, 10'000'000);
  std::vector<std::uint64_t> values(200'000);
  Histogram h;
  for (auto& v : values) h.record(v = dist(rng));
  expect_within_one_percent(h, values);
}

TEST(HistogramTest, LongTailedDistributionPercentilesWithinOnePercent) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(11.0, 1.5);  // median ~60 us in ns, long tail
  std::vector<std::uint64_t> values(200'000);
  Histogram h;
  for (auto& v : values) h.record(v = static_cast<std::uint64_t>(dist(rng)) + 1);
  expect_within_one_percent(h, values);
}

TEST(HistogramTest, MinMaxAndMeanAreExact) {
  Histogram h;
  h.record(123'457);
  h.record(987'654'321);
  h.record(5'000);
  EXPECT_EQ(h.min(), 5'000u);
  EXPECT_EQ(h.max(), 987'654'321u);
  EXPECT_EQ(h.value_at_percentile(100), 987'654'321u);
  EXPECT_EQ(h.value_at_percentile(0), 5'000u);
  EXPECT_DOUBLE_EQ(h.mean(), (123'457.0 + 987'654'321.0 + 5'000.0) / 3);
}

TEST(HistogramTest, SingleValueIsReportedExactlyAtEveryPercentile) {
  Histogram h;
  h.record_n(777'777, 10);
  for (double p : {0.0, 50.0, 99.99, 100.0}) EXPECT_EQ(h.value_at_percentile(p), 777'777u);
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(3);
  std::exponential_distribution<double> dist(1.0 / 200'000);
  Histogram a, b, all;
  for (int i = 0; i < 100'000; ++i) {
    const auto v = static_cast<std::uint64_t>(dist(rng));
    (i % 3 == 0 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  for (double p = 0; p <= 100; p += 0.5) {
    EXPECT_EQ(a.value_at_percentile(p), all.value_at_percentile(p)) << p;
  }
  EXPECT_EQ(a.value_at_percentile(99.99), all.value_at_percentile(99.99));
}

TEST(HistogramTest, MergeIntoEmptyAndResetWork) {
  Histogram a, b;
  b.record(10);
  b.record(1'000'000);
  a.merge(b);
  EXPECT_EQ(a.min(), 10u);
  EXPECT_EQ(a.max(), 1'000'000u);
  a.reset();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.value_at_percentile(99), 0u);
}

// The .hgrm text (bench --hdr-out): HdrHistogram's header, rows whose percentiles rise toward
// 1 while their values never fall, a last row at percentile 1 with the max and the count, and
// the footer. Values are milliseconds.
TEST(HistogramHgrm, SpectrumInHdrHistogramsFormat) {
  Histogram h;
  for (std::uint64_t ms = 1; ms <= 1000; ++ms) h.record(ms * 1'000'000);
  const std::string text = format_hgrm(h);
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "       Value     Percentile TotalCount 1/(1-Percentile)");
  std::getline(in, line);
  EXPECT_EQ(line, "");
  double last_value = -1, last_percentile = -1;
  int rows = 0;
  std::string last_row;
  while (std::getline(in, line) && !line.starts_with("#")) {
    double value = 0, percentile = 0;
    unsigned long long total = 0;
    ASSERT_GE(std::sscanf(line.c_str(), "%lf %lf %llu", &value, &percentile, &total), 3) << line;
    EXPECT_GE(value, last_value) << line;
    EXPECT_GT(percentile, last_percentile) << line;
    last_value = value, last_percentile = percentile, last_row = line;
    ++rows;
  }
  EXPECT_GT(rows, 30);  // 5 ticks per halving: many rows close to 100%
  EXPECT_EQ(last_row, "    1000.000 1.000000000000       1000");
  EXPECT_NE(text.find("#[Mean    =      500.500, StdDeviation   ="), std::string::npos) << text;
  EXPECT_NE(text.find("#[Max     =     1000.000, Total count    =         1000]"),
            std::string::npos)
      << text;
  // The median row: within the histogram's resolution of 500 ms.
  EXPECT_NE(text.find(" 0.500000000000 "), std::string::npos);
}

// A max above its bucket's midpoint is no percentile's value: the rows must still end (this
// once looped forever).
TEST(HistogramHgrm, EndsWhenTheMaxIsAboveItsBucketsMidpoint) {
  Histogram h;
  h.record_n(1'000'000, 99);
  h.record(1'004'000);  // the top of a 4096-ns-wide bucket
  const std::string text = format_hgrm(h);
  EXPECT_NE(text.find("       1.004 1.000000000000        100\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace tcpkit::bench
