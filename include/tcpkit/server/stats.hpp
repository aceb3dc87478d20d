#pragma once
// Stats: per-server counters, updated by the concurrency models with relaxed atomics and read
// by anyone (INFO, logs). Thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace tcpkit::server {

class Stats {
 public:
  std::atomic<std::uint64_t> connections_accepted{0};  // total since start
  std::atomic<std::uint64_t> connections_rejected{0};  // over --max-connections
  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::uint64_t> bytes_read{0};
  std::atomic<std::uint64_t> bytes_written{0};
  std::atomic<std::uint64_t> output_limit_disconnects{0};
  std::atomic<std::uint64_t> idle_timeouts{0};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  static void add(std::atomic<std::uint64_t>& counter, std::uint64_t n) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }
  static std::uint64_t get(const std::atomic<std::uint64_t>& counter) {
    return counter.load(std::memory_order_relaxed);
  }
};

}  // namespace tcpkit::server
