// Reactor::Connection: one non-blocking client connection on a Reactor's loop.
#include "detail/reactor_connection.hpp"

#include "tcpkit/net/trace.hpp"
#include "tcpkit/server/log.hpp"

namespace tcpkit::server::detail {

namespace {
constexpr std::size_t kReadChunk = 64 * 1024;
// Reads per readable event while more data keeps coming; then other connections get a turn.
constexpr int kReadsPerEvent = 4;
}  // namespace

Reactor::Connection::Connection(Reactor& owner, UniqueFd fd, std::unique_ptr<Session> session,
                                std::string peer)
    : owner_(owner), fd_(std::move(fd)), session_(std::move(session)), peer_(std::move(peer)) {}

Reactor::Connection::~Connection() { net::close_fd(fd_); }

Result<void> Reactor::Connection::start() {
  interest_ = EPOLLIN | EPOLLRDHUP;
  return owner_.loop_.add(fd_.get(), interest_, this);
}

void Reactor::Connection::on_events(std::uint32_t events) {
  if ((events & EPOLLERR) != 0 && (events & EPOLLIN) == 0) return close("socket error");
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) != 0 && wants_input()) {
    if (!read_and_serve(kReadsPerEvent)) return;
  }
  if ((events & EPOLLOUT) != 0 && !output_.empty()) {
    flush_and_update();
  } else if ((events & EPOLLHUP) != 0 && !wants_input() && output_.empty()) {
    close("hang-up");
  }
}

bool Reactor::Connection::wants_input() const {
  return !read_closed_ && !close_after_flush_ &&
         output_.size() < owner_.ctx_.options.output_high_water;
}

// Reads and serves up to `rounds` chunks. Returns false when the connection was closed.
bool Reactor::Connection::read_and_serve(int rounds) {
  for (int i = 0; i < rounds && wants_input(); ++i) {
    const bool from_scratch = input_.empty();
    char* into = from_scratch ? owner_.scratch_in_.get() : input_.prepare(kReadChunk);
    auto r = net::read_some(fd_.get(), into, kReadChunk);
    if (!r) {
      log::info("{}: {}", peer_, r.error().message());
      close("read error");
      return false;
    }
    if (r->status == net::IoStatus::kWouldBlock) break;
    if (r->status == net::IoStatus::kEof) return on_peer_closed();
    owner_.ctx_.stats.bytes_read.fetch_add(r->bytes, std::memory_order_relaxed);
    owner_.touch(this);
    std::string_view data;
    if (from_scratch) {
      data = std::string_view(into, r->bytes);
    } else {
      input_.commit(r->bytes);
      data = input_.view();
    }
    if (!serve(data, from_scratch)) return false;
    if (r->bytes < kReadChunk) break;  // the socket is most likely drained
  }
  return true;
}

// Hands `data` to the session, keeps what it did not consume, writes the replies.
bool Reactor::Connection::serve(std::string_view data, bool from_scratch) {
  io::Buffer& out = output_.empty() ? owner_.scratch_out_ : output_;
  Progress p = session_->on_bytes(data, out);
  if (from_scratch) {
    if (p.consumed < data.size()) input_.append(data.substr(p.consumed));
  } else {
    input_.consume(p.consumed);
    if (input_.empty()) input_.release();
  }
  if (p.close) close_after_flush_ = true;
  if (input_.size() > owner_.ctx_.options.input_limit) {
    log::warn("{}: unconsumed input over the limit ({} bytes); disconnecting", peer_,
              owner_.ctx_.options.input_limit);
    close("input limit");
    return false;
  }
  return flush_and_update(&out);
}

bool Reactor::Connection::on_peer_closed() {
  read_closed_ = true;
  io::Buffer& out = output_.empty() ? owner_.scratch_out_ : output_;
  session_->on_eof(input_.view(), out);
  input_.clear();
  input_.release();
  return flush_and_update(&out);
}

// Writes pending output (from `pending`, the scratch buffer or output_), keeps the rest in
// output_, and updates the epoll interest. Returns false when the connection was closed.
bool Reactor::Connection::flush_and_update(io::Buffer* pending) {
  io::Buffer& out = pending != nullptr ? *pending : output_;
  while (!out.empty()) {
    auto r = net::write_some(fd_.get(), out.data(), out.size());
    if (!r) {
      log::info("{}: {}", peer_, r.error().message());
      out.clear();
      close("write error");
      return false;
    }
    if (r->status == net::IoStatus::kWouldBlock) break;
    owner_.ctx_.stats.bytes_written.fetch_add(r->bytes, std::memory_order_relaxed);
    out.consume(r->bytes);
  }
  if (&out != &output_ && !out.empty()) std::swap(out, output_);
  if (output_.empty() && output_.capacity() > 0) output_.release();
  if (output_.size() > owner_.ctx_.options.output_limit) {
    log::warn("{}: pending output over the limit ({} bytes); disconnecting", peer_,
              owner_.ctx_.options.output_limit);
    owner_.ctx_.stats.output_limit_disconnects.fetch_add(1, std::memory_order_relaxed);
    close("output limit");
    return false;
  }
  if ((read_closed_ || close_after_flush_) && output_.empty()) {
    close(read_closed_ ? "peer closed" : "session closed");
    return false;
  }
  update_interest();
  return true;
}

void Reactor::Connection::update_interest() {
  std::uint32_t want = EPOLLRDHUP;
  if (wants_input()) want |= EPOLLIN;
  if (!output_.empty()) want |= EPOLLOUT;
  if (want == interest_) return;
  interest_ = want;
  (void)owner_.loop_.modify(fd_.get(), interest_, this);
}

// Graceful shutdown: serve what has already arrived, then close once it is flushed.
void Reactor::Connection::drain() {
  if (wants_input() && !read_and_serve(kReadsPerEvent)) return;
  close_after_flush_ = true;
  flush_and_update();
}

void Reactor::Connection::close(const char* why) {
  log::info("{}: closing ({})", peer_, why);
  owner_.loop_.remove(fd_.get(), this);
  owner_.destroy(this);
}

}  // namespace tcpkit::server::detail
