#include "detail/reactor.hpp"

#include <cerrno>

#include "detail/reactor_connection.hpp"
#include "tcpkit/net/trace.hpp"
#include "tcpkit/server/log.hpp"

namespace tcpkit::server::detail {

namespace {
constexpr int kAcceptsPerEvent = 64;
constexpr std::size_t kScratchSize = 64 * 1024;
}  // namespace

// Accepts on one listening socket. After a failed accept it stops watching the listener for
// as long as the shared back-off policy says (ModelContext::accept_back_off), instead of
// spinning on a readiness it cannot act on.
class Reactor::Acceptor final : public io::Handler {
 public:
  Acceptor(Reactor& owner, const net::Listener& listener, std::vector<Reactor*> handoff)
      : owner_(owner), listener_(listener), handoff_(std::move(handoff)) {}

  Result<void> start() { return owner_.loop_.add(listener_.fd.get(), io::kReadable, this); }
  void stop() {
    if (paused_timer_ != 0) owner_.loop_.cancel_timer(paused_timer_);
    if (!paused_) owner_.loop_.remove(listener_.fd.get(), this);
    paused_ = true;
    stopped_ = true;
  }

  void on_events(io::Events) override {
    for (int i = 0; i < kAcceptsPerEvent; ++i) {
      auto accepted = net::accept_connection(listener_.fd.get(), /*nonblocking=*/true);
      if (!accepted) return back_off(accepted.error());
      if (!accepted->fd) return;  // nothing more pending
      if (!owner_.ctx_.admit(*accepted)) continue;
      dispatch(std::move(*accepted));
    }
  }

 private:
  void dispatch(net::Accepted accepted) {
    if (handoff_.empty()) return owner_.adopt(std::move(accepted), listener_);
    Reactor* target = handoff_[next_++ % handoff_.size()];
    // Owned by the posted function: if the target loop never runs it (it stopped), the
    // socket is closed when the function is destroyed with the loop.
    auto moved = std::make_shared<net::Accepted>(std::move(accepted));
    const net::Listener* listener = &listener_;
    target->loop_.post([target, moved, listener] { target->adopt(std::move(*moved), *listener); });
  }

  void back_off(const Error& error) {
    const auto pause = owner_.ctx_.accept_back_off(error);
    if (pause.count() == 0) return;
    owner_.loop_.remove(listener_.fd.get(), this);
    paused_ = true;
    paused_timer_ = owner_.loop_.add_timer(pause, [this] {
      paused_timer_ = 0;
      if (stopped_) return;
      paused_ = false;
      (void)start();
    });
  }

