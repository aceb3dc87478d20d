#pragma once
// The ways `tcpkit bench` tells its results: a summary table, one line per test (-q), CSV and
// JSON (docs/bench.md documents the JSON schema, "tcpkit-bench/1"; change it only by adding
// fields, or bump the version).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tcpkit/bench/engine.hpp"

namespace tcpkit::bench {

// What was asked, echoed into every report.
struct RunConfig {
  std::string target;    // as given: "127.0.0.1:6379"
  std::string workload;  // echo, resp, native
  std::string framing;   // echo only: raw, line, length
  int connections = 0;
  int pipeline = 1;
  int threads = 1;
  std::uint64_t requests = 0;
  double duration_s = 0;
  double warmup_s = 0;
  double rate = 0;
  std::size_t data_size = 0;
  std::uint64_t keyspace = 0;
};

struct TestReport {
  std::string name;
  RunResult result;
  int server_pid = 0;                               // 0: not watched
  std::optional<double> server_cpu_us_per_request;  // CPU µs of the server per request
};

// --connections-only: many idle connections, each checked once.
struct IdleReport {
  int asked = 0;
  int opened = 0;
  int answered = 0;  // connections that answered the check
  double connect_s = 0;
  long fd_limit = 0;
  int server_pid = 0;
  std::optional<long> rss_before_kib;
  std::optional<long> rss_after_kib;
  std::uint64_t errors = 0;
  std::vector<std::string> error_samples;

  double connect_rate() const { return connect_s > 0 ? opened / connect_s : 0; }
  // (VmRSS after - before) / opened, in bytes.
  std::optional<double> bytes_per_connection() const;
};

std::string format_summary(const RunConfig& config, const TestReport& test);
// "SET: 123456.79 requests per second, p50=0.191 msec", as redis-benchmark -q.
std::string format_quiet(const TestReport& test);
// The whole percentile spectrum in HdrHistogram's text format (.hgrm, as its
// outputPercentileDistribution writes it, values in milliseconds), for plotting tools:
// "Value Percentile TotalCount 1/(1-Percentile)" rows at percentiles that close in on 100
// (5 ticks per halving of the distance), then the mean, deviation, max and count.
std::string format_hgrm(const Histogram& latency_ns);
std::string csv_header();
std::string format_csv(const TestReport& test);
std::string format_idle(const RunConfig& config, const IdleReport& idle);
std::string format_json(const RunConfig& config, const std::vector<TestReport>& tests,
                        const IdleReport* idle);

}  // namespace tcpkit::bench
