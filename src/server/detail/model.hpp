#pragma once
// What every concurrency model gets, and the entry point of each. Internal to src/server.

#include <atomic>
#include <cstdint>
#include <vector>

#include "tcpkit/base/result.hpp"
#include "tcpkit/net/socket.hpp"
#include "tcpkit/server/options.hpp"
#include "tcpkit/server/service.hpp"
#include "tcpkit/server/stats.hpp"

namespace tcpkit::server::detail {

struct ModelContext {
  const ServerOptions& options;
  Service& service;
  Stats& stats;
  std::vector<net::Listener>& listeners;
  std::atomic<std::uint64_t> next_session_id{1};

  SessionInfo session_info(const net::Accepted& accepted, const net::Listener& listener);
  // True (and counted, logged) when a new connection would pass --max-connections.
  bool over_connection_limit();
};

// Each model runs until SIGINT/SIGTERM, then drains. SIGINT, SIGTERM are already blocked in
// the calling thread (and so in threads it starts); each model reads them with a signalfd.
Result<void> run_iterative(ModelContext& ctx);
Result<void> run_fork(ModelContext& ctx);
Result<void> run_thread(ModelContext& ctx);
Result<void> run_epoll(ModelContext& ctx);
Result<void> run_reactors(ModelContext& ctx);
Result<void> run_datagram(ModelContext& ctx);

}  // namespace tcpkit::server::detail
