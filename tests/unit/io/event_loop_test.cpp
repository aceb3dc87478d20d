// EventLoop: timers, cross-thread post/stop, handler dispatch and signals, with every run
// bounded by a watchdog timer so a broken loop fails the test instead of hanging it.
#include "tcpkit/io/event_loop.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string_view>
#include <thread>
#include <vector>

namespace tcpkit::io {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<EventLoop> make_loop() {
  auto loop = EventLoop::create();
  EXPECT_TRUE(loop.ok());
  return std::move(*loop);
}

// Stops the loop after `limit` so a test can never hang; sets *fired when it had to.
void watchdog(EventLoop& loop, bool* fired, Clock::duration limit = 5s) {
  loop.add_timer(limit, [&loop, fired] {
    *fired = true;
    loop.stop();
  });
}

TEST(EventLoop, StopBeforeRunReturnsAtOnce) {
  auto loop = make_loop();
  loop->stop();
  EXPECT_TRUE(loop->stopping());
  ASSERT_TRUE(loop->run().ok());  // must not block
}

// The fds of this process that are epoll instances.
std::vector<int> epoll_fds() {
  std::vector<int> out;
  for (int fd = 0; fd < 1024; ++fd) {
    char link[64];
    char target[128] = {};
    std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    const ssize_t n = ::readlink(link, target, sizeof(target) - 1);
    if (n > 0 &&
        std::string_view(target, static_cast<std::size_t>(n)) == "anon_inode:[eventpoll]") {
      out.push_back(fd);
    }
  }
  return out;
}

// A failing wait is an error the caller sees, not a silent stop.
TEST(EventLoop, RunReportsAFailedWait) {
  const auto before = epoll_fds();
  auto loop = make_loop();
  int mine = -1;
  for (int fd : epoll_fds()) {
    if (std::find(before.begin(), before.end(), fd) == before.end()) mine = fd;
  }
  ASSERT_GE(mine, 0);
  loop->add_timer(0ms, [mine] {
    // The loop's epoll fd now names something that is not an epoll instance.
    int not_epoll = ::eventfd(0, EFD_CLOEXEC);
    ASSERT_GE(::dup2(not_epoll, mine), 0);
    ::close(not_epoll);
  });
  auto r = loop->run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("epoll_wait"), std::string::npos) << r.error().message();
}

TEST(EventLoop, TimersFireInDeadlineOrder) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  std::vector<int> order;
  const auto start = Clock::now();
  loop->add_timer(30ms, [&] {
    order.push_back(30);
    loop->stop();
  });
  loop->add_timer(10ms, [&] { order.push_back(10); });
  loop->add_timer(20ms, [&] { order.push_back(20); });
  loop->add_timer(0ms, [&] { order.push_back(0); });
  ASSERT_TRUE(loop->run().ok());
  EXPECT_FALSE(hung);
  EXPECT_EQ(order, (std::vector<int>{0, 10, 20, 30}));
  EXPECT_GE(Clock::now() - start, 30ms) << "a timer must never fire early";
}

TEST(EventLoop, PeriodicTimerRepeatsUntilItCancelsItself) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  int count = 0;
  EventLoop::TimerId id = 0;
  id = loop->add_timer(
      1ms,
      [&] {
        if (++count == 5) {
          loop->cancel_timer(id);
          loop->add_timer(30ms, [&] { loop->stop(); });  // would see a sixth tick
        }
      },
      2ms);
  ASSERT_TRUE(loop->run().ok());
  EXPECT_FALSE(hung);
  EXPECT_EQ(count, 5);
}

TEST(EventLoop, CancelledTimerNeverFires) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  bool fired = false;
  auto id = loop->add_timer(5ms, [&] { fired = true; });
  auto periodic = loop->add_timer(
      1ms, [&] { fired = true; }, 1ms);
  loop->cancel_timer(id);
  loop->cancel_timer(periodic);
  loop->add_timer(40ms, [&] { loop->stop(); });
  ASSERT_TRUE(loop->run().ok());
  EXPECT_FALSE(hung);
  EXPECT_FALSE(fired);
}

