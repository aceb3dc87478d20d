// The iterative model: accept one client, serve it to the end, accept the next. The first
// server anyone writes; a second client waits in the listen backlog until the first is done.
#include "../detail/blocking.hpp"

namespace tcpkit::server::detail {

Result<void> run_iterative(ModelContext& ctx) {
  auto stop = StopSignal::start();
  if (!stop) return Fail(stop.error());
  Ticker ticker(ctx.service, **stop);
  for (;;) {
    int ready = wait_for_listener(ctx.listeners, (*stop)->fd(), -1);
    if (ready < 0) break;
    const net::Listener& listener = ctx.listeners[static_cast<std::size_t>(ready)];
    auto accepted = accept_or_back_off(listener, (*stop)->fd());
    if (!accepted) continue;
    ctx.stats.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    ctx.stats.connections_open.fetch_add(1, std::memory_order_relaxed);
    serve_blocking(ctx, std::move(*accepted), listener, (*stop)->fd());
    ctx.stats.connections_open.fetch_sub(1, std::memory_order_relaxed);
  }
  return {};
}

}  // namespace tcpkit::server::detail
