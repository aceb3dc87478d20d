// `tcpkit serve` behaviours that are not one per model: datagram mode, the iterative model's
// one-client-at-a-time, running out of fds, command-line errors, --trace and the second signal.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "support/clients.hpp"
#include "support/server_process.hpp"
#include "tcpkit/net/socket.hpp"

namespace tcpkit::testing {
namespace {

using namespace std::chrono_literals;

void expect_clean_exit(ServerProcess& server) {
  auto st = server.stop();
  ASSERT_TRUE(st.has_value()) << "did not stop on SIGTERM";
  EXPECT_TRUE(st->exited && st->code == 0) << st->exited << "/" << st->code << "\n"
                                           << server.stderr_text();
}

// Sends one datagram from a connected client socket and reads the reply.
std::string datagram_round_trip(const std::string& address, const std::string& payload) {
  auto ep = net::parse_endpoint(address);
  if (!ep) return "<bad address>";
  auto fd = net::connect_to(*ep, 2000ms, SOCK_DGRAM);
  if (!fd) return "<" + fd.error().message() + ">";
  if (::send(fd->get(), payload.data(), payload.size(), 0) !=
      static_cast<ssize_t>(payload.size())) {
    return "<send failed>";
  }
  if (stays_silent(fd->get(), 5000ms)) return "<no reply>";
  std::string buf(70000, '\0');
  ssize_t n = ::recv(fd->get(), buf.data(), buf.size(), 0);
  if (n < 0) return "<recv failed>";
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

TEST(Udp, DatagramsAreEchoedOverIpv4Ipv6AndUnix) {
  ServerProcess server;
  std::vector<std::string> args = {
      "serve", "echo", "--udp", "--listen", "127.0.0.1:0", "--listen", temp_unix_path("dgram")};
  const bool v6 = ipv6_loopback_available();
  if (v6) args.insert(args.end(), {"--listen", "[::1]:0"});
  ASSERT_TRUE(server.start(args)) << server.error();
  ASSERT_EQ(server.endpoints().size(), v6 ? 3u : 2u) << server.ready_line();
  EXPECT_EQ(datagram_round_trip(server.endpoints()[0], "ping v4"), "ping v4");
  EXPECT_EQ(datagram_round_trip(server.endpoints()[1], "ping unix"), "ping unix");
  if (v6) {
    EXPECT_EQ(datagram_round_trip(server.endpoints()[2], "ping v6"), "ping v6");
  }
  const std::string big = random_payload(60000, 1);
  EXPECT_TRUE(datagram_round_trip(server.endpoints()[0], big) == big);
  expect_clean_exit(server);
}

TEST(Iterative, ServesOneClientAtATime) {
  ServerProcess server;
  ASSERT_TRUE(server.start({"serve", "echo", "--model", "iterative", "--listen", "127.0.0.1:0"}))
      << server.error();
  const std::string address = server.endpoints()[0];
  UniqueFd a = connect_stream(address);
  ASSERT_TRUE(a.valid());
  ASSERT_TRUE(send_all(a.get(), "a"));
  ASSERT_EQ(read_exactly(a.get(), 1), "a");  // A is the one being served
  UniqueFd b = connect_stream(address);      // completes in the backlog
  ASSERT_TRUE(b.valid());
  ASSERT_TRUE(send_all(b.get(), "b"));
  EXPECT_TRUE(stays_silent(b.get(), 300ms)) << "B was answered while A was connected";
  a.reset();
  EXPECT_EQ(read_exactly(b.get(), 1, 10s), "b");
  b.reset();
  expect_clean_exit(server);
}

// With 32 fds the server runs out on accept. It must back off instead of spinning on the
// listener that stays readable, and serve again once fds are free.
TEST(Emfile, EpollBacksOffAndRecovers) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "out of fds, the sanitizer runtime misbehaves (UBSan's vptr check needs a "
                  "pipe and reports a false 'invalid vptr'); see tests/integration/CMakeLists.txt";
#endif
  ServerProcess server;
  SpawnOptions options;
  options.max_open_files = 32;
  ASSERT_TRUE(
      server.start({"serve", "echo", "--model", "epoll", "--listen", "127.0.0.1:0"}, options))
      << server.error();
  const std::string address = server.endpoints()[0];
  std::vector<UniqueFd> clients;
  for (int i = 0; i < 48; ++i) {
    UniqueFd c = connect_stream(address);  // completes in the backlog even when not accepted
    ASSERT_TRUE(c.valid()) << i;
    clients.push_back(std::move(c));
  }
  // Let it hit EMFILE, then measure CPU over about a second.
  (void)stays_silent(clients.back().get(), 200ms);
  const auto cpu_before = server.cpu_time();
  (void)stays_silent(clients.back().get(), 1000ms);
  const auto cpu_used = server.cpu_time() - cpu_before;
  EXPECT_LT(cpu_used, 300ms) << "spinning on accept while out of fds";
  EXPECT_NE(server.stderr_text().find("Too many open files"), std::string::npos)
      << server.stderr_text();
  clients.clear();
  // Fds come back as the closed connections are noticed; a new client is then served.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  bool served = false;
  while (!served && std::chrono::steady_clock::now() < deadline) {
    UniqueFd c = connect_stream(address);
    if (!c.valid() || !send_all(c.get(), "back")) continue;
    served = read_exactly(c.get(), 4, 3s) == "back";
  }
  EXPECT_TRUE(served) << server.stderr_text();
  expect_clean_exit(server);
}

TEST(Errors, AddressInUse) {
  ServerProcess first;
  ASSERT_TRUE(first.start({"serve", "echo", "--listen", "127.0.0.1:0"})) << first.error();
  std::string out, err;
  auto st =
      ServerProcess::run_to_exit({"serve", "echo", "--listen", first.endpoints()[0]}, &out, &err);
  EXPECT_TRUE(st.exited);
  EXPECT_NE(st.code, 0);
  EXPECT_EQ(err, "tcpkit serve: bind " + first.endpoints()[0] + ": Address already in use\n");
  EXPECT_EQ(out, "");
  expect_clean_exit(first);
}

TEST(Errors, BadAddressExits64) {
  std::string out, err;
  auto st = ServerProcess::run_to_exit({"serve", "echo", "--listen", "127.0.0.1"}, &out, &err);
  EXPECT_TRUE(st.exited);
  EXPECT_EQ(st.code, 64);
  EXPECT_NE(err.find("address '127.0.0.1': missing port"), std::string::npos) << err;
  auto bad_port =
      ServerProcess::run_to_exit({"serve", "echo", "--listen", "[::1]:99999"}, &out, &err);
  EXPECT_EQ(bad_port.code, 64);
}

TEST(Errors, KvRefusesUdpAtStart) {
  std::string out, err;
  auto st =
      ServerProcess::run_to_exit({"serve", "kv", "--udp", "--listen", "127.0.0.1:0"}, &out, &err);
  EXPECT_TRUE(st.exited);
  EXPECT_EQ(st.code, 69);
  EXPECT_NE(err.find("'kv' does not answer datagrams"), std::string::npos) << err;
  EXPECT_EQ(out, "");
}

TEST(UnixMode, SetsTheSocketFilePermissions) {
  const std::string address = temp_unix_path("mode");
  ServerProcess server;
  ASSERT_TRUE(server.start({"serve", "echo", "--listen", address, "--unix-mode", "600"}))
      << server.error();
  struct stat st {};
  ASSERT_EQ(::stat(address.substr(5).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  expect_clean_exit(server);
  std::string out, err;
  auto bad = ServerProcess::run_to_exit(
      {"serve", "echo", "--listen", temp_unix_path("mode2"), "--unix-mode", "rwx"}, &out, &err);
  EXPECT_EQ(bad.code, 64);
  EXPECT_NE(err.find("--unix-mode 'rwx' is not an octal mode"), std::string::npos) << err;
}

// A usage error is one line on stderr that names the problem and the subcommand's --help
// (no dump of the whole help), exit 64.
TEST(Errors, UnknownFlagIsOneLineAndExits64) {
  std::string out, err;
  auto st = ServerProcess::run_to_exit({"serve", "echo", "--no-such-flag"}, &out, &err);
  EXPECT_TRUE(st.exited);
  EXPECT_EQ(st.code, 64);
  EXPECT_EQ(err,
            "tcpkit serve: The following argument was not expected: --no-such-flag; see tcpkit "
            "serve --help\n");
  EXPECT_EQ(out, "");
}

TEST(Errors, BadNumberSaysWhatIsWrongInOneLine) {
  std::string out, err;
  auto st = ServerProcess::run_to_exit({"bench", "resp", "127.0.0.1:1", "-c", "0"}, &out, &err);
  EXPECT_EQ(st.code, 64);
  EXPECT_EQ(err,
            "tcpkit bench: --connections: must be a positive number, got 0; see tcpkit bench "
            "--help\n");
  st = ServerProcess::run_to_exit({"serve", "kv", "--idle-timeout", "-3"}, &out, &err);
  EXPECT_EQ(st.code, 64);
  EXPECT_NE(err.find("must not be negative, got -3"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

// Runs `tcpkit serve echo FLAGS --listen 127.0.0.1:0`, has one client send "hi" and read it
// back, stops the server and returns what it wrote on stderr.
std::string stderr_of_one_echo(const std::vector<std::string>& flags) {
  std::vector<std::string> args{"serve", "echo"};
  args.insert(args.end(), flags.begin(), flags.end());
  args.insert(args.end(), {"--listen", "127.0.0.1:0"});
  ServerProcess server;
  if (!server.start(args)) {
    ADD_FAILURE() << server.error();
    return {};
  }
  {
    UniqueFd c = connect_stream(server.endpoints()[0]);
    EXPECT_TRUE(c.valid());
    EXPECT_TRUE(send_all(c.get(), "hi"));
    ::shutdown(c.get(), SHUT_WR);
    EXPECT_EQ(read_until_end(c.get()).data, "hi");
  }
  expect_clean_exit(server);
  return server.stderr_text();
}

TEST(Trace, NarratesTheLifecycle) {
  const std::string err = stderr_of_one_echo({"--trace"});
  for (const char* want :
       {"trace: socket(SOCK_STREAM) = fd ", "trace: setsockopt(fd ", "SO_REUSEADDR",
        "trace: bind(fd ", "trace: listen(fd ", "trace: accept(fd ", "trace: read(fd ",
        " = 2 bytes", "trace: write(fd ", "= 0 (end of stream)", "trace: close(fd ",
        // TCP's side at close (TCP_INFO): the peer half-closed first, 2 bytes came back.
        ": TCP CLOSE_WAIT, rtt ", "retransmits 0", "bytes acked 2, received 3"}) {
    EXPECT_NE(err.find(want), std::string::npos) << "no '" << want << "' in:\n" << err;
  }
  EXPECT_EQ(err.find("epoll_wait"), std::string::npos) << "wake-ups are for --trace=verbose";
}

TEST(Trace, VerboseNarratesEachWakeUp) {
  const std::string err = stderr_of_one_echo({"--trace=verbose"});
  EXPECT_NE(err.find("trace: epoll_wait(fd "), std::string::npos) << err;
  EXPECT_NE(err.find(") = 1 events"), std::string::npos) << err;
  EXPECT_NE(err.find("trace: accept(fd "), std::string::npos) << err;
}

// The ready line means "signals are handled": a SIGTERM sent the moment it appears must give
// a graceful exit 0, not death by the signal's default action.
TEST(Signals, SigtermRightAfterTheReadyLineIsGraceful) {
  for (const char* model : {"epoll", "iterative", "reactors"}) {
    for (int i = 0; i < 10; ++i) {
      ServerProcess server;
      ASSERT_TRUE(server.start({"serve", "echo", "--model", model, "--listen", "127.0.0.1:0"}))
          << server.error();
      ASSERT_TRUE(server.signal(SIGTERM));
      auto st = server.wait_exit(10s);
      ASSERT_TRUE(st.has_value()) << model;
      ASSERT_TRUE(st->exited && st->code == 0)
          << model << " #" << i << ": " << (st->exited ? "exit " : "signal ") << st->code;
    }
  }
}

TEST(Signals, SecondSigintExitsAtOnce) {
  ServerProcess server;
  ASSERT_TRUE(server.start({"serve", "echo", "--drain-timeout", "60", "--listen", "127.0.0.1:0"}))
      << server.error();
  // A client that never reads: the drain would wait for it for a minute.
  UniqueFd stuck = connect_stream(server.endpoints()[0]);
  ASSERT_TRUE(stuck.valid());
  const std::string chunk = random_payload(256 * 1024, 2);
  for (int i = 0; i < 128 && send_all(stuck.get(), chunk, 300ms); ++i) {
  }
  ASSERT_TRUE(server.signal(SIGINT));
  EXPECT_FALSE(server.wait_exit(300ms).has_value()) << "the first SIGINT should drain";
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(server.signal(SIGINT));
  auto st = server.wait_exit(5s);
  ASSERT_TRUE(st.has_value()) << "a second SIGINT did not exit";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_TRUE(st->exited);
  EXPECT_EQ(st->code, 1);
}

}  // namespace
}  // namespace tcpkit::testing
