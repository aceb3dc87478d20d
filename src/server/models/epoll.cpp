// The epoll model: one non-blocking event loop serves every connection (C10K on one core, as
// Redis and nginx do). All the work is in Reactor; this file wires it to the calling thread.
#include "../detail/reactor.hpp"

namespace tcpkit::server::detail {

Result<void> run_epoll(ModelContext& ctx) {
  auto loop = io::EventLoop::create();
  if (!loop) return Fail(loop.error());
  Reactor reactor(ctx, **loop);
  for (const auto& listener : ctx.listeners) {
    if (auto r = reactor.watch_listener(listener); !r) return r;
  }
  StopWatch stop(**loop, ctx.stop_fd, [&reactor] { reactor.begin_drain(); });
  if (auto r = stop.start(); !r) return r;
  if (auto interval = ctx.service.tick_interval(); interval.count() > 0) {
    (*loop)->add_timer(
        interval, [&ctx] { ctx.service.tick(); }, interval);
  }
  return (*loop)->run();
}

}  // namespace tcpkit::server::detail
