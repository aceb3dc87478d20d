// The thread model: one thread per connection running plain blocking code, bounded by
// --max-connections. The main thread accepts; finished threads are joined as it goes. A thread
// that cannot be created (a task or address-space limit) refuses that one connection: it is
// closed and logged, and the server lives on.
#include <list>
#include <memory>
#include <system_error>
#include <thread>

#include "../detail/blocking.hpp"
#include "tcpkit/server/log.hpp"

namespace tcpkit::server::detail {

namespace {

struct Worker {
  std::thread thread;
  std::atomic<bool> done{false};
};

void reap(std::list<Worker>& workers) {
  for (auto it = workers.begin(); it != workers.end();) {
    if (it->done.load(std::memory_order_acquire)) {
      it->thread.join();
      it = workers.erase(it);
    } else {
      ++it;
    }
  }
}

// Starts a worker for the connection; on failure closes it and says why.
void start_worker(ModelContext& ctx, std::list<Worker>& workers, const net::Listener& listener,
                  net::Accepted accepted) {
  Worker& w = workers.emplace_back();
  // The connection moves into the thread only once it exists: on failure it is still ours.
  auto connection = std::make_shared<net::Accepted>(std::move(accepted));
  try {
    w.thread = std::thread([&ctx, &w, &listener, connection] {
      serve_blocking(ctx, std::move(*connection), listener);
      ctx.closed();
      w.done.store(true, std::memory_order_release);
    });
  } catch (const std::system_error& e) {
    workers.pop_back();
    ctx.closed();
    ctx.stats.connections_rejected.fetch_add(1, std::memory_order_relaxed);
    if (const auto n = ctx.refusals.note(); n > 0) {
      log::warn("connection refused: cannot start a thread for it ({}); {} since the last report",
                e.what(), n);
    }
    net::close_fd(connection->fd);
  }
}

}  // namespace

Result<void> run_thread(ModelContext& ctx) {
  Ticker ticker(ctx.service);
  std::list<Worker> workers;
  for (;;) {
    int ready = wait_for_listener(ctx, 1000);
    reap(workers);
    if (ready == -1) break;
    if (ready < 0) continue;
    const net::Listener& listener = ctx.listeners[static_cast<std::size_t>(ready)];
    auto accepted = accept_admitted(ctx, listener);
    if (!accepted) continue;
    start_worker(ctx, workers, listener, std::move(*accepted));
  }
  // Each worker sees the stop fd, writes what it owes, closes within the drain timeout.
  for (auto& w : workers) w.thread.join();
  return {};
}

}  // namespace tcpkit::server::detail
