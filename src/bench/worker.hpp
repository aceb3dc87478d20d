#pragma once
// detail::Worker: one load thread of `tcpkit bench` (engine.hpp has the theory of operation).
// Owns its connections, its epoll instance, its histogram and counters; touched by its own
// thread only while running, except the live_* counters, which the main thread reads.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tcpkit/base/unique_fd.hpp"
#include "tcpkit/bench/engine.hpp"
#include "tcpkit/io/buffer.hpp"

struct epoll_event;

namespace tcpkit::bench::detail {

std::uint64_t now_ns();

// When a worker runs and how much it sends, in CLOCK_MONOTONIC nanoseconds.
struct Schedule {
  std::uint64_t start_ns = 0;
  std::uint64_t measure_ns = 0;  // requests sent (due) from here on are measured
  std::uint64_t end_ns = 0;      // stop issuing here; 0 for a run bounded by `quota`
  std::uint64_t quota = 0;       // measured requests this worker sends; 0 for a timed run
  double rate = 0;               // this worker's share of the open-loop rate; 0: closed loop
};

class Worker {
 public:
  Worker(const EngineOptions& options, const Workload& workload, std::vector<UniqueFd> fds,
         Schedule schedule, std::uint64_t seed);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The thread body: runs the schedule to its end. Then result() is final.
  void run();
  RunResult& result() { return result_; }
  std::uint64_t last_measured_reply_ns() const { return last_measured_reply_ns_; }
  int connections_open() const;

  alignas(64) std::atomic<std::uint64_t> live_completed{0};
  std::atomic<std::uint64_t> live_errors{0};
  std::atomic<bool> finished{false};

 private:
  struct Conn;

  bool issuing(std::uint64_t now) const;
  bool should_finish(std::uint64_t now) const;
  std::uint64_t next_wake(std::uint64_t now) const;
  void wait_for_events(std::uint64_t now);
  void on_events(Conn& c, std::uint32_t events, std::uint64_t now);
  void on_readable(Conn& c);
  bool take_replies(Conn& c, std::string_view data, std::uint64_t now, std::size_t* used);
  void complete(Conn& c, std::uint64_t now, bool error_reply, std::string_view reply);
  void send_batch(Conn& c, std::uint64_t now);
  void release_due(std::uint64_t now);
  void send_due(Conn& c);
  void push_request(Conn& c, std::uint64_t stamp);
  void flush(Conn& c);
  void watch_writable(Conn& c, bool on);
  void fail(Conn& c, std::uint64_t* counter, std::string what);
  void finish();

  const EngineOptions& options_;
  const Workload& workload_;
  Schedule schedule_;
  std::vector<std::unique_ptr<Conn>> conns_;
  UniqueFd epoll_;
  std::vector<epoll_event> events_;
  std::unique_ptr<char[]> scratch_;  // every read lands here first; shared by the connections
  RunResult result_;

  std::uint64_t issued_measured_ = 0;
  std::uint64_t outstanding_ = 0;
  std::uint64_t due_seq_ = 0;  // open loop: requests [0, due_seq_) of this worker are due
  std::uint64_t last_progress_ns_ = 0;
  std::uint64_t last_measured_reply_ns_ = 0;
  int alive_ = 0;
};

}  // namespace tcpkit::bench::detail
