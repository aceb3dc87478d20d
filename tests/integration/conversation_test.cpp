// One conversation suite against the real `tcpkit serve echo`, run under every concurrency
// model. Each test starts its own server on port 0 (or a temp Unix path) and stops it by pid.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/clients.hpp"
#include "support/server_process.hpp"

namespace tcpkit::testing {
namespace {

using namespace std::chrono_literals;

class Conversation : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string& model() const { return GetParam(); }
  bool iterative() const { return model() == "iterative"; }

  // Starts `tcpkit serve echo --model M --listen 127.0.0.1:0 <extra...>`.
  void start(std::vector<std::string> extra = {}, const std::string& listen = "127.0.0.1:0") {
    std::vector<std::string> args = {"serve", "echo", "--model", model(), "--listen", listen};
    if (model() == "reactors") args.insert(args.end(), {"--threads", "2"});
    args.insert(args.end(), extra.begin(), extra.end());
    ASSERT_TRUE(server_.start(args)) << server_.error();
    ASSERT_FALSE(server_.endpoints().empty());
    address_ = server_.endpoints().front();
  }

  // One complete conversation: send, half-close, everything back, then EOF.
  void expect_echo(const std::string& payload, const std::string& address) {
    UniqueFd c = connect_stream(address);
    ASSERT_TRUE(c.valid()) << "connect " << address;
    ASSERT_TRUE(send_all(c.get(), payload));
    ASSERT_EQ(::shutdown(c.get(), SHUT_WR), 0);
    Drained d = read_until_end(c.get(), 20s);
    EXPECT_EQ(d.end, ReadEnd::kEof);
    EXPECT_EQ(d.data.size(), payload.size());
    EXPECT_TRUE(d.data == payload);
  }
  void expect_echo(const std::string& payload) { expect_echo(payload, address_); }

  void TearDown() override {
    if (server_.pid() > 0 && server_.running()) {
      auto st = server_.stop();
      EXPECT_TRUE(st.has_value()) << "the server did not stop on SIGTERM";
      if (st) {
        EXPECT_TRUE(st->exited && st->code == 0)
            << "exit " << st->exited << "/" << st->code << "; stderr:\n"
            << server_.stderr_text();
      }
    }
  }

  ServerProcess server_;
  std::string address_;
};

TEST_P(Conversation, SingleEcho) {
  start();
  EXPECT_NE(server_.ready_line().find("tcpkit serve echo: listening on 127.0.0.1:"),
            std::string::npos)
      << server_.ready_line();
  EXPECT_NE(server_.ready_line().find("(model " + model()), std::string::npos);
  EXPECT_NE(server_.ready_line().find("pid " + std::to_string(server_.pid()) + ")"),
            std::string::npos);
  expect_echo("hello, tcpkit\n");
}

TEST_P(Conversation, InteractiveEchoBeforeHalfClose) {
  start();
  UniqueFd c = connect_stream(address_);
  ASSERT_TRUE(c.valid());
  for (int i = 0; i < 3; ++i) {
    const std::string msg = "line " + std::to_string(i) + "\n";
    ASSERT_TRUE(send_all(c.get(), msg));
    EXPECT_EQ(read_exactly(c.get(), msg.size()), msg);
  }
}

TEST_P(Conversation, TwoHundredConcurrentClients) {
  start();
  std::vector<std::string> payloads;
  for (unsigned i = 0; i < 200; ++i) {
    payloads.push_back(random_payload(1 + (i * 7919u) % 20000u, i + 1));
  }
  auto results = echo_many(address_, payloads, 60s);
  int ok = 0;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    if (results[i] && *results[i] == payloads[i]) {
      ++ok;
    } else {
      ADD_FAILURE() << "client " << i << ": "
                    << (results[i]
                            ? "wrong reply of " + std::to_string(results[i]->size()) + " bytes"
                            : std::string("failed"));
      break;
    }
  }
  EXPECT_EQ(ok, 200);
}

