#pragma once
// The load engine of `tcpkit bench`: connections, worker threads, closed and open loop.
//
// Theory of operation. The connections are opened first (from the calling thread, timed: that
// is the connect rate) and dealt out to `threads` workers. Each worker owns its share and
// nothing else: its own epoll instance, its own histogram and counters, so the hot path takes
// no lock and shares no cache line; the results are merged after the workers are joined.
//
//   closed loop (no rate): each connection sends a batch of `pipeline` requests in one write,
//     waits for all their replies, sends the next batch (redis-benchmark's -P). A request's
//     latency runs from the write of its batch to the read that completed its reply.
//   open loop (rate R): requests are due on a fixed schedule, R/s in total, spread round-robin
//     over the connections (request j of a worker is due at start + j / its share of R). A
//     due request goes out as soon as its connection has fewer than `pipeline` in flight;
//     its latency runs from when it was DUE, not from when it could be sent, so a server that
//     stalls is charged for every request it delayed (no coordinated omission, as in wrk2).
//
// A request is measured when it was sent (closed) or due (open) after the warm-up; the run
// ends after `requests` measured requests, or `duration` seconds after the warm-up plus the
// time to drain what is in flight (at most `drain` seconds). Requests still unanswered at the
// end, or after `timeout` seconds without any reply, are counted as timeouts.
//
// The worker's own loop calls epoll_pwait2 (nanosecond timeouts: an open-loop schedule cannot
// live with io::EventLoop's millisecond timers) and net::read_some / write_some.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tcpkit/base/result.hpp"
#include "tcpkit/base/unique_fd.hpp"
#include "tcpkit/bench/histogram.hpp"
#include "tcpkit/bench/workload.hpp"
#include "tcpkit/net/address.hpp"

namespace tcpkit::bench {

struct EngineOptions {
  net::Endpoint endpoint;
  int connections = 50;
  int pipeline = 1;
  int threads = 1;
  std::uint64_t requests = 0;  // measured requests; 0: run for duration_s
  double duration_s = 0;
  double warmup_s = 0;
  double rate = 0;            // requests/s in total; 0: closed loop
  KeyOptions keys;            // -r and --key-pattern; space 0 keeps the placeholder text
  std::string auth_user;      // -a/--user: each connection says AUTH first (empty password:
  std::string auth_password;  // no AUTH)
  double timeout_s = 10;      // no reply at all for this long ends the run
  double drain_s = 2;         // after a timed run, how long in-flight replies are awaited
  double connect_timeout_s = 5;
  std::uint64_t seed = 1;
};

struct Workload {
  std::string name;  // "SET", "echo 64B", the custom command line
  Protocol protocol = Protocol::kResp;
  RequestTemplate request;
};

struct RunResult {
  Histogram latency;                    // nanoseconds, one value per measured reply
  std::uint64_t completed = 0;          // measured replies, error replies included
  std::uint64_t error_replies = 0;      // measured replies that were errors
  std::uint64_t protocol_errors = 0;    // connections dropped for an unreadable reply
  std::uint64_t connection_errors = 0;  // connections lost (reset, closed by the server)
  std::uint64_t timeouts = 0;           // requests sent and never answered (warm-up too)
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  double measured_s = 0;       // from the start of measurement to the last measured reply
  double rps = 0;              // completed / measured_s
  double asked_rate = 0;       // open loop: the asked rate; 0 in a closed loop
  double connect_s = 0;        // time to open every connection
  int connections = 0;         // opened
  int connections_served = 0;  // that got at least one reply
  double client_cpu_s = 0;     // user + system CPU of this process during the run
  std::vector<std::string> error_samples;  // the first few errors, as text

  std::uint64_t errors() const {
    return error_replies + protocol_errors + connection_errors + timeouts;
  }
};

// Adds `part`, a run that went on at the same time as `total`'s (another target's), to
// `total`: counts and histograms add, the measured time is the longer one, rps follows.
void merge_concurrent(RunResult& total, RunResult& part);

namespace detail {
class Worker;
}

// One run of one workload. Not thread-safe; call connect(), then run() at most once.
class LoadRun {
 public:
  LoadRun(EngineOptions options, Workload workload);
  ~LoadRun();
  LoadRun(const LoadRun&) = delete;
  LoadRun& operator=(const LoadRun&) = delete;

  // Opens every connection (non-blocking, TCP_NODELAY). Errors: the first connect that failed,
  // "connect 127.0.0.1:7000: Connection refused"; the connections opened so far stay open.
  Result<void> connect();
  // Connections open now: before run(), those connect() opened; after, those still alive.
  int connections_open() const;
  double connect_seconds() const { return connect_s_; }

  // Drives the load on `threads` worker threads and returns the merged result. Blocks; calls
  // `tick` about every 250 ms from the calling thread (progress display), and `measure_start`
  // once when the warm-up is over (to sample the server's CPU time).
  struct Hooks {
    void (*tick)(void* ctx, std::uint64_t completed, std::uint64_t errors,
                 double elapsed_s) = nullptr;
    void (*measure_start)(void* ctx) = nullptr;
    void* ctx = nullptr;
  };
  RunResult run(const Hooks& hooks);

  // Closes every connection (the destructor does too).
  void close();

 private:
  EngineOptions options_;
  Workload workload_;
  std::vector<UniqueFd> fds_;  // until run() deals them out to the workers
  std::vector<std::unique_ptr<detail::Worker>> workers_;  // kept until close(): they hold the fds
  double connect_s_ = 0;
};

}  // namespace tcpkit::bench
