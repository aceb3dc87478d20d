#include "detail/blocking.hpp"

#include <poll.h>

#include <chrono>

#include "tcpkit/io/buffer.hpp"
#include "tcpkit/server/log.hpp"

namespace tcpkit::server::detail {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kReadChunk = 64 * 1024;

enum class Wait { kReady, kStop, kTimeout };

// Polls `fd` for `events` and `stop_fd` for readability.
Wait wait_for(int fd, short events, int stop_fd, int timeout_ms) {
  pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
  for (;;) {
    int rc = ::poll(fds, stop_fd >= 0 ? 2 : 1, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) return Wait::kTimeout;
    if (fds[0].revents != 0) return Wait::kReady;
    return Wait::kStop;
  }
}

class BlockingConnection {
 public:
  BlockingConnection(ModelContext& ctx, net::Accepted accepted, const net::Listener& listener,
                     int stop_fd)
      : ctx_(ctx), fd_(std::move(accepted.fd)), stop_fd_(stop_fd) {
    SessionInfo info = ctx.session_info(accepted, listener);
    peer_ = info.peer;
    session_ = ctx.service.open_session(info);
  }
  ~BlockingConnection() { net::close_fd(fd_); }

  void serve() {
    const int idle_ms = ctx_.options.idle_timeout.count() > 0
                            ? static_cast<int>(ctx_.options.idle_timeout.count())
                            : -1;
    for (;;) {
      Wait w = wait_for(fd_.get(), POLLIN, stopping_ ? -1 : stop_fd_, idle_ms);
      if (w == Wait::kTimeout) {
        ctx_.stats.idle_timeouts.fetch_add(1, std::memory_order_relaxed);
        log::info("{}: closing (idle timeout)", peer_);
        return;
      }
      if (w == Wait::kStop) return drain();
      if (!read_and_serve()) return;
    }
  }

 private:
  // One read, the session, and a full flush. False when the connection is done.
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
    input_.commit(r->bytes);
    Progress p = session_->on_bytes(input_.view(), output_);
    input_.consume(p.consumed);
    if (input_.size() > ctx_.options.input_limit) {
      log::warn("{}: unconsumed input over the limit; disconnecting", peer_);
      return false;
    }
    return flush() && !p.close;
  }

  // Writes all pending output, waiting for the socket as needed. False on error or when the
  // drain deadline passes.
  bool flush() {
    while (!output_.empty()) {
      auto r = net::write_some(fd_.get(), output_.data(), output_.size());
      if (!r) {
        log::info("{}: {}", peer_, r.error().message());
        return false;
      }
      if (r->status == net::IoStatus::kOk) {
        ctx_.stats.bytes_written.fetch_add(r->bytes, std::memory_order_relaxed);
        output_.consume(r->bytes);
        continue;
      }
      Wait w = wait_for(fd_.get(), POLLOUT, stopping_ ? -1 : stop_fd_, remaining_ms());
      if (w == Wait::kStop) begin_stopping();
      if (w == Wait::kTimeout) return false;
    }
    if (input_.empty()) input_.release();
    output_.release();
    return true;
  }

  // Graceful shutdown: answer what has already arrived, flush, close.
  void drain() {
    begin_stopping();
    for (int i = 0; i < 16; ++i) {
      auto r = net::read_some(fd_.get(), input_.prepare(kReadChunk), kReadChunk);
      if (!r || r->status != net::IoStatus::kOk) break;
      input_.commit(r->bytes);
    }
    Progress p = session_->on_bytes(input_.view(), output_);
    input_.consume(p.consumed);
    flush();
  }

  void begin_stopping() {
    if (stopping_) return;
    stopping_ = true;
    deadline_ = Clock::now() + ctx_.options.drain_timeout;
  }

  int remaining_ms() const {
    if (!stopping_) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
  }

  ModelContext& ctx_;
  UniqueFd fd_;
  int stop_fd_;
  std::string peer_;
  std::unique_ptr<Session> session_;
  io::Buffer input_;
  io::Buffer output_;
  bool stopping_ = false;
  Clock::time_point deadline_{};
};

}  // namespace

void serve_blocking(ModelContext& ctx, net::Accepted accepted, const net::Listener& listener,
                    int stop_fd) {
  BlockingConnection(ctx, std::move(accepted), listener, stop_fd).serve();
}

int wait_for_listener(const std::vector<net::Listener>& listeners, int stop_fd, int timeout_ms) {
  std::vector<pollfd> fds;
  fds.push_back({stop_fd, POLLIN, 0});
  for (const auto& l : listeners) fds.push_back({l.fd.get(), POLLIN, 0});
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

std::optional<net::Accepted> accept_or_back_off(const net::Listener& listener, int stop_fd) {
  auto accepted = net::accept_connection(listener.fd.get(), /*nonblocking=*/true);
  if (!accepted) {
    log::warn("{}; pausing accepts for 100 ms", accepted.error().message());
    (void)wait_for_listener({}, stop_fd, 100);
    return std::nullopt;
  }
  if (!accepted->fd) return std::nullopt;
  return std::move(*accepted);
}

Ticker::Ticker(Service& service, StopSignal& stop) : stop_(stop) {
  const int stop_fd = stop.fd();
  const auto interval = service.tick_interval();
  if (interval.count() <= 0) return;
  thread_ = std::thread([&service, stop_fd, interval] {
    while (wait_for(stop_fd, POLLIN, -1, static_cast<int>(interval.count())) == Wait::kTimeout) {
      service.tick();
    }
  });
}

Ticker::~Ticker() {
  stop_.request();
  if (thread_.joinable()) thread_.join();
}

}  // namespace tcpkit::server::detail