TEST_P(Conversation, SixteenMebibytes) {
  start();
  std::vector<std::string> payloads = {random_payload(16u << 20, 42)};
  auto results = echo_many(address_, payloads, 60s);
  ASSERT_TRUE(results[0].has_value()) << "the 16 MiB conversation failed";
  EXPECT_EQ(results[0]->size(), payloads[0].size());
  EXPECT_TRUE(*results[0] == payloads[0]);
}

TEST_P(Conversation, HalfCloseFlushesThenCloses) {
  start();
  UniqueFd c = connect_stream(address_);
  ASSERT_TRUE(c.valid());
  ASSERT_TRUE(send_all(c.get(), "abc"));
  EXPECT_EQ(read_exactly(c.get(), 3), "abc");
  // The server must not have closed: we are still talking.
  const std::string rest = random_payload(256 * 1024, 7);
  ASSERT_TRUE(send_all(c.get(), rest));
  ASSERT_EQ(::shutdown(c.get(), SHUT_WR), 0);
  Drained d = read_until_end(c.get(), 20s);
  EXPECT_EQ(d.end, ReadEnd::kEof);
  EXPECT_TRUE(d.data == rest) << d.data.size() << " bytes back";
}

TEST_P(Conversation, ClientResetMidStreamDoesNotHurtTheNext) {
  start();
  {
    UniqueFd greedy = connect_stream(address_);
    ASSERT_TRUE(greedy.valid());
    // Write without reading until the pipe is full both ways: the server owes a large reply.
    const std::string chunk = random_payload(256 * 1024, 3);
    std::size_t pushed = 0;
    while (pushed < (32u << 20)) {
      if (!send_all(greedy.get(), chunk, 300ms)) break;
      pushed += chunk.size();
    }
    EXPECT_LT(pushed, 32u << 20) << "the server kept reading without us reading its replies";
    reset_connection(greedy);  // RST with the reply pending
  }
  expect_echo("still serving\n");
  EXPECT_TRUE(server_.running());
}

TEST_P(Conversation, IdleTimeoutClosesSilentClientsOnly) {
  start({"--idle-timeout", "0.3"});
  {
    // Active: a message every 100 ms for about a second, never closed on us.
    UniqueFd active = connect_stream(address_);
    ASSERT_TRUE(active.valid());
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(send_all(active.get(), "tick"));
      ASSERT_EQ(read_exactly(active.get(), 4), "tick") << "closed at tick " << i;
      EXPECT_TRUE(stays_silent(active.get(), 100ms));
    }
  }
  UniqueFd silent = connect_stream(address_);
  ASSERT_TRUE(silent.valid());
  const auto start_time = std::chrono::steady_clock::now();
  EXPECT_EQ(wait_for_close(silent.get(), 10s), ReadEnd::kEof);
  const auto took = std::chrono::steady_clock::now() - start_time;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 5s);
}

TEST_P(Conversation, MaxConnectionsClosesTheThirdAtOnce) {
  if (iterative()) {
    GTEST_SKIP() << "iterative serves one client at a time; the others wait in the backlog, "
                    "so there is never a third open connection to refuse";
  }
  start({"--max-connections", "2"});
  UniqueFd a = connect_stream(address_);
  UniqueFd b = connect_stream(address_);
  ASSERT_TRUE(a.valid() && b.valid());
  // Make sure both are really being served before the third arrives.
  ASSERT_TRUE(send_all(a.get(), "a1"));
  ASSERT_EQ(read_exactly(a.get(), 2), "a1");
  ASSERT_TRUE(send_all(b.get(), "b1"));
  ASSERT_EQ(read_exactly(b.get(), 2), "b1");
  UniqueFd c = connect_stream(address_);
  ASSERT_TRUE(c.valid());
  EXPECT_NE(wait_for_close(c.get(), 10s), ReadEnd::kTimeout) << "the third was not closed";
  ASSERT_TRUE(send_all(a.get(), "a2"));
  EXPECT_EQ(read_exactly(a.get(), 2), "a2");
  ASSERT_TRUE(send_all(b.get(), "b2"));
  EXPECT_EQ(read_exactly(b.get(), 2), "b2");
  // Once one leaves, a new client is served again.
  a.reset();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  bool served = false;
  while (!served && std::chrono::steady_clock::now() < deadline) {
    UniqueFd d = connect_stream(address_);
    if (!d.valid() || !send_all(d.get(), "d")) continue;
    served = read_exactly(d.get(), 1, 2s) == "d";
  }
  EXPECT_TRUE(served);
}

