// The Server driven in-process with a test Service under every model that can share state:
// start, serve, stop() from another thread, run again; backpressure; the output and input
// limits; the drain that delivers every owed reply; reply order when output was waiting; and
// ShutdownSignals' second signal while a request is running.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "support/clients.hpp"
#include "support/running.hpp"
#include "tcpkit/server/server.hpp"
#include "tcpkit/server/signals.hpp"

namespace tcpkit::server {
namespace {

using testing::Millis;
using Clock = std::chrono::steady_clock;

// Requests are lines. "big N": N bytes of 'x' then "\n". "sleep MS": sleeps, then "slept\n".
// Anything else is echoed. Every request run is counted.
class LineService final : public Service {
 public:
  // `shared`: the executed count is meaningful (the fork model refuses such a service; with
  // shared = false it runs, and the count stays in its children).
  explicit LineService(bool shared = true) : shared_(shared) {}
  std::atomic<std::uint64_t> executed{0};
  std::atomic<std::size_t> largest_room{0};  // the most room any on_bytes call was given

  std::string_view name() const override { return "lines"; }
  std::unique_ptr<Session> open_session(const SessionInfo&) override;
  bool shares_state() const override { return shared_; }

 private:
  bool shared_;
};

class LineSession final : public Session {
 public:
  explicit LineSession(LineService& service) : service_(service) {}

  Progress on_bytes(std::string_view input, io::Buffer& output, std::size_t room) override {
    std::size_t largest = service_.largest_room.load();
    while (room > largest && !service_.largest_room.compare_exchange_weak(largest, room)) {
    }
    Progress p;
    const std::size_t start = output.size();
    while (output.size() - start < room) {
      const auto nl = input.find('\n', p.consumed);
      if (nl == std::string_view::npos) break;
      run(input.substr(p.consumed, nl - p.consumed), output);
      p.consumed = nl + 1;
      service_.executed.fetch_add(1, std::memory_order_relaxed);
    }
    return p;
  }

 private:
  static void run(std::string_view line, io::Buffer& output) {
    if (line.starts_with("big ")) {
      const std::size_t n = std::stoul(std::string(line.substr(4)));
      std::memset(output.prepare(n), 'x', n);
      output.commit(n);
      output.append("\n");
    } else if (line.starts_with("sleep ")) {
      std::this_thread::sleep_for(Millis(std::stoi(std::string(line.substr(6)))));
      output.append("slept\n");
    } else {
      output.append(line);
      output.append("\n");
    }
  }

