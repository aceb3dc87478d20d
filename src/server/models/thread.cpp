// The thread model: one thread per connection running plain blocking code, bounded by
// --max-connections. The main thread accepts; finished threads are joined as it goes.
#include <list>
#include <memory>
#include <thread>

#include "../detail/blocking.hpp"

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

}  // namespace

Result<void> run_thread(ModelContext& ctx) {
  auto stop = StopSignal::start();
  if (!stop) return Fail(stop.error());
  const int stop_fd = (*stop)->fd();
  Ticker ticker(ctx.service, **stop);
  std::list<Worker> workers;
  for (;;) {
    int ready = wait_for_listener(ctx.listeners, stop_fd, 1000);
    reap(workers);
    if (ready == -1) break;
    if (ready < 0) continue;
    const net::Listener& listener = ctx.listeners[static_cast<std::size_t>(ready)];
    auto accepted = accept_or_back_off(listener, stop_fd);
    if (!accepted) continue;
    if (ctx.over_connection_limit()) continue;  // closes it
    ctx.stats.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    ctx.stats.connections_open.fetch_add(1, std::memory_order_relaxed);
    Worker& w = workers.emplace_back();
    w.thread = std::thread([&ctx, &w, &listener, stop_fd, a = std::move(*accepted)]() mutable {
      serve_blocking(ctx, std::move(a), listener, stop_fd);
      ctx.stats.connections_open.fetch_sub(1, std::memory_order_relaxed);
      w.done.store(true, std::memory_order_release);
    });
  }
  // Each worker sees the stop fd, answers what it has, flushes within the drain timeout.
  for (auto& w : workers) w.thread.join();
  return {};
}

}  // namespace tcpkit::server::detail
