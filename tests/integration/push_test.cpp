// The push path (outlet.hpp) under every model that can share state: output pushed by one
// connection reaches another; a handle outlives its connection; a subscriber that never reads
// is disconnected with memory bounded; a session that waits is woken by another connection or
// by its own deadline and then runs its pipelined requests in order; waiting sessions are not
// idle; kill() closes another connection; and (for TSan) pushes from many threads while
// connections come and go.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "support/clients.hpp"
#include "support/running.hpp"
#include "tcpkit/server/outlet.hpp"

namespace tcpkit::server {
namespace {

using testing::Millis;
using Clock = std::chrono::steady_clock;

// Requests are lines:
//   sub          subscribe this connection: "subscribed"; later pushes arrive as "msg TEXT"
//   pub TEXT     push "msg TEXT" to every subscriber: "sent N" (N pushes accepted)
//   block MS     wait up to MS ms: "released" when another connection says release, else
//                "timeout"; requests after it wait until then
//   release      release every blocked connection: "released N"
//   kill         kill every subscriber but this connection: "killed N"
//   anything else is echoed
class PushService final : public Service {
 public:
  struct Blocked {
    std::shared_ptr<std::atomic<bool>> released;
    std::shared_ptr<Outlet> outlet;
  };

  std::string_view name() const override { return "push"; }
  bool shares_state() const override { return true; }
  std::unique_ptr<Session> open_session(const SessionInfo& info) override;

  void subscribe(std::shared_ptr<Outlet> outlet) {
    std::lock_guard lock(mutex_);
    subscribers_.push_back(std::move(outlet));
  }
  // Pushes to every subscriber ever seen, closed ones included (their pushes are dropped).
  int publish(std::string_view message) {
    std::lock_guard lock(mutex_);
    int sent = 0;
    for (const auto& s : subscribers_) sent += s->push(message) ? 1 : 0;
    return sent;
  }
  int kill_others(const Outlet* self) {
    std::lock_guard lock(mutex_);
    int killed = 0;
    for (const auto& s : subscribers_) {
      if (s.get() != self && s->open()) {
        s->kill();
        ++killed;
      }
    }
    return killed;
  }
  void block(Blocked b) {
    std::lock_guard lock(mutex_);
    blocked_.push_back(std::move(b));
  }
  int release_all() {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (auto& b : blocked_) {
      if (!b.released->exchange(true)) ++n;
      b.outlet->wake();
    }
    blocked_.clear();
    return n;
  }
  std::size_t blocked_count() {
    std::lock_guard lock(mutex_);
    return blocked_.size();
  }

 private:
  std::mutex mutex_;
  std::vector<std::shared_ptr<Outlet>> subscribers_;
  std::vector<Blocked> blocked_;
};

class PushSession final : public Session {
 public:
  PushSession(PushService& service, std::shared_ptr<Outlet> outlet)
      : service_(service), outlet_(std::move(outlet)) {}

  Progress on_bytes(std::string_view input, io::Buffer& output, std::size_t room) override {
    Progress p;
    if (released_ && !resolve_block(output, p)) return p;
    const std::size_t start = output.size();
    while (output.size() - start < room) {
      const auto nl = input.find('\n', p.consumed);
      if (nl == std::string_view::npos) break;
      const std::string_view line = input.substr(p.consumed, nl - p.consumed);
      p.consumed = nl + 1;
      if (!run(line, output, p)) return p;  // blocked: the rest waits
    }
    p.waiting = subscribed_;
    return p;
  }

 private:
  // False while still blocked (p says until when).
  bool resolve_block(io::Buffer& output, Progress& p) {
    if (released_->load()) {
      output.append("released\n");
    } else if (Clock::now() >= deadline_) {
      output.append("timeout\n");
    } else {
      p.waiting = true;
      p.wake_at = deadline_;
      return false;
    }
    released_.reset();
    return true;
  }

