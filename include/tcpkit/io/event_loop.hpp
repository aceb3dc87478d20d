#pragma once
// EventLoop: one thread waiting for readiness, timers and cross-thread work. The backend is
// epoll; the interface speaks only io's own Events, so another backend (io_uring) can
// implement it unchanged.
//
//   run():  loop { before_wait() → wait(timeout = next timer) → handlers' on_events
//                  → due timers → posted functions }  until stop()
//
// A file descriptor is watched through a Handler the caller owns (a connection, a listener);
// the backend's per-fd pointer points at it, so dispatch allocates nothing. Timers live in a
// min-heap. post() and stop() may be called from any thread; they wake the loop through an eventfd.
// Signals are delivered as events through a signalfd (watch_signals), never as handlers that
// interrupt arbitrary code.
//
// Thread affinity: everything except post() and stop() is for the loop's own thread.
// Lifetime: a Handler must be removed (remove()) before it is destroyed.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <vector>

#include "tcpkit/base/result.hpp"
#include "tcpkit/base/unique_fd.hpp"

struct epoll_event;

namespace tcpkit::io {

using Clock = std::chrono::steady_clock;

// Readiness in io's own terms, so that a backend other than epoll (io_uring) can implement the
// same interface. Interest (add/modify) takes kReadable, kWritable and kPeerClosed; a handler
// is told any of them plus kHangUp and kError, which are always reported.
using Events = std::uint32_t;
inline constexpr Events kReadable = 1u << 0;    // data to read, EOF, or an error to pick up
inline constexpr Events kWritable = 1u << 1;    // room in the send buffer
inline constexpr Events kPeerClosed = 1u << 2;  // the peer shut down its sending side (FIN)
inline constexpr Events kHangUp = 1u << 3;      // both directions are closed
inline constexpr Events kError = 1u << 4;       // a socket error, such as a reset by the peer

class Handler {
 public:
  virtual void on_events(Events events) = 0;

 protected:
  ~Handler() = default;
};

class EventLoop {
 public:
  using TimerId = std::uint64_t;

  // Creates the epoll instance and the wake-up eventfd.
  static Result<std::unique_ptr<EventLoop>> create();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Errors: "epoll_ctl ADD fd 7: File exists" and the like; nothing changed then.
  Result<void> add(int fd, Events interest, Handler* handler);
  Result<void> modify(int fd, Events interest, Handler* handler);
  // Stops watching `fd`. `handler` (the one it was added with) is not called again, not even
  // for events already collected in the current dispatch pass, so it may be destroyed at once.
  void remove(int fd, Handler* handler);

  // Calls `fn` once per iteration, after the handlers, timers and posted functions and just
  // before waiting again (Redis's beforeSleep): where replies batched during the iteration
  // are written. Loop thread only.
  void set_before_wait(std::function<void()> fn) { before_wait_ = std::move(fn); }

  // Runs until stop(). Returns at once if stop() was already called. Errors: the wait itself
  // failed ("epoll_wait: ..."); the loop has stopped then.
  Result<void> run();
  // Loop thread only, from inside a handler that cannot return for a long time (kv's script
  // past busy-reply-threshold): dispatches the file events ready now (no wait) to every
  // handler except `excluded`, and runs no timers, no posted functions and no before_wait().
  // The excluded handler (the one on the stack) is not called; its level-triggered events
  // stay pending for the outer loop. A nested call (from a handler it dispatched) returns at
  // once. remove() during it is safe for both passes, the outer one and this one.
  void poll_while_blocked(Handler* excluded);
  // Thread-safe: makes run() return after the current iteration.
  void stop();
  bool stopping() const;
  // Thread-safe: runs `fn` on the loop thread soon.
  void post(std::function<void()> fn);

  // Calls `fn` after `delay`, and then every `period` if it is non-zero. Loop thread only.
  TimerId add_timer(Clock::duration delay, std::function<void()> fn,
                    Clock::duration period = Clock::duration::zero());
  void cancel_timer(TimerId id);

  // Blocks these signals in the calling thread (call before starting other threads, so they
  // inherit the mask) and reports each one to `fn` on the loop thread.
  Result<void> watch_signals(std::initializer_list<int> signals, std::function<void(int)> fn);

  // The time at the start of this loop iteration (cheap; for idle bookkeeping).
  Clock::time_point now() const { return now_; }

 private:
  struct Timer {
    Clock::time_point due;
    TimerId id;
    bool operator>(const Timer& other) const { return due > other.due; }
  };
  struct TimerEntry {
    std::function<void()> fn;
    Clock::duration period;
  };
  class WakeHandler;
  class SignalHandler;

  EventLoop(UniqueFd epoll, UniqueFd wake);
  int next_timeout_ms() const;
  void run_due_timers();
  void run_posted();

  UniqueFd epoll_;
  UniqueFd wake_fd_;
  std::unique_ptr<WakeHandler> wake_handler_;
  std::unique_ptr<SignalHandler> signal_handler_;
  std::unique_ptr<epoll_event[]> events_;  // the batch epoll_wait fills
  std::size_t events_capacity_ = 0;
  std::function<void()> before_wait_;
  // The part of events_ still to dispatch in this pass (remove() clears entries there).
  std::size_t dispatch_next_ = 0;
  std::size_t dispatch_end_ = 0;
  // poll_while_blocked()'s own batch (on its stack) while it dispatches, else null.
  epoll_event* nested_events_ = nullptr;
  std::size_t nested_end_ = 0;
  Clock::time_point now_ = Clock::now();

  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timer_heap_;
  std::unordered_map<TimerId, TimerEntry> timers_;
  TimerId next_timer_id_ = 1;

  mutable std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace tcpkit::io
