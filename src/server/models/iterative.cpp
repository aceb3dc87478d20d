// The iterative model: accept one client, serve it to the end, accept the next. The first
// server anyone writes; a second client waits in the listen backlog until the first is done.
#include "../detail/blocking.hpp"

namespace tcpkit::server::detail {

Result<void> run_iterative(ModelContext& ctx) {
  Ticker ticker(ctx.service);
  for (;;) {
    int ready = wait_for_listener(ctx, -1);
    if (ready < 0) break;
    const net::Listener& listener = ctx.listeners[static_cast<std::size_t>(ready)];
    auto accepted = accept_admitted(ctx, listener);
    if (!accepted) continue;
    serve_blocking(ctx, std::move(*accepted), listener);
    ctx.closed();
  }
  return {};
}

}  // namespace tcpkit::server::detail
