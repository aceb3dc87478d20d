#include "tcpkit/bench/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace tcpkit::bench {

namespace {

constexpr double kPercentiles[] = {50, 90, 99, 99.9, 99.99};

double ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string json_number(double x) { return fmt::format("{:.4f}", x); }

std::string json_optional(const std::optional<double>& x) { return x ? json_number(*x) : "null"; }

std::string latency_json(const Histogram& h) {
  return fmt::format(
      "{{\"min\": {}, \"p50\": {}, \"p90\": {}, \"p99\": {}, \"p99_9\": {}, \"p99_99\": {}, "
      "\"max\": {}, \"mean\": {}}}",
      json_number(ms(h.min())), json_number(ms(h.value_at_percentile(50))),
      json_number(ms(h.value_at_percentile(90))), json_number(ms(h.value_at_percentile(99))),
      json_number(ms(h.value_at_percentile(99.9))), json_number(ms(h.value_at_percentile(99.99))),
      json_number(ms(h.max())), json_number(h.mean() / 1e6));
}

std::string samples_json(const std::vector<std::string>& samples) {
  std::string out = "[";
  for (std::size_t i = 0; i < samples.size(); ++i) {
    out += (i ? ", " : "") + json_string(samples[i]);
  }
  return out + "]";
}

std::string test_json(const TestReport& t) {
  const RunResult& r = t.result;
  std::optional<double> shortfall;
  if (r.asked_rate > 0) shortfall = 100.0 * (1.0 - r.rps / r.asked_rate);
  const double client_cpu =
      r.completed ? r.client_cpu_s * 1e6 / static_cast<double>(r.completed) : 0;
  return fmt::format(
      "    {{\"name\": {}, \"mode\": \"{}\", \"requests\": {}, \"rps\": {}, \"duration_s\": {},\n"
      "     \"asked_rps\": {}, \"rate_shortfall_pct\": {},\n"
      "     \"errors\": {}, \"error_detail\": {{\"error_replies\": {}, \"protocol_errors\": {}, "
      "\"connection_errors\": {}, \"timeouts\": {}}}, \"error_samples\": {},\n"
      "     \"latency_ms\": {},\n"
      "     \"bytes_sent\": {}, \"bytes_received\": {},\n"
      "     \"connections\": {{\"opened\": {}, \"served\": {}, \"connect_s\": {}}},\n"
      "     \"server\": {}, \"client_cpu_us_per_request\": {}}}",
      json_string(t.name), r.asked_rate > 0 ? "open" : "closed", r.completed, json_number(r.rps),
      json_number(r.measured_s), r.asked_rate > 0 ? json_number(r.asked_rate) : "null",
      json_optional(shortfall), r.errors(), r.error_replies, r.protocol_errors, r.connection_errors,
      r.timeouts, samples_json(r.error_samples), latency_json(r.latency), r.bytes_sent,
      r.bytes_received, r.connections, r.connections_served, json_number(r.connect_s),
      t.server_pid ? fmt::format("{{\"pid\": {}, \"cpu_us_per_request\": {}}}", t.server_pid,
                                 json_optional(t.server_cpu_us_per_request))
                   : "null",
      json_number(client_cpu));
}

std::string idle_json(const IdleReport& i) {
  auto opt_long = [](const std::optional<long>& x) { return x ? std::to_string(*x) : "null"; };
  return fmt::format(
      "{{\"asked\": {}, \"opened\": {}, \"answered\": {}, \"connect_s\": {}, "
      "\"connects_per_s\": {}, \"fd_limit\": {}, \"errors\": {}, \"error_samples\": {},\n"
      "    \"server\": {}}}",
      i.asked, i.opened, i.answered, json_number(i.connect_s), json_number(i.connect_rate()),
      i.fd_limit, i.errors, samples_json(i.error_samples),
      i.server_pid ? fmt::format("{{\"pid\": {}, \"rss_before_kib\": {}, \"rss_after_kib\": {}, "
                                 "\"bytes_per_connection\": {}}}",
                                 i.server_pid, opt_long(i.rss_before_kib),
                                 opt_long(i.rss_after_kib), json_optional(i.bytes_per_connection()))
                   : "null");
}

std::string describe(const RunConfig& c) {
  std::string what = c.workload + (c.workload == "echo" ? " (" + c.framing + ")" : "");
  std::string loop = c.rate > 0 ? fmt::format("open loop at {:.0f} req/s", c.rate) : "closed loop";
  return fmt::format("{} -> {}, {} connections, pipeline {}, {} threads, {}", what, c.target,
                     c.connections, c.pipeline, c.threads, loop);
}

}  // namespace

