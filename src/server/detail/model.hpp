#pragma once
// What every concurrency model gets, and the entry point of each. Internal to src/server.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "tcpkit/base/result.hpp"
#include "tcpkit/net/socket.hpp"
#include "tcpkit/server/options.hpp"
#include "tcpkit/server/service.hpp"
#include "tcpkit/server/stats.hpp"

namespace tcpkit::server::detail {

// A warning that may come in storms (a refusal per connection): at most one line a second,
// each saying how many were folded into it. Thread-safe.
class RateLimitedWarning {
 public:
  // Counts one occurrence; returns how many to report (this one included) when a line is due
  // now, 0 when it is not.
  std::uint64_t note();

 private:
  std::atomic<std::int64_t> next_due_ms_{0};
  std::atomic<std::uint64_t> unreported_{0};
};

struct ModelContext {
  ModelContext(const ServerOptions& o, Service& s, Stats& st, std::vector<net::Listener>& l,
               int stop)
      : options(o), service(s), stats(st), listeners(l), stop_fd(stop) {}

  const ServerOptions& options;
  Service& service;
  Stats& stats;
  std::vector<net::Listener>& listeners;
  int stop_fd;  // readable once Server::stop() was called; never drained while running
  std::atomic<std::uint64_t> next_session_id{1};
  RateLimitedWarning refusals;

  SessionInfo session_info(const net::Accepted& accepted, const net::Listener& listener);
  // Connection accounting, the same in every model. admit() counts a new connection as open,
  // or refuses it over --max-connections: the service's over_capacity_reply() is sent (best
  // effort), the socket closed, and the refusal counted and logged (rate-limited).
  bool admit(net::Accepted& accepted);
  void closed() { stats.connections_open.fetch_sub(1, std::memory_order_relaxed); }
  // The accept back-off policy of every model: after a failed accept, how long to stop
  // accepting. Out of fds or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM): 100 ms, so the loop
  // does not spin on a readiness it cannot act on; anything else (a connection that failed in
  // the backlog): no pause. Logs (rate-limited).
  std::chrono::milliseconds accept_back_off(const Error& error);
  RateLimitedWarning accept_errors;
};

// Each model runs until ctx.stop_fd is readable, then drains: stops accepting and running new
// requests, writes what is owed, closes cleanly, and returns within the drain timeout.
Result<void> run_iterative(ModelContext& ctx);
Result<void> run_fork(ModelContext& ctx);
Result<void> run_thread(ModelContext& ctx);
Result<void> run_epoll(ModelContext& ctx);
Result<void> run_reactors(ModelContext& ctx);
Result<void> run_datagram(ModelContext& ctx);

}  // namespace tcpkit::server::detail
