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

// Hands `data` to the session and keeps what it did not consume. The replies go to the
// loop's batch and are written before it waits again (Reactor::flush_deferred), unless this
// connection already has output waiting, which they join.
bool Reactor::Connection::serve(std::string_view data, bool from_scratch) {
  io::Buffer& out = reply_buffer();
  const std::size_t before = out.size();
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
  return replied(out, before);
}

bool Reactor::Connection::on_peer_closed() {
  read_closed_ = true;
  io::Buffer& out = reply_buffer();
  const std::size_t before = out.size();
  session_->on_eof(input_.view(), out);
  input_.clear();
  input_.release();
  return replied(out, before);
}

// Where the session's next replies go: the loop's batch, or output_ when something is already
// waiting there (or this connection's batched bytes are no longer last in the batch), so
// replies always leave in order.
io::Buffer& Reactor::Connection::reply_buffer() {
  if (!output_.empty()) return output_;
  if (deferred_slot_ < 0 || owner_.deferred_is_last(deferred_slot_)) return owner_.batch_out_;
  take_deferred();
  return output_;
}

// After the session appended to `out` (from `before` on): batched replies wait for the loop's
// flush; anything else is written now. Returns false when the connection was closed.
bool Reactor::Connection::replied(io::Buffer& out, std::size_t before) {
  if (&out == &owner_.batch_out_) owner_.defer(this, before, out.size() - before);
  if (deferred_slot_ >= 0) return true;
  return flush_and_update();
}

// Moves this connection's batched bytes into output_ (they are written from there).
void Reactor::Connection::take_deferred() {
  output_.append(owner_.deferred_bytes(deferred_slot_));
  owner_.forget_deferred(deferred_slot_);
  deferred_slot_ = -1;
}

// Writes pending output and updates the epoll interest. Returns false when it closed.
bool Reactor::Connection::flush_and_update() {
  if (deferred_slot_ >= 0) take_deferred();
  if (!output_.empty()) {
    auto written = write_out(output_.view());
    if (!written) return false;
    output_.consume(*written);
  }
  return after_write();
}

// Called by Reactor::flush_deferred with this connection's share of the batch.
void Reactor::Connection::write_deferred(std::string_view bytes) {
  deferred_slot_ = -1;
  auto written = write_out(bytes);
  if (!written) return;
  if (*written < bytes.size()) output_.append(bytes.substr(*written));
  after_write();
}

// Writes as much of `bytes` as the socket takes. nullopt: a write error closed the connection.
std::optional<std::size_t> Reactor::Connection::write_out(std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto r = net::write_some(fd_.get(), bytes.data() + done, bytes.size() - done);
    if (!r) {
      log::info("{}: {}", peer_, r.error().message());
      close("write error");
      return std::nullopt;
    }
    if (r->status == net::IoStatus::kWouldBlock) break;
    owner_.ctx_.stats.bytes_written.fetch_add(r->bytes, std::memory_order_relaxed);
    done += r->bytes;
  }
  return done;
}

// What follows a write: limits, the close a session or the peer asked for, epoll interest.
bool Reactor::Connection::after_write() {
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
