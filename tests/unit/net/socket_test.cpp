// The socket lifecycle over real sockets: socketpairs and loopback listeners on port 0 or
// temporary Unix paths. Every wait is bounded by a poll deadline.
#include "tcpkit/net/socket.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace tcpkit::net {
namespace {

using namespace std::chrono_literals;

Endpoint ep(const std::string& text) {
  auto e = parse_endpoint(text);
  EXPECT_TRUE(e.ok()) << text;
  return *e;
}

bool wait_readable(int fd, int timeout_ms = 5000) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1;
}

// Accepts one connection within a deadline.
UniqueFd accept_one(const Listener& l) {
  if (!wait_readable(l.fd.get())) return {};
  auto a = accept_connection(l.fd.get(), /*nonblocking=*/false);
  if (!a.ok()) return {};
  return std::move(a->fd);
}

// Reads until EOF (blocking fd), bounded by a deadline per read.
std::string read_to_eof(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    if (!wait_readable(fd)) return out + "<timeout>";
    auto r = read_some(fd, buf, sizeof(buf));
    if (!r.ok() || r->status == IoStatus::kEof) return out;
    out.append(buf, r->bytes);
  }
}

std::string unique_unix_path(const char* tag) {
  static int counter = 0;
  return fmt::format("/tmp/tcpkit-net-test-{}-{}-{}.sock", ::getpid(), tag, ++counter);
}

struct Pair {
  UniqueFd a, b;
};
Pair socket_pair() {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

TEST(ReadWrite, PartialWritesAndWouldBlockAreValues) {
  Pair p = socket_pair();
  int small = 4096;
  ASSERT_EQ(::setsockopt(p.a.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
  ASSERT_TRUE(set_nonblocking(p.a.get(), true).ok());
  ASSERT_TRUE(set_nonblocking(p.b.get(), true).ok());
  std::string payload(1 << 20, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 31 + 7);

  auto first = write_some(p.a.get(), payload.data(), payload.size());
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_EQ(first->status, IoStatus::kOk);
  EXPECT_GT(first->bytes, 0u);
  EXPECT_LT(first->bytes, payload.size()) << "a small SO_SNDBUF must force a partial write";
  std::size_t sent = first->bytes;
  // Keep writing until the kernel says would-block: a value, not an error.
  IoOutcome last;
  for (int i = 0; i < 10000 && sent < payload.size(); ++i) {
    auto r = write_some(p.a.get(), payload.data() + sent, payload.size() - sent);
    ASSERT_TRUE(r.ok()) << r.error().message();
    last = *r;
    if (r->status == IoStatus::kWouldBlock) break;
    sent += r->bytes;
  }
  ASSERT_EQ(last.status, IoStatus::kWouldBlock);
  EXPECT_EQ(last.bytes, 0u);

  // The reader side of an empty non-blocking socket would block too.
  Pair q = socket_pair();
  ASSERT_TRUE(set_nonblocking(q.b.get(), true).ok());
  char c;
  auto empty = read_some(q.b.get(), &c, 1);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->status, IoStatus::kWouldBlock);

  // Drain and finish, interleaving both directions until every byte arrived intact.
  std::string received;
  char buf[65536];
  for (int i = 0; i < 100000 && received.size() < payload.size(); ++i) {
    auto r = read_some(p.b.get(), buf, sizeof(buf));
    ASSERT_TRUE(r.ok());
    ASSERT_NE(r->status, IoStatus::kEof);
    if (r->status == IoStatus::kOk) received.append(buf, r->bytes);
    if (sent < payload.size()) {
      auto w = write_some(p.a.get(), payload.data() + sent, payload.size() - sent);
      ASSERT_TRUE(w.ok());
      sent += w->bytes;
    }
    if (r->status == IoStatus::kWouldBlock) wait_readable(p.b.get(), 1000);
  }
  EXPECT_EQ(received.size(), payload.size());
  EXPECT_TRUE(received == payload);
}

TEST(ReadWrite, EofIsAValue) {
  Pair p = socket_pair();
  ASSERT_TRUE(write_all(p.a.get(), "last words").ok());
  p.a.reset();
  EXPECT_EQ(read_to_eof(p.b.get()), "last words");
  char c;
  auto again = read_some(p.b.get(), &c, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, IoStatus::kEof);
  EXPECT_EQ(again->bytes, 0u);
}

TEST(ReadWrite, WritingToAClosedPeerIsAnErrorNotSigpipe) {
  Pair p = socket_pair();
  const int fd = p.a.get();
  p.b.reset();
  auto r = write_some(fd, "x", 1);  // MSG_NOSIGNAL: the test process survives
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), std::error_code(EPIPE, std::system_category()));
  EXPECT_EQ(r.error().message(), fmt::format("write fd {}: Broken pipe", fd));
}