TEST(EventLoop, TimerCancelsAnotherDueInTheSamePass) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  bool second_fired = false;
  EventLoop::TimerId second = 0;
  loop->add_timer(5ms, [&] { loop->cancel_timer(second); });
  second = loop->add_timer(6ms, [&] { second_fired = true; });
  // Let both become due before the loop looks at them.
  std::this_thread::sleep_for(10ms);
  loop->add_timer(20ms, [&] { loop->stop(); });
  ASSERT_TRUE(loop->run().ok());
  EXPECT_FALSE(hung);
  EXPECT_FALSE(second_fired);
}

TEST(EventLoop, PostFromAnotherThreadWakesTheLoop) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  std::atomic<bool> started{false};
  std::thread::id ran_on;
  const auto loop_thread = std::this_thread::get_id();
  loop->post([&] { started = true; });
  std::thread poster([&] {
    while (!started.load()) std::this_thread::yield();
    // The loop now sleeps in epoll_wait with only the watchdog timer (5 s) pending.
    std::this_thread::sleep_for(20ms);
    loop->post([&] {
      ran_on = std::this_thread::get_id();
      loop->stop();
    });
  });
  const auto start = Clock::now();
  ASSERT_TRUE(loop->run().ok());
  poster.join();
  EXPECT_FALSE(hung);
  EXPECT_EQ(ran_on, loop_thread);
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST(EventLoop, PostedFunctionsRunInOrderAndMayPostMore) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  std::vector<int> order;
  loop->post([&] {
    order.push_back(1);
    loop->post([&] {
      order.push_back(3);
      loop->stop();
    });
  });
  loop->post([&] { order.push_back(2); });
  ASSERT_TRUE(loop->run().ok());
  EXPECT_FALSE(hung);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(EventLoop, StopFromAnotherThreadWakesTheLoop) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  std::atomic<bool> started{false};
  loop->post([&] { started = true; });
  std::thread stopper([&] {
    while (!started.load()) std::this_thread::yield();
    std::this_thread::sleep_for(20ms);
    loop->stop();
  });
  ASSERT_TRUE(loop->run().ok());
  stopper.join();
  EXPECT_FALSE(hung);
  EXPECT_TRUE(loop->stopping());
}

struct CountingHandler final : Handler {
  int fd = -1;
  int calls = 0;
  std::uint32_t last = 0;
  std::function<void()> then;
  void on_events(io::Events events) override {
    ++calls;
    last = events;
    char buf[64];
    [[maybe_unused]] auto n = ::read(fd, buf, sizeof(buf));
    if (then) then();
  }
};

struct SocketPair {
  UniqueFd a, b;
  SocketPair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    a.reset(fds[0]);
    b.reset(fds[1]);
  }
};

TEST(EventLoop, HandlersAreCalledForReadinessAndNotAfterRemove) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  SocketPair p;
  CountingHandler h;
  h.fd = p.b.get();
  ASSERT_TRUE(loop->add(p.b.get(), io::kReadable, &h).ok());
  ASSERT_EQ(::write(p.a.get(), "x", 1), 1);
  h.then = [&] {
    if (h.calls == 1) {
      ASSERT_EQ(::write(p.a.get(), "y", 1), 1);
    } else {
      loop->remove(p.b.get(), &h);
      ASSERT_EQ(::write(p.a.get(), "z", 1), 1);  // must not be reported any more
      loop->add_timer(30ms, [&] { loop->stop(); });
    }
  };
  ASSERT_TRUE(loop->run().ok());
  EXPECT_FALSE(hung);
  EXPECT_EQ(h.calls, 2);
  EXPECT_EQ(h.last & io::kReadable, io::kReadable);
}

