// Server options and Server::open (binding, errors) without running a model.
#include "tcpkit/server/server.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "tcpkit/server/options.hpp"
#include "tcpkit/server/signals.hpp"

namespace tcpkit::server {
namespace {

TEST(Options, ModelNamesRoundTrip) {
  for (Model m :
       {Model::kIterative, Model::kFork, Model::kThread, Model::kEpoll, Model::kReactors}) {
    auto parsed = parse_model(to_string(m));
    ASSERT_TRUE(parsed.has_value()) << to_string(m);
    EXPECT_EQ(*parsed, m);
  }
  EXPECT_FALSE(parse_model("select").has_value());
  EXPECT_FALSE(parse_model("").has_value());
  EXPECT_FALSE(parse_model("EPOLL").has_value());
}

TEST(Options, LoopCount) {
  ServerOptions o;
  o.model = Model::kEpoll;
  o.threads = 8;
  EXPECT_EQ(o.loop_count(), 1u);
  o.model = Model::kReactors;
  EXPECT_EQ(o.loop_count(), 8u);
  o.threads = 0;
  EXPECT_GE(o.loop_count(), 1u);
}

class NullSession final : public Session {
 public:
  Progress on_bytes(std::string_view input, io::Buffer&, std::size_t) override {
    return {input.size(), false};
  }
};

class TestService final : public Service {
 public:
  explicit TestService(bool shared) : shared_(shared) {}
  std::string_view name() const override { return "test"; }
  std::unique_ptr<Session> open_session(const SessionInfo&) override {
    return std::make_unique<NullSession>();
  }
  bool shares_state() const override { return shared_; }

 private:
  bool shared_;
};

TEST(ServerOpen, BindsEveryAddressAndReportsRealPorts) {
  TestService service(false);
  ServerOptions o;
  const std::string path = fmt::format("/tmp/tcpkit-server-test-{}.sock", ::getpid());
  o.listen = {"127.0.0.1:0", "unix:" + path};
  {
    Server server(o, service);
    ASSERT_TRUE(server.open().ok());
    auto where = server.local_endpoints();
    ASSERT_EQ(where.size(), 2u);
    EXPECT_TRUE(where[0].starts_with("127.0.0.1:"));
    EXPECT_NE(where[0], "127.0.0.1:0");
    EXPECT_EQ(where[1], "unix:" + path);
    EXPECT_EQ(::access(path.c_str(), F_OK), 0);
  }
  EXPECT_NE(::access(path.c_str(), F_OK), 0) << "the server removes its socket file";
}

TEST(ServerOpen, BindErrorNamesTheAddress) {
  TestService service(false);
  ServerOptions first_options;
  first_options.listen = {"127.0.0.1:0"};
  Server first(first_options, service);
  ASSERT_TRUE(first.open().ok());
  ServerOptions o;
  o.listen = {first.local_endpoints()[0]};
  Server second(o, service);
  auto r = second.open();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "bind " + o.listen[0] + ": Address already in use");
}

TEST(ServerOpen, BadAddressIsAnAddressError) {
  TestService service(false);
  ServerOptions o;
  o.listen = {"127.0.0.1"};
  Server server(o, service);
  auto r = server.open();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code().category(), net::address_category());
}

TEST(ServerOpen, ForkRefusesASharedStateService) {
  TestService service(true);
  ServerOptions o;
  o.listen = {"127.0.0.1:0"};
  o.model = Model::kFork;
  Server server(o, service);
  auto r = server.open();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("the fork model cannot serve 'test'"), std::string::npos)
      << r.error().message();
}

// The library leaves signals to the program: open() and run() change no mask.
TEST(ServerOpen, LeavesTheSignalMaskAlone) {
  sigset_t before;
  ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, nullptr, &before), 0);
  ASSERT_EQ(sigismember(&before, SIGTERM), 0);
  TestService service(false);
  ServerOptions o;
  o.listen = {"127.0.0.1:0"};
  Server server(o, service);
  ASSERT_TRUE(server.open().ok());
  sigset_t now;
  ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, nullptr, &now), 0);
  EXPECT_EQ(sigismember(&now, SIGTERM), 0);
  EXPECT_EQ(sigismember(&now, SIGINT), 0);
}

// A supervisor may signal as soon as it sees the addresses printed after open(). With
// ShutdownSignals installed first, SIGTERM then starts a drain instead of killing the process;
// destroying it restores the mask and SIGPIPE's disposition.
TEST(ShutdownSignals, BlocksUntilDestroyedAndTurnsSigtermIntoStop) {
  sigset_t before;
  ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, nullptr, &before), 0);
  ASSERT_EQ(sigismember(&before, SIGTERM), 0);
  struct sigaction pipe_before {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &pipe_before), 0);
  TestService service(false);
  ServerOptions o;
  o.listen = {"127.0.0.1:0"};
  Server server(o, service);
  {
    auto signals = ShutdownSignals::install(server);
    ASSERT_TRUE(signals.ok()) << signals.error().message();
    sigset_t now;
    ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, nullptr, &now), 0);
    EXPECT_EQ(sigismember(&now, SIGTERM), 1);
    EXPECT_EQ(sigismember(&now, SIGINT), 1);
    struct sigaction pipe_now {};
    ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &pipe_now), 0);
    EXPECT_EQ(pipe_now.sa_handler, SIG_IGN);
    ASSERT_TRUE(server.open().ok());
    ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
    ASSERT_TRUE(server.run().ok());  // returns only because the signal became stop()
  }
  sigset_t after;
  ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, nullptr, &after), 0);
  EXPECT_EQ(sigismember(&after, SIGTERM), 0);
  EXPECT_EQ(sigismember(&after, SIGINT), 0);
  struct sigaction pipe_after {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &pipe_after), 0);
  EXPECT_EQ(pipe_after.sa_handler, pipe_before.sa_handler);
}

TEST(ServerOpen, EmptyListenIsAnError) {
  TestService service(false);
  ServerOptions o;
  o.listen = {};
  Server server(o, service);
  auto r = server.open();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "no --listen address: Invalid argument");
}

}  // namespace
}  // namespace tcpkit::server