TEST(ReadWrite, WriteSomeWorksOnPipes) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd r(fds[0]), w(fds[1]);
  auto out = write_some(w.get(), "pipe", 4);
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(out->bytes, 4u);
  w.reset();
  EXPECT_EQ(read_to_eof(r.get()), "pipe");
}

TEST(Listen, PortZeroGivesARealPort) {
  auto l = listen_on(ep("127.0.0.1:0"));
  ASSERT_TRUE(l.ok()) << l.error().message();
  EXPECT_NE(l->local.port(), 0);
  EXPECT_EQ(l->endpoint.port, l->local.port());
  EXPECT_EQ(l->local.to_string(), fmt::format("127.0.0.1:{}", l->local.port()));
  EXPECT_EQ(l->endpoint.to_string(), l->local.to_string());
  // Non-blocking by default: accept with nothing pending is an empty Accepted, not an error.
  auto none = accept_connection(l->fd.get(), true);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->fd.valid());
}

TEST(Listen, AddressInUseHasTheExactMessage) {
  auto first = listen_on(ep("127.0.0.1:0"));
  ASSERT_TRUE(first.ok());
  const auto port = first->local.port();
  auto second = listen_on(ep(fmt::format("127.0.0.1:{}", port)));  // SO_REUSEADDR is on
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), std::error_code(EADDRINUSE, std::system_category()));
  EXPECT_EQ(second.error().message(),
            fmt::format("bind 127.0.0.1:{}: Address already in use", port));
}

TEST(Listen, ReusePortLetsTwoSocketsShareAPort) {
  ListenOptions o;
  o.reuse_port = true;
  auto first = listen_on(ep("127.0.0.1:0"), o);
  ASSERT_TRUE(first.ok());
  auto second = listen_on(ep(fmt::format("127.0.0.1:{}", first->local.port())), o);
  ASSERT_TRUE(second.ok()) << second.error().message();
}

TEST(Connect, RefusedHasTheExactMessage) {
  // A bound socket that does not listen reserves a port nobody accepts on.
  auto reserved = listen_on(ep("127.0.0.1:0"), ListenOptions{.socktype = SOCK_DGRAM});
  ASSERT_TRUE(reserved.ok());
  const auto port = reserved->local.port();
  auto c = connect_to(ep(fmt::format("127.0.0.1:{}", port)), 2000ms);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), std::error_code(ECONNREFUSED, std::system_category()));
  EXPECT_EQ(c.error().message(), fmt::format("connect 127.0.0.1:{}: Connection refused", port));
}

TEST(Connect, TimesOutWhenTheBacklogIsFull) {
  // Backlog 0 with nobody accepting: once the queue is full, Linux drops new SYNs, so a
  // connect neither succeeds nor fails until our deadline.
  auto l = listen_on(ep("127.0.0.1:0"), ListenOptions{.backlog = 0});
  ASSERT_TRUE(l.ok());
  const std::string where = fmt::format("127.0.0.1:{}", l->local.port());
  std::vector<UniqueFd> fillers;
  for (int i = 0; i < 4; ++i) {
    UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    (void)::connect(s.get(), l->local.get(), l->local.length());
    fillers.push_back(std::move(s));
  }
  const auto start = std::chrono::steady_clock::now();
  auto c = connect_to(ep(where), 200ms);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message(), "connect " + where + ": Connection timed out");
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 3000ms);
}