  bool run(std::string_view line, io::Buffer& output, Progress& p) {
    if (line == "sub") {
      service_.subscribe(outlet_);
      subscribed_ = true;
      output.append("subscribed\n");
    } else if (line.starts_with("pub ")) {
      std::string message = "msg " + std::string(line.substr(4)) + "\n";
      output.append("sent " + std::to_string(service_.publish(message)) + "\n");
    } else if (line.starts_with("block ")) {
      released_ = std::make_shared<std::atomic<bool>>(false);
      deadline_ = Clock::now() + Millis(std::stoi(std::string(line.substr(6))));
      service_.block({released_, outlet_});
      return resolve_block(output, p);
    } else if (line == "release") {
      output.append("released " + std::to_string(service_.release_all()) + "\n");
    } else if (line == "kill") {
      output.append("killed " + std::to_string(service_.kill_others(outlet_.get())) + "\n");
    } else {
      output.append(line);
      output.append("\n");
    }
    return true;
  }

  PushService& service_;
  std::shared_ptr<Outlet> outlet_;
  bool subscribed_ = false;
  std::shared_ptr<std::atomic<bool>> released_;  // set while blocked
  Clock::time_point deadline_;
};

std::unique_ptr<Session> PushService::open_session(const SessionInfo& info) {
  return std::make_unique<PushSession>(*this, info.outlet);
}

ServerOptions options_for(Model model) {
  ServerOptions o;
  o.listen = {"127.0.0.1:0"};
  o.model = model;
  o.threads = 2;
  o.drain_timeout = Millis(3000);
  return o;
}

// Sends `request` and reads the `reply` it must get (its size's worth of bytes).
void expect_reply(int fd, std::string_view request, std::string_view reply) {
  ASSERT_TRUE(testing::send_all(fd, request));
  EXPECT_EQ(testing::read_exactly(fd, reply.size()), reply) << "after " << request;
}

UniqueFd subscriber(const std::string& address) {
  auto fd = testing::connect_stream(address);
  if (fd) expect_reply(fd.get(), "sub\n", "subscribed\n");
  return fd;
}

// The iterative model serves one connection at a time: a second one cannot be served while
// the first is open, so the tests that need two at once do not apply to it.
class PushModels : public ::testing::TestWithParam<Model> {};

INSTANTIATE_TEST_SUITE_P(All, PushModels,
                         ::testing::Values(Model::kThread, Model::kEpoll, Model::kReactors),
                         [](const auto& p) { return std::string(to_string(p.param)); });

TEST_P(PushModels, PublishReachesSubscribersOnOtherConnections) {
  PushService service;
  Running running(options_for(GetParam()), service);
  ASSERT_TRUE(running.ok());
  auto a = subscriber(running.address());
  auto b = subscriber(running.address());
  auto pub = testing::connect_stream(running.address());
  ASSERT_TRUE(a && b && pub);
  expect_reply(pub.get(), "pub hello\npub world\n", "sent 2\nsent 2\n");
  EXPECT_EQ(testing::read_exactly(a.get(), 20), "msg hello\nmsg world\n");
  EXPECT_EQ(testing::read_exactly(b.get(), 20), "msg hello\nmsg world\n");
}

// Publishing to oneself: the reply and the pushed message both arrive, the reply first.
TEST_P(PushModels, PushToOwnConnectionFollowsTheReply) {
  PushService service;
  Running running(options_for(GetParam()), service);
  ASSERT_TRUE(running.ok());
  auto a = subscriber(running.address());
  ASSERT_TRUE(a);
  expect_reply(a.get(), "pub me\n", "sent 1\nmsg me\n");
}

TEST_P(PushModels, APushToAClosedConnectionIsDropped) {
  PushService service;
  Running running(options_for(GetParam()), service);
  ASSERT_TRUE(running.ok());
  auto gone = subscriber(running.address());
  auto pub = testing::connect_stream(running.address());
  ASSERT_TRUE(gone && pub);
  expect_reply(pub.get(), "pub 1\n", "sent 1\n");
  gone.reset();
  // The server notices the close soon; from then on the handle drops what is pushed to it.
  std::string reply;
  const auto deadline = Clock::now() + Millis(5000);
  while (Clock::now() < deadline) {
    ASSERT_TRUE(testing::send_all(pub.get(), "pub 2\n"));
    reply = testing::read_exactly(pub.get(), 7);
    if (reply == "sent 0\n") break;
    std::this_thread::sleep_for(Millis(10));
  }
  EXPECT_EQ(reply, "sent 0\n");
}

// A subscriber that never reads: what is pushed to it piles up only until its output passes
// the hard limit; then it is disconnected and pushes to it are refused. The publisher is
// served throughout.
TEST_P(PushModels, ASubscriberThatNeverReadsIsDisconnected) {
  PushService service;
  ServerOptions o = options_for(GetParam());
  o.output_high_water = 64 * 1024;
  o.output_limit = 512 * 1024;
  o.output_soft_limit = 0;
  Running running(o, service);
  ASSERT_TRUE(running.ok());
  auto sub = testing::connect_stream(running.address());
  ASSERT_TRUE(sub);
  const int small = 4096;
  ASSERT_EQ(::setsockopt(sub.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
  expect_reply(sub.get(), "sub\n", "subscribed\n");
  auto pub = testing::connect_stream(running.address());
  ASSERT_TRUE(pub);
  const std::string message(60000, 'x');
  int accepted = 0;
  bool refused = false;
  for (int i = 0; i < 2000 && !refused; ++i) {
    ASSERT_TRUE(testing::send_all(pub.get(), "pub " + message + "\n"));
    const std::string reply = testing::read_exactly(pub.get(), 7);
    ASSERT_TRUE(reply == "sent 1\n" || reply == "sent 0\n") << reply;
    refused = reply == "sent 0\n";
    if (!refused) ++accepted;
  }
  EXPECT_TRUE(refused) << "the subscriber was never disconnected";
  // Held: the hard limit, plus what the kernel buffers took, plus the one push that tipped it.
  const std::size_t held = static_cast<std::size_t>(accepted) * (message.size() + 5);
  EXPECT_LE(held, o.output_limit + (8u << 20)) << accepted << " pushes accepted";
  // The refusal comes from the outlet at once; the connection's own thread closes it soon.
  const auto deadline = Clock::now() + Millis(5000);
  while (running.server().stats().output_limit_disconnects.load() == 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(Millis(5));
  }
  EXPECT_GE(running.server().stats().output_limit_disconnects.load(), 1u);
}

TEST_P(PushModels, ABlockedSessionTimesOutOnItsOwnDeadline) {
  PushService service;
  Running running(options_for(GetParam()), service);
  ASSERT_TRUE(running.ok());
  auto fd = testing::connect_stream(running.address());
  ASSERT_TRUE(fd);
  const auto t0 = Clock::now();
  expect_reply(fd.get(), "block 150\nafter\n", "timeout\nafter\n");
  EXPECT_GE(Clock::now() - t0, Millis(140));
}

// Requests pipelined after a blocking one wait for it, then run in order.
TEST_P(PushModels, AnotherConnectionWakesABlockedSession) {
  PushService service;
  Running running(options_for(GetParam()), service);
  ASSERT_TRUE(running.ok());
  auto blocked = testing::connect_stream(running.address());
  auto other = testing::connect_stream(running.address());
  ASSERT_TRUE(blocked && other);
  ASSERT_TRUE(testing::send_all(blocked.get(), "block 20000\nafter\n"));
  const auto deadline = Clock::now() + Millis(5000);
  while (service.blocked_count() == 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(Millis(5));
  }
  EXPECT_TRUE(testing::stays_silent(blocked.get(), Millis(50)));
  expect_reply(other.get(), "release\n", "released 1\n");
  EXPECT_EQ(testing::read_exactly(blocked.get(), 15, Millis(5000)), "released\nafter\n");
}

// The idle timeout closes a quiet plain connection but not one that waits for pushes.
TEST_P(PushModels, AWaitingSessionIsNotIdle) {
  PushService service;
  ServerOptions o = options_for(GetParam());
  o.idle_timeout = Millis(200);
  Running running(o, service);
  ASSERT_TRUE(running.ok());
  auto sub = subscriber(running.address());
  auto quiet = testing::connect_stream(running.address());
  ASSERT_TRUE(sub && quiet);
  expect_reply(quiet.get(), "hi\n", "hi\n");
  EXPECT_NE(testing::wait_for_close(quiet.get(), Millis(5000)), testing::ReadEnd::kTimeout);
  std::this_thread::sleep_for(Millis(300));  // past the timeout once more, for the subscriber
  auto pub = testing::connect_stream(running.address());
  ASSERT_TRUE(pub);
  expect_reply(pub.get(), "pub still\n", "sent 1\n");
  EXPECT_EQ(testing::read_exactly(sub.get(), 10), "msg still\n");
}

TEST_P(PushModels, KillClosesAnotherConnection) {
  PushService service;
  Running running(options_for(GetParam()), service);
  ASSERT_TRUE(running.ok());
  auto victim = subscriber(running.address());
  auto killer = testing::connect_stream(running.address());
  ASSERT_TRUE(victim && killer);
  expect_reply(killer.get(), "kill\n", "killed 1\n");
  EXPECT_NE(testing::wait_for_close(victim.get(), Millis(5000)), testing::ReadEnd::kTimeout);
  expect_reply(killer.get(), "pub x\n", "sent 0\n");
}

// Publishers on several threads while subscribers come and go: a steady subscriber gets every
// message, each publisher's in order. Meant for TSan as much as for the count.
TEST_P(PushModels, PushesFromManyThreadsWhileConnectionsComeAndGo) {
  PushService service;
  Running running(options_for(GetParam()), service);
  ASSERT_TRUE(running.ok());
  auto steady = subscriber(running.address());
  ASSERT_TRUE(steady);
  constexpr int kPublishers = 3;
  constexpr int kMessages = 200;
  std::atomic<bool> stop{false};
  std::thread churn([&] {
    while (!stop.load()) {
      auto fd = subscriber(running.address());
      if (!fd) break;
    }
  });
  std::vector<std::thread> publishers;
  for (int p = 0; p < kPublishers; ++p) {
    publishers.emplace_back([&, p] {
      auto fd = testing::connect_stream(running.address());
      if (!fd) return;
      for (int i = 0; i < kMessages; ++i) {
        const std::string line = "pub " + std::to_string(p) + ":" + std::to_string(i) + "\n";
        if (!testing::send_all(fd.get(), line)) return;
        // "sent N\n" with N of one or more digits: read up to the newline.
        std::string reply;
        while (!reply.ends_with("\n")) {
          std::string c = testing::read_exactly(fd.get(), 1);
          if (c.empty()) return;
          reply += c;
        }
      }
    });
  }
  for (auto& t : publishers) t.join();
  stop = true;
  churn.join();
  std::vector<int> next(kPublishers, 0);
  std::string pending;
  int received = 0;
  const auto deadline = Clock::now() + Millis(10000);
  while (received < kPublishers * kMessages && Clock::now() < deadline) {
    std::string chunk = testing::read_exactly(steady.get(), 1, Millis(2000));
    if (chunk.empty()) break;
    pending += chunk;
    if (!pending.ends_with("\n")) continue;
    // "msg P:I\n"
    const auto colon = pending.find(':');
    ASSERT_TRUE(pending.starts_with("msg ") && colon != std::string::npos) << pending;
    const int p = std::stoi(pending.substr(4, colon - 4));
    const int i = std::stoi(pending.substr(colon + 1));
    EXPECT_EQ(i, next[static_cast<std::size_t>(p)]) << "publisher " << p << " out of order";
    next[static_cast<std::size_t>(p)] = i + 1;
    ++received;
    pending.clear();
  }
  EXPECT_EQ(received, kPublishers * kMessages);
}

// The iterative model serves one connection at a time; its outlet still works for the
// connection it serves: a push to itself, and its own deadline.
TEST(IterativePush, OwnPushAndDeadline) {
  PushService service;
  Running running(options_for(Model::kIterative), service);
  ASSERT_TRUE(running.ok());
  auto fd = subscriber(running.address());
  ASSERT_TRUE(fd);
  expect_reply(fd.get(), "pub me\n", "sent 1\nmsg me\n");
  expect_reply(fd.get(), "block 50\nafter\n", "timeout\nafter\n");
}

}  // namespace
}  // namespace tcpkit::server
