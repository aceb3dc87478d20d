// Reactor::Connection: one non-blocking client connection on a Reactor's loop.
#include "detail/reactor_connection.hpp"

#include <algorithm>

#include "tcpkit/net/trace.hpp"
#include "tcpkit/server/log.hpp"

namespace tcpkit::server::detail {

namespace {
constexpr std::size_t kReadChunk = 64 * 1024;
// Reads per readable event while more data keeps coming; then other connections get a turn.
constexpr int kReadsPerEvent = 4;
// Reply bytes one connection may produce in one turn (one event): past them (or past one reply
// bigger than that) it yields and asks for another turn, so a loop iteration serving many
// connections with big replies stays short and every connection, a light one included, is
// answered within a few milliseconds. Redis caps a write event at 64 KiB for the same reason.
constexpr std::size_t kTurnOutput = 64 * 1024;
// While lingering before the close, how often to look whether the peer acknowledged everything.
constexpr auto kLingerPoll = std::chrono::milliseconds(10);
}  // namespace

Reactor::Connection::Connection(Reactor& owner, UniqueFd fd, std::string peer)
    : owner_(owner), fd_(std::move(fd)), limits_(owner.ctx_.options), peer_(std::move(peer)) {}

Reactor::Connection::~Connection() {
  if (outlet_) outlet_->detach();
  if (soft_timer_ != 0) owner_.loop_.cancel_timer(soft_timer_);
  if (wake_timer_ != 0) owner_.loop_.cancel_timer(wake_timer_);
  session_.reset();  // before the socket closes: nothing of it outlives the connection
  net::close_fd(fd_);
}

void Reactor::Connection::retire() {
  if (outlet_) outlet_->detach();
  if (soft_timer_ != 0) owner_.loop_.cancel_timer(soft_timer_);
  if (wake_timer_ != 0) owner_.loop_.cancel_timer(wake_timer_);
  soft_timer_ = wake_timer_ = 0;
}

void Reactor::Connection::set_session(std::unique_ptr<Session> session,
                                      std::shared_ptr<Outlet> outlet) {
  session_ = std::move(session);
  outlet_ = std::move(outlet);
}

Result<void> Reactor::Connection::start() {
  interest_ = io::kReadable | io::kPeerClosed;
  return owner_.loop_.add(fd_.get(), interest_, this);
}

void Reactor::Connection::on_events(io::Events events) {
  // A reset (or other socket error): nothing owed can be delivered any more, and requests
  // still unread would be run for nobody. Close before spending anything on them.
  if ((events & io::kError) != 0) return close("connection reset");
  if (lingering_) {
    (void)linger_read();
    return;
  }
  if ((events & (io::kReadable | io::kHangUp | io::kPeerClosed)) != 0 && wants_input()) {
    if (!read_and_serve(kReadsPerEvent)) return;
  }
  if ((events & io::kWritable) != 0) {
    if (!flush_and_update()) return;
    if (stalled_ && !serve_stalled()) return;
  } else if ((events & io::kHangUp) != 0 && !wants_input() && pending_output() == 0 && !stalled_) {
    close("hang-up");
  }
}

std::size_t Reactor::Connection::pending_output() const {
  return output_.size() + (deferred_slot_ >= 0 ? owner_.deferred_length(deferred_slot_) : 0);
}

bool Reactor::Connection::wants_input() const {
  return !read_closed_ && !close_after_flush_ && !draining_ && !stalled_ &&
         limits_.room(pending_output()) > 0;
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

// Hands `data` to the session with the room the output limits leave, and keeps what it did
// not consume. The replies go to the loop's batch and are written before it waits again
// (Reactor::flush_deferred), unless this connection already has output waiting, which they
// join. Returns false when the connection was closed.
bool Reactor::Connection::serve(std::string_view data, bool from_scratch) {
  io::Buffer& out = reply_buffer();
  const std::size_t before = out.size();
  const std::size_t room = std::min(limits_.room(pending_output()), kTurnOutput);
  Progress p = room > 0 ? session_->on_bytes(data, out, room) : Progress{};
  if (room > 0) after_session(p);
  if (from_scratch) {
    if (p.consumed < data.size()) input_.append(data.substr(p.consumed));
  } else {
    input_.consume(p.consumed);
    if (input_.empty()) input_.release();
  }
  if (p.close) close_after_flush_ = true;
  if (input_.size() > owner_.ctx_.options.input_limit) {
    log::warn("{}: unconsumed input over the limit ({} bytes, --input-limit); disconnecting", peer_,
              owner_.ctx_.options.input_limit);
    close("input limit");
    return false;
  }
  // Out of room (the high-water mark's, or this turn's) with input left: whole requests may be
  // waiting. They run in a later turn, once output drained below the mark.
  stalled_ = !input_.empty() && !p.close && out.size() - before >= room;
  return replied(out, before);
}

// What a session's answer asks of the connection besides its bytes: its class of output
// limits, whether it waits for pushed output (no idle timeout then), when to wake it.
void Reactor::Connection::after_session(const Progress& p) {
  waiting_ = p.waiting;
  if (limits_.use(session_->output_limits()) && outlet_) outlet_->set_push_limit(limits_.hard());
  if (wake_timer_ != 0) {
    owner_.loop_.cancel_timer(wake_timer_);
    wake_timer_ = 0;
  }
  if (p.wake_at) {
    wake_timer_ = owner_.loop_.add_timer(*p.wake_at - io::Clock::now(), [this] {
      wake_timer_ = 0;
      on_wake();
    });
  }
}

// Pushed output, a wake-up or a kill from any thread (through Reactor::run_woken), or the
// session's own wake_at. The pushed bytes join the replies in order; then the session runs
// again on the input it left (if it is not stalled on its output).
void Reactor::Connection::on_wake() {
  if (draining_ || lingering_) return;  // the outlet is detached; only owed output is written
  io::Buffer& out = reply_buffer();
  const std::size_t before = out.size();
  switch (outlet_->take(out)) {
    case Outlet::State::kOpen:
      break;
    case Outlet::State::kKilled:
      return close("killed");
    case Outlet::State::kOverflowed:
      log::warn("{}: pushed output over the hard limit; disconnecting", peer_);
      owner_.ctx_.stats.output_limit_disconnects.fetch_add(1, std::memory_order_relaxed);
      return close("output limit");
  }
  if (!replied(out, before)) return;
  if (stalled_ || read_closed_ || close_after_flush_) return;
  (void)serve(input_.view(), /*from_scratch=*/false);
}

// The output drained below the high-water mark: run the requests that waited for it.
bool Reactor::Connection::serve_stalled() {
  if (draining_ || limits_.room(pending_output()) == 0) return true;
  stalled_ = false;
  const bool from_scratch = false;
  return serve(input_.view(), from_scratch);
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
// waiting there, when this connection's batched bytes are no longer last in the batch (so
// replies always leave in order), or when the batch is full (so the batch stays bounded however
// many connections are served in one iteration).
io::Buffer& Reactor::Connection::reply_buffer() {
  if (!output_.empty()) return output_;
  if (deferred_slot_ < 0) return owner_.batch_full() ? output_ : owner_.batch_out_;
  if (owner_.deferred_is_last(deferred_slot_)) return owner_.batch_out_;
  take_deferred();
  return output_;
}

// After the session appended to `out` (from `before` on): batched replies wait for the loop's
// flush; anything else is written now. Returns false when the connection was closed.
bool Reactor::Connection::replied(io::Buffer& out, std::size_t before) {
  if (&out == &owner_.batch_out_) {
    owner_.defer(this, before, out.size() - before);
    if (deferred_slot_ >= 0) return check_limits();
  }
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
  if (!bytes.empty() && !owner_.log_covers(log_mark())) {
    log::warn("{}: the service's log failed; closing without acknowledging", peer_);
    close("log write failed");
    return std::nullopt;
  }
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
  if (done > 0) owner_.touch(this);
  return done;
}

// The hard and soft output limits. Returns false when they closed the connection. Over the
// soft limit, a timer looks again when its seconds are up: a client that reads nothing gives
// the loop no other reason to.
bool Reactor::Connection::check_limits() {
  const std::size_t pending = pending_output();
  std::size_t owed = pending;
  if (limits_.soft_limited() && (interest_ & io::kWritable) != 0) {
    owed += net::unacknowledged_bytes(fd_.get());  // waiting for the socket: count the kernel's
  }
  if (const char* why = limits_.exceeded(pending, owed, io::Clock::now())) {
    log::warn("{}: {} ({} bytes owed); disconnecting", peer_, why, owed);
    owner_.ctx_.stats.output_limit_disconnects.fetch_add(1, std::memory_order_relaxed);
    close("output limit");
    return false;
  }
  if (auto due = limits_.soft_deadline(); due && soft_timer_ == 0) {
    soft_timer_ = owner_.loop_.add_timer(*due - io::Clock::now(), [this] {
      soft_timer_ = 0;
      (void)check_limits();
    });
  }
  return true;
}

// What follows a write: limits, the close a session, the peer or the drain asked for, interest.
bool Reactor::Connection::after_write() {
  if (output_.empty() && output_.capacity() > 0) output_.release();
  if (output_.empty()) {
    if (draining_ && !lingering_) return start_lingering();
    if (read_closed_ || close_after_flush_) {
      close(read_closed_ ? "peer closed" : "session closed");
      return false;
    }
  }
  return update_interest() && check_limits();
}

// Returns false when a failed epoll change closed the connection.
bool Reactor::Connection::update_interest() {
  io::Events want = io::kPeerClosed;
  if (wants_input() || lingering_) want |= io::kReadable;
  // A stalled connection with room again asks for a turn: its socket is writable, so kWritable
  // fires on the next wait and the waiting requests run (see on_events).
  const bool wants_turn = stalled_ && !draining_ && limits_.room(pending_output()) > 0;
  if (!output_.empty() || wants_turn) want |= io::kWritable;
  if (want == interest_) return true;
  interest_ = want;
  if (auto r = owner_.loop_.modify(fd_.get(), interest_, this); !r) {
    log::warn("{}: {}", peer_, r.error().message());
    close("epoll error");
    return false;
  }
  return true;
}

// Graceful shutdown: requests not yet run are dropped; what is owed is written first.
void Reactor::Connection::drain() {
  draining_ = true;
  if (outlet_) outlet_->detach();  // nothing new is owed from now on
  stalled_ = false;
  input_.clear();
  input_.release();
  if (deferred_slot_ >= 0) return;  // written by the loop's flush, then after_write lingers
  (void)flush_and_update();
}

// Everything owed was written: send FIN, then read and drop whatever the peer still sends
// until it has acknowledged every byte we sent (or closed). A close before that could meet
// unread input and become a reset that destroys replies still in flight; after it, nothing is
// lost whatever the peer does. Acknowledgements raise no event: a short timer looks.
bool Reactor::Connection::start_lingering() {
  if (!net::shutdown_write(fd_.get())) {
    close("shutdown error");
    return false;
  }
  lingering_ = true;
  if (soft_timer_ != 0) {  // the timer is the lingering poll's from now on
    owner_.loop_.cancel_timer(soft_timer_);
    soft_timer_ = 0;
  }
  if (!update_interest()) return false;
  // The first look may find everything acknowledged already and close: the caller must not
  // touch this connection then (it did once, a use-after-free TSan found under load).
  return linger_read();
}

// Drains what the peer still sends and closes once it has acknowledged everything we wrote.
// Returns false when it closed the connection (`this` is gone).
bool Reactor::Connection::linger_read() {
  char* sink = owner_.scratch_in_.get();
  for (int i = 0; i < kReadsPerEvent; ++i) {
    auto r = net::read_some(fd_.get(), sink, kReadChunk);
    if (!r || r->status == net::IoStatus::kEof) {
      close("drained");
      return false;
    }
    if (r->status == net::IoStatus::kWouldBlock) break;
  }
  if (net::unacknowledged_bytes(fd_.get()) == 0) {
    close("drained");
    return false;
  }
  if (soft_timer_ == 0) {
    soft_timer_ = owner_.loop_.add_timer(kLingerPoll, [this] {
      soft_timer_ = 0;
      (void)linger_read();
    });
  }
  return true;
}

void Reactor::Connection::close(const char* why) {
  log::info("{}: closing ({})", peer_, why);
  owner_.loop_.remove(fd_.get(), this);
  owner_.destroy(this);
}

}  // namespace tcpkit::server::detail