TEST(Connect, ShutdownWriteGivesThePeerEofAndKeepsReading) {
  auto l = listen_on(ep("127.0.0.1:0"));
  ASSERT_TRUE(l.ok());
  auto c = connect_to(l->endpoint, 2000ms);
  ASSERT_TRUE(c.ok()) << c.error().message();
  UniqueFd server = accept_one(*l);
  ASSERT_TRUE(server.valid());
  auto peer = peer_address(c->get());
  ASSERT_TRUE(peer.ok());
  EXPECT_EQ(peer->to_string(), l->local.to_string());
  ASSERT_TRUE(write_all(c->get(), "question").ok());
  ASSERT_TRUE(shutdown_write(c->get()).ok());
  EXPECT_EQ(read_to_eof(server.get()), "question");
  // The other direction still works after our half-close.
  ASSERT_TRUE(write_all(server.get(), "answer").ok());
  server.reset();
  EXPECT_EQ(read_to_eof(c->get()), "answer");
}

TEST(Connect, Ipv6Loopback) {
  auto l = listen_on(ep("[::1]:0"));
  if (!l.ok()) GTEST_SKIP() << "no IPv6 loopback: " << l.error().message();
  EXPECT_EQ(l->local.family(), AF_INET6);
  EXPECT_EQ(l->local.to_string(), fmt::format("[::1]:{}", l->local.port()));
  auto c = connect_to(l->endpoint, 2000ms);
  ASSERT_TRUE(c.ok()) << c.error().message();
  UniqueFd server = accept_one(*l);
  ASSERT_TRUE(server.valid());
  ASSERT_TRUE(write_all(c->get(), "v6").ok());
  ASSERT_TRUE(shutdown_write(c->get()).ok());
  EXPECT_EQ(read_to_eof(server.get()), "v6");
}

TEST(Unix, PathListenerServesAndReportsItsAddress) {
  const std::string path = unique_unix_path("path");
  auto l = listen_on(ep("unix:" + path));
  ASSERT_TRUE(l.ok()) << l.error().message();
  EXPECT_EQ(l->local.to_string(), "unix:" + path);
  EXPECT_EQ(l->endpoint.to_string(), "unix:" + path);
  auto c = connect_to(l->endpoint, 2000ms);
  ASSERT_TRUE(c.ok()) << c.error().message();
  UniqueFd server = accept_one(*l);
  ASSERT_TRUE(server.valid());
  ASSERT_TRUE(write_all(c->get(), "over unix").ok());
  ASSERT_TRUE(shutdown_write(c->get()).ok());
  EXPECT_EQ(read_to_eof(server.get()), "over unix");
  ::unlink(path.c_str());
}

TEST(Unix, AbstractListenerLeavesNoFile) {
  const std::string name = fmt::format("tcpkit-net-test-{}", ::getpid());
  auto l = listen_on(ep("unix:@" + name));
  ASSERT_TRUE(l.ok()) << l.error().message();
  EXPECT_EQ(l->local.to_string(), "unix:@" + name);
  auto c = connect_to(l->endpoint, 2000ms);
  ASSERT_TRUE(c.ok()) << c.error().message();
  UniqueFd server = accept_one(*l);
  ASSERT_TRUE(server.valid());
  struct stat st {};
  EXPECT_NE(::lstat(name.c_str(), &st), 0);
  // A second listener on the same abstract name is refused.
  auto again = listen_on(ep("unix:@" + name));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message(), "bind unix:@" + name + ": Address already in use");
}

TEST(Unix, StaleSocketFileIsRemovedLiveOneIsNot) {
  const std::string path = unique_unix_path("stale");
  {
    // A server that died without unlinking its socket file.
    UniqueFd dead(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    path.copy(un.sun_path, sizeof(un.sun_path) - 1);
    ASSERT_EQ(::bind(dead.get(), reinterpret_cast<sockaddr*>(&un), sizeof(un)), 0);
    ASSERT_EQ(::listen(dead.get(), 1), 0);
  }
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  auto l = listen_on(ep("unix:" + path));
  ASSERT_TRUE(l.ok()) << l.error().message();
  // Now the file belongs to a live listener: a second server must not steal it.
  auto second = listen_on(ep("unix:" + path));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message(), "bind unix:" + path + ": Address already in use");
  auto c = connect_to(l->endpoint, 2000ms);
  EXPECT_TRUE(c.ok()) << "the live listener still owns its file";
  ::unlink(path.c_str());
}