TEST(EventLoop, ModifyChangesTheInterest) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  SocketPair p;
  CountingHandler h;
  h.fd = -1;  // read nothing: stays readable
  ASSERT_TRUE(loop->add(p.b.get(), io::kReadable, &h).ok());
  ASSERT_EQ(::write(p.a.get(), "x", 1), 1);
  h.then = [&] {
    if (h.calls == 1) {
      EXPECT_EQ(h.last, io::kReadable);
      ASSERT_TRUE(loop->modify(p.b.get(), io::kWritable, &h).ok());
    } else {
      EXPECT_EQ(h.last, io::kWritable);
      loop->stop();
    }
  };
  ASSERT_TRUE(loop->run().ok());
  EXPECT_FALSE(hung);
  EXPECT_EQ(h.calls, 2);
}

TEST(EventLoop, AddingAnFdTwiceIsAnError) {
  auto loop = make_loop();
  SocketPair p;
  CountingHandler h;
  ASSERT_TRUE(loop->add(p.b.get(), io::kReadable, &h).ok());
  auto again = loop->add(p.b.get(), io::kReadable, &h);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message(),
            "epoll_ctl ADD fd " + std::to_string(p.b.get()) + ": File exists");
}

// Two handlers ready in the same epoll batch; whichever runs first removes (as a server
// closing a connection would) the other. The removed one must not be called: after remove()
// its owner may already have destroyed it.
TEST(EventLoop, HandlerRemovedByAnotherInTheSameBatchIsNotCalled) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  SocketPair p1, p2;
  CountingHandler h1, h2;
  h1.fd = p1.b.get();
  h2.fd = p2.b.get();
  ASSERT_TRUE(loop->add(p1.b.get(), io::kReadable, &h1).ok());
  ASSERT_TRUE(loop->add(p2.b.get(), io::kReadable, &h2).ok());
  h1.then = [&] {
    loop->remove(p2.b.get(), &h2);
    loop->stop();
  };
  h2.then = [&] {
    loop->remove(p1.b.get(), &h1);
    loop->stop();
  };
  ASSERT_EQ(::write(p1.a.get(), "1", 1), 1);
  ASSERT_EQ(::write(p2.a.get(), "2", 1), 1);
  ASSERT_TRUE(loop->run().ok());
  EXPECT_FALSE(hung);
  EXPECT_EQ(h1.calls + h2.calls, 1);
}

// A handler that cannot return for long (kv's busy script) lets the loop serve the others:
// poll_while_blocked() dispatches the ready fds except its own, runs no posted function and no
// timer, and a nested call returns at once.
TEST(EventLoop, PollWhileBlockedServesEveryHandlerButTheBlockedOne) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  SocketPair blocked_pair, other_pair;
  CountingHandler blocked, other;
  blocked.fd = -1;  // reads nothing: stays readable, must still not be called while blocked
  other.fd = other_pair.b.get();
  ASSERT_TRUE(loop->add(blocked_pair.b.get(), io::kReadable, &blocked).ok());
  ASSERT_TRUE(loop->add(other_pair.b.get(), io::kReadable, &other).ok());
  bool posted_ran = false;
  bool timer_ran = false;
  int calls_while_blocked = -1;
  blocked.then = [&] {
    if (blocked.calls > 1) return;
    ASSERT_EQ(::write(other_pair.a.get(), "x", 1), 1);  // ready only for the nested pass
    loop->post([&] { posted_ran = true; });
    loop->add_timer(0ms, [&] { timer_ran = true; });
    other.then = [&] { loop->poll_while_blocked(&other); };  // nested: returns at once
    loop->poll_while_blocked(&blocked);
    calls_while_blocked = blocked.calls;
    EXPECT_FALSE(posted_ran);
    EXPECT_FALSE(timer_ran);
    other.then = nullptr;
    loop->add_timer(20ms, [&] { loop->stop(); });
  };
  ASSERT_EQ(::write(blocked_pair.a.get(), "b", 1), 1);
  ASSERT_TRUE(loop->run().ok());
  EXPECT_FALSE(hung);
  EXPECT_EQ(calls_while_blocked, 1);
  EXPECT_EQ(other.calls, 1);
  EXPECT_TRUE(posted_ran);
  EXPECT_TRUE(timer_ran);
}