  Reactor& owner_;
  const net::Listener& listener_;
  std::vector<Reactor*> handoff_;
  std::size_t next_ = 0;
  bool paused_ = false;
  bool stopped_ = false;
  io::EventLoop::TimerId paused_timer_ = 0;
};

Reactor::Reactor(ModelContext& ctx, io::EventLoop& loop)
    : ctx_(ctx), loop_(loop), scratch_in_(new char[kScratchSize]) {
  loop_.set_before_wait([this] { flush_deferred(); });
  const auto idle = ctx_.options.idle_timeout;
  if (idle.count() > 0) {
    auto period = std::max<std::chrono::milliseconds>(idle / 4, std::chrono::milliseconds(10));
    loop_.add_timer(
        period, [this] { sweep_idle(); }, std::min(period, std::chrono::milliseconds(1000)));
  }
}

Reactor::~Reactor() {
  bury();
  while (head_ != nullptr) {
    Connection* c = head_;
    loop_.remove(c->fd(), c);
    destroy(c);
  }
}

Result<void> Reactor::watch_listener(const net::Listener& listener, std::vector<Reactor*> handoff) {
  auto acceptor = std::make_unique<Acceptor>(*this, listener, std::move(handoff));
  if (auto r = acceptor->start(); !r) return r;
  acceptors_.push_back(std::move(acceptor));
  return {};
}

void Reactor::adopt(net::Accepted accepted, const net::Listener& listener) {
  if (draining_) {
    net::close_fd(accepted.fd);
    ctx_.closed();
    return;
  }
  SessionInfo info = ctx_.session_info(accepted, listener);
  auto* c = new Connection(*this, std::move(accepted.fd), info.peer);
  info.outlet = std::make_shared<Outlet>(this, c, ctx_.options.output_limit);
  auto outlet = info.outlet;
  c->set_session(ctx_.service.open_session(info), std::move(outlet));
  link(c);
  if (auto r = c->start(); !r) {
    log::warn("{}", r.error().message());
    destroy(c);
  }
}

void Reactor::begin_drain() {
  if (blocked_) {  // a blocked session is on the stack: once it returned
    loop_.post([this] { begin_drain(); });
    return;
  }
  if (draining_) return;
  draining_ = true;
  for (auto& acceptor : acceptors_) acceptor->stop();
  loop_.add_timer(ctx_.options.drain_timeout, [this] {
    if (connection_count_ > 0) {
      log::warn("drain timeout: closing {} connection(s) with output still pending",
                connection_count_);
    }
    while (head_ != nullptr) head_->close("drain timeout");
    loop_.stop();
  });
  // Each drain() may close (and so unlink) its connection: walk a snapshot.
  std::vector<Connection*> all;
  for (Connection* c = head_; c != nullptr; c = c->next) all.push_back(c);
  for (Connection* c : all) c->drain();
  maybe_finish_drain();
}

void Reactor::maybe_finish_drain() {
  if (draining_ && connection_count_ == 0) loop_.stop();
}

void Reactor::link(Connection* c) {
  c->last_active = loop_.now();
  c->prev = tail_;
  c->next = nullptr;
  (tail_ != nullptr ? tail_->next : head_) = c;
  tail_ = c;
  ++connection_count_;
}

void Reactor::unlink(Connection* c) {
  (c->prev != nullptr ? c->prev->next : head_) = c->next;
  (c->next != nullptr ? c->next->prev : tail_) = c->prev;
  c->prev = c->next = nullptr;
  --connection_count_;
}

void Reactor::touch(Connection* c) {
  c->last_active = loop_.now();
  if (tail_ == c) return;
  unlink(c);
  link(c);
}

void Reactor::destroy(Connection* c) {
  if (c->deferred_slot() >= 0) forget_deferred(c->deferred_slot());
  unlink(c);
  if (blocked_) {  // see "Serving while blocked": deleted once the blocked session returned
    c->retire();
    if (graveyard_.empty()) loop_.post([this] { bury(); });
    graveyard_.push_back(c);
    return;
  }
  delete c;
  ctx_.closed();
  maybe_finish_drain();
}

void Reactor::defer(Connection* c, std::size_t start, std::size_t length) {
  if (length == 0) return;
  if (c->deferred_slot() >= 0) {
    deferred_[static_cast<std::size_t>(c->deferred_slot())].length += length;
    return;
  }
  deferred_.push_back(Deferred{c, start, length});
  c->set_deferred_slot(static_cast<int>(deferred_.size() - 1));
}

std::string_view Reactor::deferred_bytes(int slot) const {
  const Deferred& d = deferred_[static_cast<std::size_t>(slot)];
  return batch_out_.view().substr(d.start, d.length);
}

// Before the loop waits: each connection served in this iteration gets its replies written.
// A write may close its connection; that only clears its own entry.
void Reactor::flush_deferred() {
  if (deferred_.empty()) return;
  // Group commit: one wait for the log covers every connection of this iteration.
  std::uint64_t mark = 0;
  for (const Deferred& d : deferred_) {
    if (d.connection != nullptr) mark = std::max(mark, d.connection->log_mark());
  }
  (void)log_covers(mark);
  for (std::size_t i = 0; i < deferred_.size(); ++i) {
    Connection* c = deferred_[i].connection;
    if (c != nullptr) c->write_deferred(deferred_bytes(static_cast<int>(i)));
  }
  deferred_.clear();
  batch_out_.clear();
  // A batch that grew past twice its limit (one huge reply) gives the memory back; a
  // usual one keeps its storage for the next iteration.
  if (batch_out_.capacity() > 2 * kBatchLimit) batch_out_.release();
}

void Reactor::bury() {
  std::vector<Connection*> dead;
  dead.swap(graveyard_);
  for (Connection* c : dead) {
    delete c;
    ctx_.closed();
  }
  if (!dead.empty()) maybe_finish_drain();
}

// Called by the session of `owner`, deep inside its on_bytes(): serve the others once.
void Reactor::serve_while_blocked(void* owner) {
  if (blocked_ || draining_) return;
  blocked_ = true;
  // Replies the others got earlier in this iteration wait in the batch for a flush that will
  // not come before the blocked session returns: write them now. The blocked connection's own
  // entry stays (it may be appending right behind it).
  for (std::size_t i = 0; i < deferred_.size(); ++i) {
    Connection* c = deferred_[i].connection;
    if (c == nullptr || c == owner) continue;
    const std::string_view bytes = deferred_bytes(static_cast<int>(i));
    deferred_[i].connection = nullptr;
    c->write_deferred(bytes);
  }
  loop_.poll_while_blocked(static_cast<Connection*>(owner));
  blocked_ = false;
}

void Reactor::sweep_idle() {
  const auto limit = ctx_.options.idle_timeout;
  const auto now = io::Clock::now();
  while (head_ != nullptr && now - head_->last_active >= limit) {
    if (head_->waiting()) {  // subscribed or blocked: not idle; to the back of the list
      touch(head_);
      continue;
    }
    ctx_.stats.idle_timeouts.fetch_add(1, std::memory_order_relaxed);
    head_->close("idle timeout");
  }
}

void Reactor::wake(std::shared_ptr<Outlet> outlet) {
  bool first = false;
  {
    std::lock_guard lock(woken_mutex_);
    first = woken_.empty();
    woken_.push_back(std::move(outlet));
  }
  if (first) loop_.post([this] { run_woken(); });
}

// On the loop: each woken connection still open takes its pushed output and runs again. An
// outlet detached meanwhile (its connection closed) is skipped; a connection's destructor
// runs on this thread, so owner() cannot change under us.
void Reactor::run_woken() {
  std::vector<std::shared_ptr<Outlet>> batch;
  {
    std::lock_guard lock(woken_mutex_);
    batch.swap(woken_);
  }
  for (const auto& outlet : batch) {
    if (auto* c = static_cast<Connection*>(outlet->owner())) c->on_wake();
  }
}

}  // namespace tcpkit::server::detail