// A Unix listener whose backlog is full makes a non-blocking connect fail with EAGAIN (there
// is no "in progress" for Unix sockets). That must be an error, not a socket that looks
// connected and is not.
TEST(Unix, FullBacklogIsAnErrorNotAFakeConnection) {
  const std::string path = unique_unix_path("full");
  auto l = listen_on(ep("unix:" + path), ListenOptions{.backlog = 0});
  ASSERT_TRUE(l.ok());
  std::vector<UniqueFd> fillers;
  for (int i = 0; i < 4; ++i) {
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    (void)::connect(s.get(), l->local.get(), l->local.length());
    fillers.push_back(std::move(s));
  }
  auto c = connect_to(l->endpoint, 200ms);
  if (c.ok()) {
    auto peer = peer_address(c->get());
    ASSERT_TRUE(peer.ok()) << "connect_to returned an unconnected socket";
  }
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message(), "connect unix:" + path + ": Resource temporarily unavailable");
  ::unlink(path.c_str());
}

TEST(Unix, RegularFileInTheWayIsNotRemoved) {
  const std::string path = unique_unix_path("file");
  UniqueFd f(::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
  ASSERT_TRUE(f.valid());
  auto l = listen_on(ep("unix:" + path));
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().message(), "bind unix:" + path + ": Address already in use");
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0);
  ::unlink(path.c_str());
}

TEST(Datagram, UdpSendToAndReceiveFrom) {
  auto server = listen_on(ep("127.0.0.1:0"), ListenOptions{.socktype = SOCK_DGRAM});
  ASSERT_TRUE(server.ok()) << server.error().message();
  auto client = connect_to(server->endpoint, 1000ms, SOCK_DGRAM);
  ASSERT_TRUE(client.ok()) << client.error().message();
  ASSERT_TRUE(write_all(client->get(), "ping").ok());
  ASSERT_TRUE(wait_readable(server->fd.get()));
  char buf[64];
  auto d = receive_from(server->fd.get(), buf, sizeof(buf));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(std::string(buf, d->bytes), "ping");
  auto mine = local_address(client->get());
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(d->from.to_string(), mine->to_string());
  auto sent = send_to(server->fd.get(), "pong", d->from);
  ASSERT_TRUE(sent.ok());
  ASSERT_TRUE(wait_readable(client->get()));
  auto r = read_some(client->get(), buf, sizeof(buf));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(buf, r->bytes), "pong");
  // Nothing more: would-block is a value.
  auto none = receive_from(server->fd.get(), buf, sizeof(buf));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status, IoStatus::kWouldBlock);
}

TEST(Datagram, UnixDatagramClientGetsReplies) {
  const std::string path = unique_unix_path("dgram");
  auto server = listen_on(ep("unix:" + path), ListenOptions{.socktype = SOCK_DGRAM});
  ASSERT_TRUE(server.ok()) << server.error().message();
  auto client = connect_to(server->endpoint, 1000ms, SOCK_DGRAM);
  ASSERT_TRUE(client.ok()) << client.error().message();
  ASSERT_TRUE(write_all(client->get(), "hello").ok());
  ASSERT_TRUE(wait_readable(server->fd.get()));
  char buf[64];
  auto d = receive_from(server->fd.get(), buf, sizeof(buf));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(std::string(buf, d->bytes), "hello");
  EXPECT_TRUE(d->from.to_string().starts_with("unix:@")) << d->from.to_string();
  ASSERT_TRUE(send_to(server->fd.get(), "back", d->from).ok());
  ASSERT_TRUE(wait_readable(client->get()));
  auto r = read_some(client->get(), buf, sizeof(buf));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(buf, r->bytes), "back");
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace tcpkit::net
