#include "detail/blocking.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "detail/output_limits.hpp"
#include "tcpkit/io/buffer.hpp"
#include "tcpkit/server/log.hpp"

namespace tcpkit::server::detail {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kReadChunk = 64 * 1024;
// While lingering before the close, how often to look whether the peer acknowledged everything.
constexpr auto kLingerPoll = std::chrono::milliseconds(10);

enum class Wait { kReady, kReset, kStop, kTimeout, kWoken };

// Polls `fd` for `events`, `stop_fd` (when >= 0) and `wake_fd` (when >= 0) for readability,
// up to `deadline`.
Wait wait_for(int fd, short events, int stop_fd, std::optional<Clock::time_point> deadline,
              int wake_fd = -1) {
  pollfd fds[3] = {{fd, events, 0}, {stop_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
  for (;;) {
    int timeout_ms = -1;
    if (deadline) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
      timeout_ms = static_cast<int>(std::clamp<long long>(left.count(), 0, 60'000));
    }
    // A negative fd is ignored by poll().
    int rc = ::poll(fds, 3, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) {
      if (deadline && Clock::now() < *deadline) continue;  // the 60 s clamp
      return Wait::kTimeout;
    }
    // A socket error (the peer reset it): nothing owed can be delivered any more.
    if ((fds[0].revents & POLLERR) != 0) return Wait::kReset;
    if (fds[0].revents != 0) return Wait::kReady;
    if (fds[2].revents != 0) return Wait::kWoken;
    return Wait::kStop;
  }
}

// The Waker of a connection served by one thread: an eventfd its poll() watches.
class EventFdWaker final : public Outlet::Waker {
 public:
  EventFdWaker() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
  bool ok() const { return static_cast<bool>(fd_); }
  int fd() const { return fd_.get(); }
  void wake(std::shared_ptr<Outlet>) override {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(fd_.get(), &one, sizeof(one));
  }
  void clear() {
    std::uint64_t count = 0;
    [[maybe_unused]] auto n = ::read(fd_.get(), &count, sizeof(count));
  }

 private:
  UniqueFd fd_;
};

std::optional<Clock::time_point> earliest(std::optional<Clock::time_point> a,
                                          std::optional<Clock::time_point> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

class BlockingConnection {
 public:
  BlockingConnection(ModelContext& ctx, net::Accepted accepted, const net::Listener& listener)
      : ctx_(ctx), fd_(std::move(accepted.fd)), limits_(ctx.options) {
    SessionInfo info = ctx.session_info(accepted, listener);
    peer_ = info.peer;
    // Without an eventfd the connection is served without an outlet (nothing can be pushed).
    if (waker_.ok()) {
      outlet_ = std::make_shared<Outlet>(&waker_, this, ctx.options.output_limit);
      info.outlet = outlet_;
    }
    session_ = ctx.service.open_session(info);
    last_active_ = Clock::now();
  }
  ~BlockingConnection() {
    if (outlet_) outlet_->detach();
    session_.reset();
    net::close_fd(fd_);
  }

  void serve() {
    for (;;) {
      if (drain_deadline_) return drain();  // the stop came while writing
      if (rerun_ && !on_wake()) return;     // woken while writing
      Wait w = wait_for(fd_.get(), POLLIN, ctx_.stop_fd, earliest(idle_deadline(), wake_at_),
                        waker_.fd());
      if (w == Wait::kTimeout) {
        if (wake_at_ && Clock::now() >= *wake_at_) {
          if (!on_wake()) return;
          continue;
        }
        return idle_close();
      }
      if (w == Wait::kStop) return drain();
      if (w == Wait::kReset) return;  // its unread requests are not run for nobody
      if (w == Wait::kWoken) {
        if (!on_wake()) return;
        continue;
      }
      if (!read_and_serve()) return;
    }
  }

 private:
  std::optional<Clock::time_point> idle_deadline() const {
    if (ctx_.options.idle_timeout.count() <= 0 || waiting_) return std::nullopt;
    return last_active_ + ctx_.options.idle_timeout;
  }

  // Pushed output, a wake-up, a kill, or the session's wake_at: take what was pushed, run the
  // session on the input it left, write. False when the connection is done.
  bool on_wake() {
    if (!take_pushed()) return false;
    rerun_ = false;
    wake_at_.reset();
    return run_session();
  }

  // Moves pushed output to the end of output_ (between replies) and notes that the session
  // must run again. False when the outlet says to close.
  bool take_pushed() {
    if (!outlet_) return true;
    waker_.clear();
    rerun_ = true;
    switch (outlet_->take(output_)) {
      case Outlet::State::kOpen:
        return true;
      case Outlet::State::kKilled:
        log::info("{}: closing (killed)", peer_);
        return false;
      case Outlet::State::kOverflowed:
        return disconnect("pushed output over the hard limit");
    }
    return false;
  }

  void after_session(const Progress& p) {
    waiting_ = p.waiting;
    wake_at_ = p.wake_at;
    if (limits_.use(session_->output_limits()) && outlet_) outlet_->set_push_limit(limits_.hard());
  }

  void idle_close() {
    ctx_.stats.idle_timeouts.fetch_add(1, std::memory_order_relaxed);
    log::info("{}: closing (idle timeout)", peer_);
  }

  // One read, then the session as long as it makes progress, each round's replies flushed
  // before the next (so pending output never passes the high-water mark by more than one
  // reply). False when the connection is done.
  bool read_and_serve() {
    auto r = net::read_some(fd_.get(), input_.prepare(kReadChunk), kReadChunk);
    if (!r) {
      log::info("{}: {}", peer_, r.error().message());
      return false;
    }
    if (r->status == net::IoStatus::kWouldBlock) return true;
    if (r->status == net::IoStatus::kEof) {
      session_->on_eof(input_.view(), output_);
      flush();
      return false;
    }
    ctx_.stats.bytes_read.fetch_add(r->bytes, std::memory_order_relaxed);
    last_active_ = Clock::now();
    input_.commit(r->bytes);
    if (!run_session()) return false;
    if (input_.size() > ctx_.options.input_limit) {
      log::warn("{}: unconsumed input over the limit ({} bytes); disconnecting", peer_,
                ctx_.options.input_limit);
      return false;
    }
    if (input_.empty()) input_.release();
    return true;
  }

  // The session as long as it makes progress, each round's replies flushed before the next.
  // It runs once even on no input (after a wake-up). False when the connection is done.
  bool run_session() {
    for (;;) {
      const std::size_t room = limits_.room(output_.size());
      Progress p = session_->on_bytes(input_.view(), output_, room);
      after_session(p);
      input_.consume(p.consumed);
      if (auto why = limits_.exceeded(output_.size(), output_.size(), Clock::now())) {
        return disconnect(why);
      }
      if (!flush() || p.close) return false;
      if (p.consumed == 0 || input_.empty()) break;
    }
    return true;
  }

  bool disconnect(const char* why) {
    log::warn("{}: {}; disconnecting", peer_, why);
    ctx_.stats.output_limit_disconnects.fetch_add(1, std::memory_order_relaxed);
    return false;
  }

  // Writes all pending output, waiting for the socket as needed. False on error, at the idle
  // timeout, at the drain deadline or when the soft output limit ran out.
  bool flush() {
    if (!output_.empty()) {
      // Durability barrier: no reply leaves before the log records it depends on.
      const std::uint64_t mark = session_->log_mark();
      if (mark > 0 && ctx_.service.await_log(mark) < mark) {
        log::warn("{}: the service's log failed; closing without acknowledging", peer_);
        return false;
      }
    }
    while (!output_.empty()) {
      auto r = net::write_some(fd_.get(), output_.data(), output_.size());
      if (!r) {
        log::info("{}: {}", peer_, r.error().message());
        return false;
      }
      if (r->status == net::IoStatus::kOk) {
        ctx_.stats.bytes_written.fetch_add(r->bytes, std::memory_order_relaxed);
        output_.consume(r->bytes);
        last_active_ = Clock::now();
        continue;
      }
      // Waiting for the socket: what the kernel holds unsent counts toward the soft limit.
      std::size_t owed = output_.size();
      if (limits_.soft_limited()) owed += net::unacknowledged_bytes(fd_.get());
      if (auto why = limits_.exceeded(output_.size(), owed, Clock::now())) return disconnect(why);
      auto deadline = earliest(earliest(idle_deadline(), drain_deadline_), limits_.soft_deadline());
      Wait w = wait_for(fd_.get(), POLLOUT, drain_deadline_ ? -1 : ctx_.stop_fd, deadline,
                        drain_deadline_ || !outlet_ ? -1 : waker_.fd());
      if (w == Wait::kReset) return false;
      if (w == Wait::kWoken) {
        if (!take_pushed()) return false;
        continue;
      }
      if (w == Wait::kStop) begin_stopping();
      if (w != Wait::kTimeout) continue;
      if (drain_deadline_ && Clock::now() >= *drain_deadline_) return false;
      if (auto idle = idle_deadline(); idle && Clock::now() >= *idle) {
        idle_close();
        return false;
      }
    }
    output_.release();
    return true;
  }

  // Graceful shutdown: no new requests run; what is owed is written, then the sending side
  // is shut down and unread input is read and dropped until the peer has acknowledged every
  // byte we sent (or closed, or the deadline passed): a close before that could meet unread
  // input and become a reset that destroys replies still in flight.
  void drain() {
    begin_stopping();
    if (outlet_) outlet_->detach();  // nothing new is owed from now on
    if (!flush()) return;
    (void)net::shutdown_write(fd_.get());
    char sink[4096];
    for (;;) {
      auto r = net::read_some(fd_.get(), sink, sizeof(sink));
      if (!r || r->status == net::IoStatus::kEof) return;
      if (r->status == net::IoStatus::kOk) continue;
      if (net::unacknowledged_bytes(fd_.get()) == 0) return;
      const auto next = std::min(*drain_deadline_, Clock::now() + kLingerPoll);
      if (wait_for(fd_.get(), POLLIN, -1, next) == Wait::kTimeout &&
          Clock::now() >= *drain_deadline_) {
        return;
      }
    }
  }

  void begin_stopping() {
    if (!drain_deadline_) drain_deadline_ = Clock::now() + ctx_.options.drain_timeout;
  }

  ModelContext& ctx_;
  UniqueFd fd_;
  OutputLimits limits_;
  std::string peer_;
  EventFdWaker waker_;  // declared before the session, which may hold the outlet
  std::shared_ptr<Outlet> outlet_;
  std::unique_ptr<Session> session_;
  bool waiting_ = false;
  bool rerun_ = false;  // woken while writing: run the session once the output is written
  std::optional<Clock::time_point> wake_at_;
  io::Buffer input_;
  io::Buffer output_;
  Clock::time_point last_active_;
  std::optional<Clock::time_point> drain_deadline_;
};

}  // namespace

void serve_blocking(ModelContext& ctx, net::Accepted accepted, const net::Listener& listener) {
  BlockingConnection(ctx, std::move(accepted), listener).serve();
}

int wait_for_listener(const ModelContext& ctx, int timeout_ms) {
  std::vector<pollfd> fds;
  fds.push_back({ctx.stop_fd, POLLIN, 0});
  for (const auto& l : ctx.listeners) fds.push_back({l.fd.get(), POLLIN, 0});
  for (;;) {
    int rc = ::poll(fds.data(), fds.size(), timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) return -2;
    if (fds[0].revents != 0) return -1;
    for (std::size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents != 0) return static_cast<int>(i - 1);
    }
  }
}

std::optional<net::Accepted> accept_admitted(ModelContext& ctx, const net::Listener& listener) {
  auto accepted = net::accept_connection(listener.fd.get(), /*nonblocking=*/true);
  if (!accepted) {
    const auto pause = ctx.accept_back_off(accepted.error());
    if (pause.count() > 0) {
      pollfd p{ctx.stop_fd, POLLIN, 0};
      (void)::poll(&p, 1, static_cast<int>(pause.count()));
    }
    return std::nullopt;
  }
  if (!accepted->fd || !ctx.admit(*accepted)) return std::nullopt;
  return std::move(*accepted);
}

Ticker::Ticker(Service& service) : quit_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  const auto interval = service.tick_interval();
  if (interval.count() <= 0 || !quit_fd_) return;
  thread_ = std::thread([&service, fd = quit_fd_.get(), interval] {
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      const int rc = ::poll(&p, 1, static_cast<int>(interval.count()));
      if (rc > 0) return;
      if (rc == 0) service.tick();
    }
  });
}

Ticker::~Ticker() {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(quit_fd_.get(), &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
}

}  // namespace tcpkit::server::detail