std::optional<double> IdleReport::bytes_per_connection() const {
  if (!rss_before_kib || !rss_after_kib || opened == 0) return std::nullopt;
  return static_cast<double>(*rss_after_kib - *rss_before_kib) * 1024.0 / opened;
}

std::string format_summary(const RunConfig& config, const TestReport& t) {
  const RunResult& r = t.result;
  const Histogram& h = r.latency;
  std::string out = fmt::format("====== {} ======\n  {}\n", t.name, describe(config));
  out += fmt::format("  requests    {} in {:.3f} s ({} of {} connections answered)\n", r.completed,
                     r.measured_s, r.connections_served, r.connections);
  out += fmt::format(
      "  throughput  {:.2f} requests/s, {:.1f} MB/s out, {:.1f} MB/s in\n", r.rps,
      r.measured_s > 0 ? static_cast<double>(r.bytes_sent) / r.measured_s / 1e6 : 0,
      r.measured_s > 0 ? static_cast<double>(r.bytes_received) / r.measured_s / 1e6 : 0);
  if (r.asked_rate > 0) {
    out += fmt::format("  rate        asked {:.0f}/s, achieved {:.0f}/s ({:.1f}% short)\n",
                       r.asked_rate, r.rps, 100.0 * (1.0 - r.rps / r.asked_rate));
  }
  out += fmt::format(
      "  latency ms  min {:.3f}  p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  p99.9 {:.3f}  "
      "p99.99 {:.3f}  max {:.3f}  (mean {:.3f})\n",
      ms(h.min()), ms(h.value_at_percentile(50)), ms(h.value_at_percentile(90)),
      ms(h.value_at_percentile(99)), ms(h.value_at_percentile(99.9)),
      ms(h.value_at_percentile(99.99)), ms(h.max()), h.mean() / 1e6);
  out += fmt::format(
      "  errors      {} (error replies {}, protocol {}, connections lost {}, "
      "unanswered {})\n",
      r.errors(), r.error_replies, r.protocol_errors, r.connection_errors, r.timeouts);
  for (const auto& s : r.error_samples) out += "              " + s + "\n";
  if (t.server_pid != 0) {
    out += t.server_cpu_us_per_request
               ? fmt::format("  server      {:.2f} CPU us/request (pid {})\n",
                             *t.server_cpu_us_per_request, t.server_pid)
               : fmt::format("  server      pid {}: /proc not readable\n", t.server_pid);
  }
  if (r.completed > 0) {
    out += fmt::format("  client      {:.2f} CPU us/request\n",
                       r.client_cpu_s * 1e6 / static_cast<double>(r.completed));
  }
  return out;
}

std::string format_hgrm(const Histogram& h) {
  constexpr double kNsPerMs = 1e6;
  const auto count = h.count();
  std::string out = fmt::format("{:>12} {:>14} {:>10} {:>14}\n\n", "Value", "Percentile",
                                "TotalCount", "1/(1-Percentile)");
  if (count > 0) {
    // HdrHistogram's percentile iteration: 5 steps per halving of the distance to 100%.
    for (double p = 0; p < 100;) {
      const std::uint64_t v = h.value_at_percentile(p);
      const auto total = std::max<std::uint64_t>(
          1, static_cast<std::uint64_t>(std::ceil(p / 100 * static_cast<double>(count))));
      out += fmt::format("{:12.3f} {:2.12f} {:10d} {:14.2f}\n", static_cast<double>(v) / kNsPerMs,
                         p / 100, total, 1 / (1 - p / 100));
      // Done once the rows reach the max or the last value's rank (a max above its bucket's
      // midpoint is never a percentile's value), or when p can no longer grow.
      if (v >= h.max() || total >= count) break;
      const double ticks = 5 * std::exp2(std::floor(std::log2(100 / (100 - p))) + 1);
      const double next = p + 100 / ticks;
      if (next <= p) break;
      p = next;
    }
    out += fmt::format("{:12.3f} {:2.12f} {:10d}\n", static_cast<double>(h.max()) / kNsPerMs, 1.0,
                       count);
  }
  out += fmt::format("#[Mean    = {:12.3f}, StdDeviation   = {:12.3f}]\n", h.mean() / kNsPerMs,
                     h.stddev() / kNsPerMs);
  out += fmt::format("#[Max     = {:12.3f}, Total count    = {:12d}]\n",
                     static_cast<double>(h.max()) / kNsPerMs, count);
  out += fmt::format("#[Buckets = {:12d}, SubBuckets     = {:12d}]\n",
                     Histogram::kBucketCount >> Histogram::kSubBucketBits,
                     std::size_t{1} << Histogram::kSubBucketBits);
  return out;
}

