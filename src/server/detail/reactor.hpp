#pragma once
// Reactor: one event loop serving many non-blocking connections — the heart of the `epoll`
// model (one Reactor on the main thread) and of `reactors` (one per thread).
//
// Theory of operation. Each connection is a Handler registered for io::kReadable. A readable event
// reads up to 64 KiB; when the connection holds no leftover input, the read goes into the
// reactor's scratch buffer and the Session answers straight from it, so a connection whose
// messages arrive whole never owns an input buffer. Replies go to the loop's batch buffer and
// are written just before the loop waits again, as Redis does in beforeSleep: every client
// served in one iteration gets its replies at nearly the same moment, so a client with many
// connections wakes once for many replies. Only what the kernel does not take is copied into
// the connection's own output buffer. So an idle connection costs one small object.
//
//   readable ─▶ read ─▶ session.on_bytes ─▶ batch ··· before wait: write ─┬─ all written
//                                                                         └─ rest kept: kWritable
//
// Memory is bounded while replies are produced: a session gets the room its connection has
// left under the high-water mark (OutputLimits) and stops there, so a connection's pending
// output (batched or its own) passes the mark by at most one reply; at the mark it stops
// reading and running requests until the client reads. The batch itself is bounded: past
// kBatchLimit bytes, further connections in the iteration write their replies at once.
//
// Pushed output (outlet.hpp): each connection's Outlet has this Reactor as its Waker. A push
// from any thread queues the outlet in woken_ and posts run_woken() to the loop (once per
// batch of wake-ups); there the connection takes the pushed bytes into its replies, runs its
// session again, and writes as it would after a read.
//
// Serving while blocked (serve_while_blocked): a session that cannot return for long (kv's
// script past busy-reply-threshold) asks, through its outlet, every ~100 ms, that the loop
// serve its other connections once, as Redis's processEventsWhileBlocked does. The loop
// dispatches the file events ready now (EventLoop::poll_while_blocked: no wait, no timers, no
// posted functions) to every handler but the blocked connection, which is neither read nor
// written nor closed meanwhile. The others' replies bypass the batch (the blocked session may
// be appending to it) and are written at once, and so are the replies they got earlier in the
// iteration, still in the batch (else a client that sent its command just before the script's
// would wait for the script's end). A connection that closes meanwhile is unlinked
// and unwatched at once but deleted only after the blocked session returned (posted): its
// session's destructor may need what the blocked one holds. A drain requested meanwhile is
// posted too. Nothing of this runs or costs anything unless a session asks.
//
// Shutdown (begin_drain): the acceptors stop; each connection stops running requests, writes
// what it owes, sends FIN and reads (dropping) until the peer's EOF; the loop stops when the
// last one closed or at the drain timeout.
//
// Thread affinity: everything runs on the loop's thread; adopt() is reached through post().
// Ownership: owns its connections; does not own the listening fds it accepts on.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "model.hpp"
#include "tcpkit/io/buffer.hpp"
#include "tcpkit/io/event_loop.hpp"
#include "tcpkit/server/outlet.hpp"

namespace tcpkit::server::detail {

// Calls `fn` once on `loop`'s thread when the server's stop fd becomes readable.
class StopWatch final : public io::Handler {
 public:
  StopWatch(io::EventLoop& loop, int stop_fd, std::function<void()> fn)
      : loop_(loop), fd_(stop_fd), fn_(std::move(fn)) {}
  Result<void> start() { return loop_.add(fd_, io::kReadable, this); }
  void on_events(io::Events) override {
    loop_.remove(fd_, this);  // the stop fd stays readable: fire once
    fn_();
  }

 private:
  io::EventLoop& loop_;
  int fd_;
  std::function<void()> fn_;
};

class Reactor final : public Outlet::Waker {
 public:
  Reactor(ModelContext& ctx, io::EventLoop& loop);
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  // Accepts on `listener` (non-blocking fd). With `handoff`, accepted connections are passed
  // round-robin to those reactors (through their loops' post()) instead of served here.
  Result<void> watch_listener(const net::Listener& listener, std::vector<Reactor*> handoff = {});
  // Serves an accepted connection (admitted by ModelContext::admit). Loop thread only.
  void adopt(net::Accepted accepted, const net::Listener& listener);
  // Stops accepting, flushes what is owed and closes every connection; stops the loop when
  // none is left or when the drain timeout passes.
  void begin_drain();

  io::EventLoop& loop() { return loop_; }
  // Outlet::Waker: any thread. Queues the outlet; the loop then lets its connection take the
  // pushed output and run its session (run_woken).
  void wake(std::shared_ptr<Outlet> outlet) override;
  std::size_t connection_count() const { return connection_count_; }
  // Outlet::Waker: loop thread, from inside `owner`'s session. See "Serving while blocked".
  void serve_while_blocked(void* owner) override;

 private:
  class Connection;
  class Acceptor;
  friend class Connection;
  friend class Acceptor;

  void link(Connection* c);
  void unlink(Connection* c);
  void touch(Connection* c);
  void destroy(Connection* c);
  void sweep_idle();
  void maybe_finish_drain();
  void run_woken();
  void bury();

  ModelContext& ctx_;
  io::EventLoop& loop_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  // Connections in order of last activity, least recent first (for the idle sweep).
  Connection* head_ = nullptr;
  Connection* tail_ = nullptr;
  std::size_t connection_count_ = 0;
  bool draining_ = false;
  // Inside serve_while_blocked(); connections closed meanwhile, deleted by bury().
  bool blocked_ = false;
  std::vector<Connection*> graveyard_;
  // Replies batched during one loop iteration, written just before the loop waits again.
  struct Deferred {
    Connection* connection;  // null once it closed or took its bytes back
    std::size_t start;
    std::size_t length;
  };
  void defer(Connection* c, std::size_t start, std::size_t length);
  bool deferred_is_last(int slot) const {
    return static_cast<std::size_t>(slot) + 1 == deferred_.size() && !blocked_;
  }
  std::size_t deferred_length(int slot) const {
    return deferred_[static_cast<std::size_t>(slot)].length;
  }
  bool batch_full() const { return batch_out_.size() >= kBatchLimit || blocked_; }
  std::string_view deferred_bytes(int slot) const;
  void forget_deferred(int slot) { deferred_[static_cast<std::size_t>(slot)].connection = nullptr; }
  void flush_deferred();
  // Whether the service's log covers `mark` (Service::await_log), waiting for it if needed.
  bool log_covers(std::uint64_t mark) {
    if (mark <= log_covered_) return true;
    log_covered_ = std::max(log_covered_, ctx_.service.await_log(mark));
    return mark <= log_covered_;
  }
  std::uint64_t log_covered_ = 0;  // the highest position the service's log said it covers

  static constexpr std::size_t kBatchLimit = 4u << 20;
  // Shared by every connection of this loop (see the theory of operation).
  std::unique_ptr<char[]> scratch_in_;
  io::Buffer batch_out_;
  std::vector<Deferred> deferred_;
  // Outlets woken from any thread, for run_woken() on the loop (one post per non-empty list).
  std::mutex woken_mutex_;
  std::vector<std::shared_ptr<Outlet>> woken_;
};

}  // namespace tcpkit::server::detail