  LineService& service_;
};

std::unique_ptr<Session> LineService::open_session(const SessionInfo&) {
  return std::make_unique<LineSession>(*this);
}

ServerOptions options_for(Model model) {
  ServerOptions o;
  o.listen = {"127.0.0.1:0"};
  o.model = model;
  o.threads = 2;
  o.drain_timeout = Millis(3000);
  return o;
}

// Writes `line` repeatedly without blocking until the kernel stops taking bytes (or `max`
// requests were written). Returns how many whole requests went out (the last may be cut).
std::size_t pipeline_until_full(int fd, std::string_view line, std::size_t max) {
  std::string batch;
  for (int i = 0; i < 256; ++i) batch += line;
  std::size_t sent_bytes = 0;
  const std::size_t limit = max * line.size();
  while (sent_bytes < limit) {
    const std::size_t offset = sent_bytes % batch.size();
    const std::size_t n = std::min(batch.size() - offset, limit - sent_bytes);
    ssize_t r = ::send(fd, batch.data() + offset, n, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (r <= 0) break;
    sent_bytes += static_cast<std::size_t>(r);
  }
  // A request cut short by the kernel stays incomplete: the server never runs it.
  return sent_bytes / line.size();
}

// Waits until `counter` has not moved for `quiet` (bounded by `limit`); returns its value.
std::uint64_t settle(const std::atomic<std::uint64_t>& counter, Millis quiet, Millis limit) {
  const auto deadline = Clock::now() + limit;
  std::uint64_t last = counter.load();
  auto since = Clock::now();
  while (Clock::now() < deadline) {
    std::this_thread::sleep_for(Millis(10));
    const std::uint64_t now = counter.load();
    if (now != last) {
      last = now;
      since = Clock::now();
    } else if (Clock::now() - since >= quiet) {
      break;
    }
  }
  return last;
}

// The most a socket buffer may grow to (tcp_wmem or tcp_rmem's third figure).
std::size_t kernel_buffer_max(const char* which) {
  std::ifstream f(std::string("/proc/sys/net/ipv4/") + which);
  std::size_t lo = 0, def = 0, max = 0;
  f >> lo >> def >> max;
  return max > 0 ? max : (6u << 20);
}

class Models : public ::testing::TestWithParam<Model> {};

INSTANTIATE_TEST_SUITE_P(All, Models,
                         ::testing::Values(Model::kIterative, Model::kThread, Model::kEpoll,
                                           Model::kReactors),
                         [](const auto& p) { return std::string(to_string(p.param)); });

TEST_P(Models, ServesStopsFromAnotherThreadAndRunsAgain) {
  LineService service;
  Running running(options_for(GetParam()), service);
  ASSERT_TRUE(running.ok());
  for (int round = 0; round < 2; ++round) {
    if (round == 1) running.start();
    auto fd = testing::connect_stream(running.address());
    ASSERT_TRUE(fd);
    ASSERT_TRUE(testing::send_all(fd.get(), "hello\n"));
    EXPECT_EQ(testing::read_exactly(fd.get(), 6), "hello\n");
    fd.reset();
    const Millis took = running.stop();
    EXPECT_TRUE(running.run_ok());
    EXPECT_LT(took.count(), 2000) << "round " << round;
  }
  EXPECT_EQ(service.executed.load(), 2u);
}

// The fork model too: children serve, stop() reaches them through the inherited stop fd.
TEST(ForkModel, ServesStopsFromAnotherThreadAndRunsAgain) {
  LineService service(/*shared=*/false);
  Running running(options_for(Model::kFork), service);
  ASSERT_TRUE(running.ok());
  for (int round = 0; round < 2; ++round) {
    if (round == 1) running.start();
    auto fd = testing::connect_stream(running.address());
    ASSERT_TRUE(fd);
    ASSERT_TRUE(testing::send_all(fd.get(), "hello\n"));
    EXPECT_EQ(testing::read_exactly(fd.get(), 6), "hello\n");
    const Millis took = running.stop();  // the child still holds the connection
    EXPECT_TRUE(running.run_ok());
    EXPECT_LT(took.count(), 2000) << "round " << round;
    EXPECT_EQ(testing::read_until_end(fd.get(), Millis(2000)).end, testing::ReadEnd::kEof);
  }
}

TEST_P(Models, StopBeforeRunMakesRunReturnAtOnce) {
  LineService service;
  ServerOptions o = options_for(GetParam());
  Server server(o, service);
  ASSERT_TRUE(server.open().ok());
  server.stop();
  const auto t0 = Clock::now();
  ASSERT_TRUE(server.run().ok());
  EXPECT_LT(Clock::now() - t0, Millis(1000));
  EXPECT_FALSE(server.stop_requested());  // consumed by that run
}

// A client that pipelines without reading: the server runs requests only until its output
// reaches the high-water mark (plus what the kernel buffers hold), then stops reading; once
// the client reads, every request runs and every reply arrives.
TEST_P(Models, BackpressurePausesAndResumes) {
  LineService service;
  ServerOptions o = options_for(GetParam());
  o.output_high_water = 64 * 1024;
  Running running(o, service);
  ASSERT_TRUE(running.ok());
  auto fd = testing::connect_stream(running.address());
  ASSERT_TRUE(fd);
  const std::string request = "big 999\n";  // a 1000-byte reply for 8 bytes of request
  const std::size_t sent = pipeline_until_full(fd.get(), request, 40000);
  ASSERT_GT(sent, 10000u) << "the kernel took too little to make the point";
  const std::uint64_t ran = settle(service.executed, Millis(300), Millis(5000));
  const std::size_t bound =
      o.output_high_water + kernel_buffer_max("tcp_wmem") + kernel_buffer_max("tcp_rmem") + 1000;
  EXPECT_LT(ran, sent) << "nothing was held back";
  EXPECT_LE(ran * 1000, bound) << "ran " << ran << " of " << sent;
  // The client reads: everything runs, every reply arrives.
  const std::string replies = testing::read_exactly(fd.get(), sent * 1000, Millis(20000));
  EXPECT_EQ(replies.size(), sent * 1000);
  EXPECT_EQ(service.executed.load(), sent);
}

// The event-loop models hand a session at most 64 KiB of room per turn (docs/architecture.md,
// "one turn"), however much the high-water mark leaves, so one connection with a deep pipeline
// of big replies cannot hold a loop iteration for long; it goes on in later turns.
TEST_P(Models, OneTurnProducesAtMost64KiB) {
  if (GetParam() != Model::kEpoll && GetParam() != Model::kReactors) {
    GTEST_SKIP() << "a blocking model's thread serves one connection: no turns to share";
  }
  LineService service;
  ServerOptions o = options_for(GetParam());
  ASSERT_EQ(o.output_high_water, 1u << 20);  // the default: far more than one turn
  Running running(o, service);
  ASSERT_TRUE(running.ok());
  auto fd = testing::connect_stream(running.address());
  ASSERT_TRUE(fd);
  std::string requests;
  for (int i = 0; i < 500; ++i) requests += "big 999\n";  // 500 KB of replies for 4 KB
  ASSERT_TRUE(testing::send_all(fd.get(), requests));
  const std::string replies = testing::read_exactly(fd.get(), 500 * 1000, Millis(10000));
  EXPECT_EQ(replies.size(), 500u * 1000);
  EXPECT_EQ(service.executed.load(), 500u);
  EXPECT_GT(service.largest_room.load(), 0u);
  EXPECT_LE(service.largest_room.load(), 64u * 1024);
}

// One reply bigger than the hard limit disconnects at once, before it is written.
TEST_P(Models, HardOutputLimitDisconnects) {
  LineService service;
  ServerOptions o = options_for(GetParam());
  o.output_limit = 1u << 20;
  Running running(o, service);
  ASSERT_TRUE(running.ok());
  auto fd = testing::connect_stream(running.address());
  ASSERT_TRUE(fd);
  ASSERT_TRUE(testing::send_all(fd.get(), "big 4000000\n"));
  auto drained = testing::read_until_end(fd.get(), Millis(5000));
  EXPECT_NE(drained.end, testing::ReadEnd::kTimeout);
  EXPECT_LT(drained.data.size(), 4000001u);
  EXPECT_EQ(Stats::get(running.server().stats().output_limit_disconnects), 1u);
  // The server serves others.
  auto other = testing::connect_stream(running.address());
  ASSERT_TRUE(testing::send_all(other.get(), "ping\n"));
  EXPECT_EQ(testing::read_exactly(other.get(), 5), "ping\n");
}

// Above the soft limit for the soft seconds, a client that does not read is disconnected,
// though it sends nothing more (a timer, not the next event, notices).
TEST_P(Models, SoftOutputLimitDisconnectsAfterItsSeconds) {
  LineService service;
  ServerOptions o = options_for(GetParam());
  o.output_limit = 0;
  o.output_soft_limit = 1u << 20;
  o.output_soft_seconds = std::chrono::seconds(1);
  Running running(o, service);
  ASSERT_TRUE(running.ok());
  auto fd = testing::connect_stream(running.address());
  ASSERT_TRUE(fd);
  int rcvbuf = 4096;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  const std::size_t big = 2 * kernel_buffer_max("tcp_wmem") + (4u << 20);
  ASSERT_TRUE(testing::send_all(fd.get(), "big " + std::to_string(big) + "\n"));
  const auto t0 = Clock::now();
  while (Stats::get(running.server().stats().output_limit_disconnects) == 0 &&
         Clock::now() - t0 < Millis(5000)) {
    std::this_thread::sleep_for(Millis(10));
  }
  const auto took = Clock::now() - t0;
  EXPECT_EQ(Stats::get(running.server().stats().output_limit_disconnects), 1u);
  EXPECT_GE(took, Millis(900));
  EXPECT_LT(took, Millis(4000));
}

// The idle timeout counts while the server waits to write to a client that reads nothing:
// the thread (or loop) is not held forever.
TEST_P(Models, IdleTimeoutHoldsWhileWaitingToWrite) {
  LineService service;
  ServerOptions o = options_for(GetParam());
  o.idle_timeout = Millis(500);
  Running running(o, service);
  ASSERT_TRUE(running.ok());
  auto fd = testing::connect_stream(running.address());
  ASSERT_TRUE(fd);
  int rcvbuf = 4096;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  const std::size_t big = kernel_buffer_max("tcp_wmem") + (8u << 20);
  const auto t0 = Clock::now();
  ASSERT_TRUE(testing::send_all(fd.get(), "big " + std::to_string(big) + "\n"));
  while (Stats::get(running.server().stats().idle_timeouts) == 0 &&
         Clock::now() - t0 < Millis(5000)) {
    std::this_thread::sleep_for(Millis(10));
  }
  EXPECT_EQ(Stats::get(running.server().stats().idle_timeouts), 1u);
  EXPECT_LT(Clock::now() - t0, Millis(3000));
}

// A request that never ends is cut off at the input limit.
TEST_P(Models, InputLimitDisconnects) {
  LineService service;
  ServerOptions o = options_for(GetParam());
  o.input_limit = 64 * 1024;
  Running running(o, service);
  ASSERT_TRUE(running.ok());
  auto fd = testing::connect_stream(running.address());
  ASSERT_TRUE(fd);
  const std::string endless(1u << 20, 'a');  // no newline
  (void)testing::send_all(fd.get(), endless, Millis(3000));
  EXPECT_NE(testing::wait_for_close(fd.get(), Millis(5000)), testing::ReadEnd::kTimeout);
  EXPECT_EQ(service.executed.load(), 0u);
}

// stop() with a deep unread pipeline: every request that ran gets its reply, then a clean
// EOF (no reset from unread input), and run() returns within the drain timeout.
TEST_P(Models, DrainDeliversEveryOwedReply) {
  LineService service;
  ServerOptions o = options_for(GetParam());
  Running running(o, service);
  ASSERT_TRUE(running.ok());
  auto fd = testing::connect_stream(running.address());
  ASSERT_TRUE(fd);
  // Replies larger than requests: the reply path fills first, so the server is left holding
  // unread requests when the stop comes (the case where a careless close sends a reset).
  const std::string request = "big 99\n";
  const std::size_t reply_size = 100;
  const std::size_t sent = pipeline_until_full(fd.get(), request, 2'000'000);
  ASSERT_GT(sent, 1000u);
  (void)settle(service.executed, Millis(200), Millis(3000));
  std::thread stopper([&] { (void)running.stop(); });
  auto drained = testing::read_until_end(fd.get(), Millis(10000));
  stopper.join();
  EXPECT_TRUE(running.run_ok());
  EXPECT_EQ(drained.end, testing::ReadEnd::kEof);
  EXPECT_EQ(drained.data.size() % reply_size, 0u);
  EXPECT_EQ(drained.data.size() / reply_size, service.executed.load());
  EXPECT_GT(service.executed.load(), 0u);
  EXPECT_LT(service.executed.load(), sent) << "no request was left unrun: the test proves less";
}

// Replies leave in request order when a connection already had output waiting (a big reply
// the kernel only partly took) and more requests arrive: they join it, not the loop's batch.
TEST_P(Models, RepliesKeepTheirOrderBehindWaitingOutput) {
  LineService service;
  Running running(options_for(GetParam()), service);
  ASSERT_TRUE(running.ok());
  auto fd = testing::connect_stream(running.address());
  ASSERT_TRUE(fd);
  const std::size_t big = kernel_buffer_max("tcp_wmem") + (1u << 20);
  std::string expected(big, 'x');
  expected += "\n";
  ASSERT_TRUE(testing::send_all(fd.get(), "big " + std::to_string(big) + "\n"));
  std::string tail;
  for (int i = 0; i < 200; ++i) {
    const std::string line = "seq " + std::to_string(i) + "\n";
    ASSERT_TRUE(testing::send_all(fd.get(), line));
    tail += line;
  }
  expected += tail;
  EXPECT_EQ(testing::read_exactly(fd.get(), expected.size(), Millis(20000)), expected);
}

// In a death test's child: a server with ShutdownSignals whose only client sends a request
// that keeps the loop busy for 20 s; 300 ms later (the loop is inside it) the process gets
// `signals` SIGTERMs, 200 ms apart. Never returns: the exit status is what the test checks.
[[noreturn]] void busy_server_gets_sigterms(Millis drain_timeout, int signals) {
  LineService service;
  ServerOptions o = options_for(Model::kEpoll);
  o.drain_timeout = drain_timeout;
  Server server(o, service);
  auto installed = ShutdownSignals::install(server);
  if (!installed || !server.open().ok()) ::_exit(3);
  std::thread client([&server, signals] {
    auto fd = testing::connect_stream(server.local_endpoints()[0]);
    (void)testing::send_all(fd.get(), "sleep 20000\n");
    std::this_thread::sleep_for(Millis(300));
    for (int i = 0; i < signals; ++i) {
      if (i > 0) std::this_thread::sleep_for(Millis(200));
      ::kill(::getpid(), SIGTERM);
    }
    std::this_thread::sleep_for(Millis(20000));
  });
  client.detach();
  (void)server.run();
  ::_exit(0);
}

// ShutdownSignals: a second SIGTERM ends the process at once while a request is still
// running (the loop is busy and cannot look at anything).
TEST(ShutdownSignalsDeathTest, SecondSignalExitsWhileARequestRuns) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(busy_server_gets_sigterms(Millis(30000), 2), ::testing::ExitedWithCode(1),
              "again: exiting now");
}

// ShutdownSignals: a drain that cannot finish (the loop is stuck in a request) still ends
// the process soon after the drain timeout.
TEST(ShutdownSignalsDeathTest, DrainPastItsTimeoutExits) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(busy_server_gets_sigterms(Millis(500), 1), ::testing::ExitedWithCode(1),
              "outlived --drain-timeout");
}

}  // namespace
}  // namespace tcpkit::server
