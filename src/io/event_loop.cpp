#include "tcpkit/io/event_loop.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <unordered_map>

#include "tcpkit/base/assert.hpp"
#include "tcpkit/net/trace.hpp"

namespace tcpkit::io {

namespace {

std::uint32_t to_epoll(Events interest) {
  std::uint32_t native = 0;
  if ((interest & kReadable) != 0) native |= EPOLLIN;
  if ((interest & kWritable) != 0) native |= EPOLLOUT;
  if ((interest & kPeerClosed) != 0) native |= EPOLLRDHUP;
  return native;
}

Events from_epoll(std::uint32_t native) {
  Events events = 0;
  if ((native & EPOLLIN) != 0) events |= kReadable;
  if ((native & EPOLLOUT) != 0) events |= kWritable;
  if ((native & EPOLLRDHUP) != 0) events |= kPeerClosed;
  if ((native & EPOLLHUP) != 0) events |= kHangUp;
  if ((native & EPOLLERR) != 0) events |= kError;
  return events;
}

constexpr std::size_t kFirstBatch = 256;
constexpr std::size_t kLargestBatch = 4096;

}  // namespace

// Drains the eventfd; the posted functions run after the dispatch pass.
class EventLoop::WakeHandler final : public Handler {
 public:
  explicit WakeHandler(int fd) : fd_(fd) {}
  void on_events(Events) override {
    std::uint64_t count = 0;
    [[maybe_unused]] auto n = ::read(fd_, &count, sizeof(count));
  }

 private:
  int fd_;
};

class EventLoop::SignalHandler final : public Handler {
 public:
  SignalHandler(UniqueFd fd, std::function<void(int)> fn)
      : fd_(std::move(fd)), fn_(std::move(fn)) {}
  int fd() const { return fd_.get(); }
  void on_events(Events) override {
    signalfd_siginfo info{};
    while (::read(fd_.get(), &info, sizeof(info)) == sizeof(info)) {
      fn_(static_cast<int>(info.ssi_signo));
    }
  }

 private:
  UniqueFd fd_;
  std::function<void(int)> fn_;
};

Result<std::unique_ptr<EventLoop>> EventLoop::create() {
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll) return Fail(Error::from_errno("epoll_create1"));
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake) return Fail(Error::from_errno("eventfd"));
  std::unique_ptr<EventLoop> loop(new EventLoop(std::move(epoll), std::move(wake)));
  if (auto r = loop->add(loop->wake_fd_.get(), EPOLLIN, loop->wake_handler_.get()); !r) {
    return Fail(r.error());
  }
  return loop;
}

EventLoop::EventLoop(UniqueFd epoll, UniqueFd wake)
    : epoll_(std::move(epoll)),
      wake_fd_(std::move(wake)),
      wake_handler_(std::make_unique<WakeHandler>(wake_fd_.get())),
      events_(new epoll_event[kFirstBatch]),
      events_capacity_(kFirstBatch) {}

EventLoop::~EventLoop() = default;

Result<void> EventLoop::add(int fd, Events interest, Handler* handler) {
  epoll_event ev{};
  ev.events = to_epoll(interest);
  ev.data.ptr = handler;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    return Fail(Error::from_errno("epoll_ctl ADD fd " + std::to_string(fd)));
  }
  return {};
}

Result<void> EventLoop::modify(int fd, Events interest, Handler* handler) {
  epoll_event ev{};
  ev.events = to_epoll(interest);
  ev.data.ptr = handler;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) {
    return Fail(Error::from_errno("epoll_ctl MOD fd " + std::to_string(fd)));
  }
  return {};
}

void EventLoop::remove(int fd, Handler* handler) {
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  // A handler may remove (and its owner delete) another one whose event is already in this
  // batch, e.g. a shutdown signal closing connections: forget those events.
  for (std::size_t i = dispatch_next_; i < dispatch_end_; ++i) {
    if (events_[i].data.ptr == handler) events_[i].data.ptr = nullptr;
  }
  for (std::size_t i = 0; i < nested_end_; ++i) {
    if (nested_events_[i].data.ptr == handler) nested_events_[i].data.ptr = nullptr;
  }
}