TEST_P(Conversation, GracefulShutdownDeliversOwedReplies) {
  start({"--drain-timeout", "10"});
  UniqueFd talker = connect_stream(address_);
  ASSERT_TRUE(talker.valid());
  // Served for sure before the signal (iterative serves this one and no other).
  ASSERT_TRUE(send_all(talker.get(), "x"));
  ASSERT_EQ(read_exactly(talker.get(), 1), "x");
  UniqueFd idle;
  if (!iterative()) {
    idle = connect_stream(address_);
    ASSERT_TRUE(idle.valid());
    ASSERT_TRUE(send_all(idle.get(), "y"));
    ASSERT_EQ(read_exactly(idle.get(), 1), "y");
  }
  const std::string owed = random_payload(64 * 1024, 11);
  ASSERT_TRUE(send_all(talker.get(), owed));  // not read yet
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(server_.signal(SIGTERM));
  Drained d = read_until_end(talker.get(), 20s);
  EXPECT_EQ(d.end, ReadEnd::kEof);
  EXPECT_EQ(d.data.size(), owed.size());
  EXPECT_TRUE(d.data == owed);
  if (idle) {
    EXPECT_EQ(wait_for_close(idle.get(), 20s), ReadEnd::kEof);
  }
  auto st = server_.wait_exit(15s);
  ASSERT_TRUE(st.has_value()) << "still running after the drain timeout";
  EXPECT_TRUE(st->exited);
  EXPECT_EQ(st->code, 0) << server_.stderr_text();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 11s);
}

TEST_P(Conversation, DrainTimeoutBoundsShutdownWithAStuckClient) {
  start({"--drain-timeout", "0.5"});
  UniqueFd stuck = connect_stream(address_);
  ASSERT_TRUE(stuck.valid());
  // Never read: the replies pile up until the server stops reading from us.
  const std::string chunk = random_payload(256 * 1024, 4);
  for (int i = 0; i < 128 && send_all(stuck.get(), chunk, 300ms); ++i) {
  }
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(server_.signal(SIGTERM));
  auto st = server_.wait_exit(10s);
  ASSERT_TRUE(st.has_value()) << "the drain timeout did not bound the shutdown";
  EXPECT_TRUE(st->exited);
  EXPECT_EQ(st->code, 0) << server_.stderr_text();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 400ms) << "gave up before the drain timeout";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST_P(Conversation, Ipv6Loopback) {
  if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback ([::1]) on this host";
  start({}, "[::1]:0");
  EXPECT_EQ(address_.rfind("[::1]:", 0), 0u) << address_;
  expect_echo(random_payload(100000, 5));
}

TEST_P(Conversation, UnixSocket) {
  const std::string path = temp_unix_path(model().c_str());
  start({"--listen", "unix:@tcpkit-it-" + std::to_string(::getpid()) + "-" + model()}, path);
  ASSERT_EQ(server_.endpoints().size(), 2u);
  EXPECT_EQ(server_.endpoints()[0], path);
  expect_echo(random_payload(300000, 9), server_.endpoints()[0]);
  expect_echo("abstract\n", server_.endpoints()[1]);
  auto st = server_.stop();
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->code, 0);
  EXPECT_NE(::access(path.substr(5).c_str(), F_OK), 0) << "socket file left behind";
}

INSTANTIATE_TEST_SUITE_P(Models, Conversation,
                         ::testing::Values("iterative", "fork", "thread", "epoll", "reactors"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace tcpkit::testing