// A handler served while blocked removes another one ready in the same nested batch: that one
// is not called (its owner may have destroyed it).
TEST(EventLoop, PollWhileBlockedSkipsAHandlerRemovedInItsBatch) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  SocketPair blocked_pair, p1, p2;
  CountingHandler blocked, h1, h2;
  h1.fd = p1.b.get();
  h2.fd = p2.b.get();
  ASSERT_TRUE(loop->add(blocked_pair.b.get(), io::kReadable, &blocked).ok());
  blocked.fd = blocked_pair.b.get();
  h1.then = [&] { loop->remove(p2.b.get(), &h2); };
  h2.then = [&] { loop->remove(p1.b.get(), &h1); };
  blocked.then = [&] {
    ASSERT_TRUE(loop->add(p1.b.get(), io::kReadable, &h1).ok());
    ASSERT_TRUE(loop->add(p2.b.get(), io::kReadable, &h2).ok());
    ASSERT_EQ(::write(p1.a.get(), "1", 1), 1);
    ASSERT_EQ(::write(p2.a.get(), "2", 1), 1);
    loop->poll_while_blocked(&blocked);
    loop->stop();
  };
  ASSERT_EQ(::write(blocked_pair.a.get(), "b", 1), 1);
  ASSERT_TRUE(loop->run().ok());
  EXPECT_FALSE(hung);
  EXPECT_EQ(h1.calls + h2.calls, 1);
}

class SignalTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, nullptr, &saved_), 0); }
  void TearDown() override {
    // Take back anything still pending, then restore the mask of the test thread.
    sigset_t usr;
    sigemptyset(&usr);
    sigaddset(&usr, SIGUSR1);
    sigaddset(&usr, SIGUSR2);
    timespec zero{};
    while (::sigtimedwait(&usr, nullptr, &zero) > 0) {
    }
    ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
  }
  sigset_t saved_{};
};

TEST_F(SignalTest, WatchedSignalsArriveAsEventsOnTheLoop) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  std::vector<int> seen;
  ASSERT_TRUE(loop->watch_signals({SIGUSR1, SIGUSR2},
                                  [&](int s) {
                                    seen.push_back(s);
                                    if (seen.size() == 2) loop->stop();
                                  })
                  .ok());
  // Blocked now in this thread: raising them leaves them pending for the signalfd.
  sigset_t now;
  ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, nullptr, &now), 0);
  EXPECT_EQ(sigismember(&now, SIGUSR1), 1);
  ASSERT_EQ(::pthread_kill(::pthread_self(), SIGUSR1), 0);
  ASSERT_EQ(::raise(SIGUSR2), 0);
  ASSERT_TRUE(loop->run().ok());
  EXPECT_FALSE(hung);
  ASSERT_EQ(seen.size(), 2u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<int>{SIGUSR1, SIGUSR2}));
}

TEST_F(SignalTest, SignalFromAnotherThreadWakesTheLoop) {
  auto loop = make_loop();
  bool hung = false;
  watchdog(*loop, &hung);
  int seen = 0;
  ASSERT_TRUE(loop->watch_signals({SIGUSR1},
                                  [&](int s) {
                                    seen = s;
                                    loop->stop();
                                  })
                  .ok());
  const pthread_t target = ::pthread_self();
  std::thread sender([target] {
    std::this_thread::sleep_for(20ms);
    ::pthread_kill(target, SIGUSR1);
  });
  ASSERT_TRUE(loop->run().ok());
  sender.join();
  EXPECT_FALSE(hung);
  EXPECT_EQ(seen, SIGUSR1);
}

}  // namespace
}  // namespace tcpkit::io