std::string format_quiet(const TestReport& t) {
  return fmt::format("{}: {:.2f} requests per second, p50={:.3f} msec{}\n", t.name, t.result.rps,
                     ms(t.result.latency.value_at_percentile(50)),
                     t.result.errors() ? fmt::format(", errors={}", t.result.errors()) : "");
}

std::string csv_header() {
  return "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\","
         "\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"\n";
}

std::string format_csv(const TestReport& t) {
  const Histogram& h = t.result.latency;
  std::string name = t.name;
  for (auto& ch : name) {
    if (ch == '"') ch = '\'';
  }
  return fmt::format(
      "\"{}\",\"{:.2f}\",\"{:.3f}\",\"{:.3f}\",\"{:.3f}\",\"{:.3f}\",\"{:.3f}\",\"{:.3f}\"\n", name,
      t.result.rps, h.mean() / 1e6, ms(h.min()), ms(h.value_at_percentile(50)),
      ms(h.value_at_percentile(95)), ms(h.value_at_percentile(99)), ms(h.max()));
}

std::string format_idle(const RunConfig& config, const IdleReport& i) {
  std::string out =
      fmt::format("====== idle connections ======\n  {} -> {}\n", config.workload, config.target);
  out += fmt::format("  opened      {} of {} in {:.3f} s ({:.0f} connects/s; fd limit {})\n",
                     i.opened, i.asked, i.connect_s, i.connect_rate(), i.fd_limit);
  out += fmt::format("  answered    {} of {} (errors {})\n", i.answered, i.opened, i.errors);
  for (const auto& s : i.error_samples) out += "              " + s + "\n";
  if (i.server_pid != 0) {
    if (auto b = i.bytes_per_connection()) {
      out += fmt::format(
          "  server      VmRSS {} KiB -> {} KiB: {:.0f} bytes per connection (pid {})\n",
          *i.rss_before_kib, *i.rss_after_kib, *b, i.server_pid);
    } else {
      out += fmt::format("  server      pid {}: /proc not readable\n", i.server_pid);
    }
  }
  return out;
}

std::string format_json(const RunConfig& c, const std::vector<TestReport>& tests,
                        const IdleReport* idle) {
  std::string out = "{\n  \"schema\": \"tcpkit-bench/1\",\n";
  out += fmt::format(
      "  \"config\": {{\"target\": {}, \"workload\": \"{}\", \"framing\": {}, \"connections\": {}, "
      "\"pipeline\": {}, \"threads\": {}, \"requests\": {}, \"duration_s\": {}, \"warmup_s\": {}, "
      "\"rate\": {}, \"data_size\": {}, \"keyspace\": {}}},\n",
      json_string(c.target), c.workload, c.workload == "echo" ? json_string(c.framing) : "null",
      c.connections, c.pipeline, c.threads, c.requests, json_number(c.duration_s),
      json_number(c.warmup_s), json_number(c.rate), c.data_size, c.keyspace);
  out += "  \"tests\": [";
  for (std::size_t i = 0; i < tests.size(); ++i) out += (i ? ",\n" : "\n") + test_json(tests[i]);
  out += tests.empty() ? "],\n" : "\n  ],\n";
  out += "  \"idle\": " + (idle ? idle_json(*idle) : std::string("null")) + "\n}\n";
  return out;
}

}  // namespace tcpkit::bench