void EventLoop::poll_while_blocked(Handler* excluded) {
  if (nested_events_ != nullptr) return;
  constexpr int kNestedBatch = 64;
  epoll_event batch[kNestedBatch];
  const int n = ::epoll_wait(epoll_.get(), batch, kNestedBatch, 0);
  if (n <= 0) return;
  nested_events_ = batch;
  nested_end_ = static_cast<std::size_t>(n);
  for (std::size_t i = 0; i < nested_end_; ++i) {
    auto* handler = static_cast<Handler*>(batch[i].data.ptr);
    // The wake-up and signal handlers run posted work and signal callbacks: not while blocked.
    if (handler == nullptr || handler == excluded || handler == wake_handler_.get() ||
        handler == signal_handler_.get()) {
      continue;
    }
    handler->on_events(from_epoll(batch[i].events));
  }
  nested_events_ = nullptr;
  nested_end_ = 0;
}

Result<void> EventLoop::run() {
  while (!stopping()) {
    if (before_wait_) before_wait_();
    int n = ::epoll_wait(epoll_.get(), events_.get(), static_cast<int>(events_capacity_),
                         next_timeout_ms());
    now_ = Clock::now();
    if (n < 0 && errno != EINTR) return Fail(Error::from_errno("epoll_wait"));
    if (net::tracing_verbose()) net::trace("epoll_wait(fd {}) = {} events", epoll_.get(), n);
    dispatch_end_ = n > 0 ? static_cast<std::size_t>(n) : 0;
    for (dispatch_next_ = 0; dispatch_next_ < dispatch_end_;) {
      const epoll_event& ev = events_[dispatch_next_++];
      if (ev.data.ptr != nullptr) {
        static_cast<Handler*>(ev.data.ptr)->on_events(from_epoll(ev.events));
      }
    }
    dispatch_next_ = dispatch_end_ = 0;
    // A full batch suggests more are ready: look at more of them next time.
    if (n > 0 && static_cast<std::size_t>(n) == events_capacity_ &&
        events_capacity_ < kLargestBatch) {
      events_capacity_ *= 2;
      events_.reset(new epoll_event[events_capacity_]);
    }
    run_due_timers();
    run_posted();
  }
  return {};
}

void EventLoop::stop() {
  stop_requested_.store(true, std::memory_order_release);
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof(one));
}

bool EventLoop::stopping() const { return stop_requested_.load(std::memory_order_acquire); }

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof(one));
}

void EventLoop::run_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(posted_mutex_);
    if (posted_.empty()) return;
    batch.swap(posted_);
  }
  for (auto& fn : batch) fn();
}

EventLoop::TimerId EventLoop::add_timer(Clock::duration delay, std::function<void()> fn,
                                        Clock::duration period) {
  TimerId id = next_timer_id_++;
  timers_.emplace(id, TimerEntry{std::move(fn), period});
  timer_heap_.push(Timer{Clock::now() + delay, id});
  return id;
}

void EventLoop::cancel_timer(TimerId id) { timers_.erase(id); }

int EventLoop::next_timeout_ms() const {
  {
    std::lock_guard lock(posted_mutex_);
    if (!posted_.empty()) return 0;
  }
  if (timer_heap_.empty()) return -1;
  auto wait = timer_heap_.top().due - Clock::now();
  if (wait <= Clock::duration::zero()) return 0;
  // Round up so a timer never fires a little early and spins.
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
  return static_cast<int>(std::min<long long>(ms, 60'000));
}

void EventLoop::run_due_timers() {
  const auto now = Clock::now();
  while (!timer_heap_.empty() && timer_heap_.top().due <= now) {
    Timer t = timer_heap_.top();
    timer_heap_.pop();
    auto it = timers_.find(t.id);
    if (it == timers_.end()) continue;  // cancelled
    if (it->second.period > Clock::duration::zero()) {
      timer_heap_.push(Timer{now + it->second.period, t.id});
      auto fn = it->second.fn;  // the callback may cancel itself
      fn();
    } else {
      auto fn = std::move(it->second.fn);
      timers_.erase(it);
      fn();
    }
  }
}

Result<void> EventLoop::watch_signals(std::initializer_list<int> signals,
                                      std::function<void(int)> fn) {
  TCPKIT_ASSERT(signal_handler_ == nullptr);
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : signals) sigaddset(&mask, s);
  if (::pthread_sigmask(SIG_BLOCK, &mask, nullptr) != 0) {
    return Fail(Error::from_errno("pthread_sigmask"));
  }
  UniqueFd fd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd) return Fail(Error::from_errno("signalfd"));
  signal_handler_ = std::make_unique<SignalHandler>(std::move(fd), std::move(fn));
  return add(signal_handler_->fd(), EPOLLIN, signal_handler_.get());
}

}  // namespace tcpkit::io
