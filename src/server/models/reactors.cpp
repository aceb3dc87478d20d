// The reactors model: one event loop per thread (--threads N, default one per core).
//
// TCP listeners are opened once per loop with SO_REUSEPORT, so the kernel spreads new
// connections over the loops and no lock sits on the accept path. Unix sockets have no
// SO_REUSEPORT: loop 0 accepts on them and hands each connection to the next loop in turn.
// The calling thread only waits for the stop (and runs the service's tick); then it asks every
// loop to drain and waits for them to finish.
#include <system_error>
#include <thread>

#include "../detail/reactor.hpp"

namespace tcpkit::server::detail {

namespace {

struct Shard {
  std::unique_ptr<io::EventLoop> loop;
  std::unique_ptr<Reactor> reactor;
  std::vector<net::Listener> own_listeners;  // the SO_REUSEPORT copies (not for loop 0)
  std::thread thread;
  Result<void> result;  // what the loop's run() returned
};

// Gives loop `index` its listeners: its own SO_REUSEPORT socket for each TCP address,
// and for loop 0 the Unix ones with hand-off to every loop.
Result<void> attach_listeners(ModelContext& ctx, std::vector<Shard>& shards, std::size_t index) {
  Shard& shard = shards[index];
  std::vector<Reactor*> all;
  for (auto& s : shards) all.push_back(s.reactor.get());
  for (const auto& listener : ctx.listeners) {
    if (listener.endpoint.is_unix()) {
      if (index == 0) {
        if (auto r = shard.reactor->watch_listener(listener, all); !r) return r;
      }
      continue;
    }
    if (index == 0) {
      if (auto r = shard.reactor->watch_listener(listener); !r) return r;
      continue;
    }
    net::ListenOptions options;
    options.backlog = ctx.options.backlog;
    options.reuse_port = true;
    options.nonblocking = true;
    auto copy = net::listen_on(listener.endpoint, options);
    if (!copy) return Fail(copy.error());
    shard.own_listeners.push_back(std::move(*copy));
  }
  for (const auto& own : shard.own_listeners) {
    if (auto r = shard.reactor->watch_listener(own); !r) return r;
  }
  return {};
}

}  // namespace

Result<void> run_reactors(ModelContext& ctx) {
  const unsigned n = ctx.options.loop_count();
  std::vector<Shard> shards(n);
  for (auto& shard : shards) {
    auto loop = io::EventLoop::create();
    if (!loop) return Fail(loop.error());
    shard.loop = std::move(*loop);
    shard.reactor = std::make_unique<Reactor>(ctx, *shard.loop);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (auto r = attach_listeners(ctx, shards, i); !r) return r;
  }
  auto control = io::EventLoop::create();
  if (!control) return Fail(control.error());
  StopWatch stop(**control, ctx.stop_fd, [&shards] {
    for (auto& s : shards) s.loop->post([r = s.reactor.get()] { r->begin_drain(); });
  });
  if (auto r = stop.start(); !r) return r;
  if (auto interval = ctx.service.tick_interval(); interval.count() > 0) {
    (*control)->add_timer(
        interval, [&ctx] { ctx.service.tick(); }, interval);
  }
  std::atomic<unsigned> finished{0};
  io::EventLoop* control_loop = control->get();
  // A loop that fails stops them all: the server cannot go on with a part of its cores.
  auto stop_all = [&shards, control_loop] {
    for (auto& s : shards) s.loop->stop();
    control_loop->stop();
  };
  Result<void> result;
  for (auto& shard : shards) {
    try {
      shard.thread = std::thread([&shard, &finished, n, control_loop, &stop_all] {
        shard.result = shard.loop->run();
        if (!shard.result) stop_all();
        if (finished.fetch_add(1) + 1 == n) control_loop->stop();
      });
    } catch (const std::system_error& e) {
      result = Fail(Error(e.code(), "starting a reactor thread"));
      stop_all();
      break;
    }
  }
  if (result) result = (*control)->run();
  if (!result) stop_all();
  for (auto& shard : shards) {
    if (shard.thread.joinable()) shard.thread.join();
    if (result && !shard.result) result = shard.result;
  }
  return result;
}

}  // namespace tcpkit::server::detail
