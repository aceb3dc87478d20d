#pragma once
// Outlet: a thread-safe handle to one connection's output, for output no input asked for
// (pub/sub messages, a blocked command served by another client's write, CLIENT KILL).
//
//   any thread:   outlet.push(bytes) ─┬─▶ pushed bytes (under the outlet's mutex)
//                 outlet.wake()      ─┤
//                 outlet.kill()      ─┴─▶ waker.wake(outlet)  (once until the owner runs)
//   owner thread: Waker ─▶ the connection's loop / worker: take(output) appends the pushed
//                 bytes to the connection's output, then the Session's on_bytes() runs again
//                 (with whatever input is unconsumed, possibly none), then writes
//
// The owner is the connection's model: it creates the Outlet with itself as the Waker, hands
// it to the Session (SessionInfo::outlet), and detaches it before the connection is destroyed.
// A push after that is dropped and returns false: a handle outlives its connection safely,
// whoever holds it. The waker is called with the outlet's mutex held, so it cannot be detached
// (and destroyed) during the call; a Waker must therefore not call back into the outlet.
//
// Memory is bounded: bytes pushed but not yet taken by the owner may not pass push_limit()
// (set by the owner from the connection's output limit); a push that would is dropped, the
// outlet is marked overflowed and the owner disconnects the connection, as Redis does with a
// subscriber past its client-output-buffer-limit.
//
// Ordering: pushed bytes enter the output between replies, never inside one: the owner takes
// them before it runs the session. A session may also take them itself (take()) to place them
// exactly, e.g. before the reply to its own UNSUBSCRIBE.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include "tcpkit/base/futex_mutex.hpp"
#include "tcpkit/io/buffer.hpp"

namespace tcpkit::server {

class Outlet : public std::enable_shared_from_this<Outlet> {
 public:
  class Waker {
   public:
    // Arranges for the owner to take the outlet's output and run its session again soon.
    // Any thread; called with the outlet's mutex held.
    virtual void wake(std::shared_ptr<Outlet> outlet) = 0;
    // The owner's thread, from inside the session of `owner` while it runs something that
    // cannot return soon (kv's script past busy-reply-threshold): serve the other connections
    // that share this thread, once, without waiting, never touching `owner` (not read, not
    // written, not closed). A model whose other connections have threads of their own has
    // nothing to do (the default).
    virtual void serve_while_blocked(void* owner) { (void)owner; }

   protected:
    ~Waker() = default;
  };

  // `owner` is an opaque pointer for the Waker (its connection), valid until detach().
  Outlet(Waker* waker, void* owner, std::size_t push_limit)
      : push_limit_(clamp32(push_limit)), waker_(waker), owner_(owner) {}
  Outlet(const Outlet&) = delete;
  Outlet& operator=(const Outlet&) = delete;

  // Any thread. Appends `bytes` (one or more whole messages) to the connection's output and
  // wakes its owner. False when dropped: the connection is gone, being killed, or overflowed.
  bool push(std::string_view bytes);
  // Any thread. Runs the session again soon (its on_bytes() with the unconsumed input).
  void wake();
  // Any thread. Closes the connection soon, dropping what it owes (CLIENT KILL).
  void kill();
  // Any thread. Bytes pushed and not yet taken.
  std::size_t pending() const { return pending_.load(std::memory_order_relaxed); }
  // Any thread. False once the connection closed or was killed or overflowed.
  bool open() const;

  // What take() found.
  enum class State : std::uint8_t { kOpen, kKilled, kOverflowed };
  // Owner (or its session) only: moves the pushed bytes to the end of `out` and re-arms the
  // wake-up. Says whether the connection must close, and why.
  State take(io::Buffer& out);
  // Owner only: the connection is going away; later pushes are dropped.
  void detach();
  // Owner only, any time: the most pushed bytes held before an overflow (0: no bound).
  void set_push_limit(std::size_t limit) {
    push_limit_.store(clamp32(limit), std::memory_order_relaxed);
  }
  // Owner's thread, from inside this connection's session: lets the model serve the other
  // connections of this thread once (Waker::serve_while_blocked), this one left untouched.
  void serve_others_while_blocked() {
    if (waker_ != nullptr) waker_->serve_while_blocked(owner_);
  }
  // The Waker's own pointer to the connection, or nullptr once detached. Owner's thread only.
  void* owner() const { return owner_; }

 private:
  void signal_locked();
  static std::uint32_t clamp32(std::size_t n) {
    return n > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(n);
  }

  // Small: every connection has one. A 4-byte mutex, the buffer only once something was
  // pushed, 32-bit counts (a push limit past 4 GiB is taken as 4 GiB).
  mutable FutexMutex mutex_;
  bool signaled_ = false;       // a wake is on its way to the owner (under mutex_)
  State state_ = State::kOpen;  // under mutex_
  std::atomic<std::uint32_t> pending_{0};
  std::atomic<std::uint32_t> push_limit_;
  Waker* waker_;                        // null once detached
  void* owner_;                         // null once detached
  std::unique_ptr<io::Buffer> pushed_;  // under mutex_; null until the first push
};

}  // namespace tcpkit::server
