#include "clients.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "tcpkit/net/socket.hpp"

namespace tcpkit::testing {

namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc < 0 && errno == EINTR) continue;
    return rc == 1;
  }
}

}  // namespace

UniqueFd connect_stream(const std::string& address, Millis timeout) {
  auto ep = net::parse_endpoint(address);
  if (!ep) return {};
  auto fd = net::connect_to(*ep, timeout);
  if (!fd) return {};
  return std::move(*fd);
}

bool send_all(int fd, std::string_view data, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!data.empty()) {
    if (!wait_for(fd, POLLOUT, deadline)) return false;
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string read_exactly(int fd, std::size_t n, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string out;
  char buf[65536];
  while (out.size() < n) {
    if (!wait_for(fd, POLLIN, deadline)) break;
    ssize_t r = ::recv(fd, buf, std::min(sizeof(buf), n - out.size()), MSG_DONTWAIT);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (r <= 0) break;
    out.append(buf, static_cast<std::size_t>(r));
  }
  return out;
}

Drained read_until_end(int fd, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  Drained d;
  char buf[65536];
  for (;;) {
    if (!wait_for(fd, POLLIN, deadline)) return d;
    ssize_t r = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (r == 0) {
      d.end = ReadEnd::kEof;
      return d;
    }
    if (r < 0) {
      d.end = ReadEnd::kReset;
      return d;
    }
    d.data.append(buf, static_cast<std::size_t>(r));
  }
}

ReadEnd wait_for_close(int fd, Millis timeout) {
  Drained d = read_until_end(fd, timeout);
  if (!d.data.empty()) return ReadEnd::kTimeout;
  return d.end;
}

bool stays_silent(int fd, Millis window) {
  pollfd p{fd, POLLIN, 0};
  for (;;) {
    int rc = ::poll(&p, 1, static_cast<int>(window.count()));
    if (rc < 0 && errno == EINTR) continue;
    return rc == 0;
  }
}

void reset_connection(UniqueFd& fd) {
  linger l{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  fd.reset();
}

std::string random_payload(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(size, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

namespace {

struct EchoClient {
  UniqueFd fd;
  const std::string* payload = nullptr;
  std::size_t sent = 0;
  bool connected = false;
  bool shut = false;
  bool done = false;
  bool failed = false;
  std::string received;
};

bool start_connect(EchoClient& c, const net::SocketAddress& addr) {
  c.fd.reset(::socket(addr.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!c.fd) return false;
  int rc = ::connect(c.fd.get(), addr.get(), addr.length());
  if (rc == 0) c.connected = true;
  return rc == 0 || errno == EINPROGRESS || errno == EAGAIN;
}

// One step for a ready client: finish connecting, write, half-close, read.
void step(EchoClient& c, short revents) {
  if (!c.connected && (revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      c.failed = true;
      return;
    }
    c.connected = true;
  }
  if (!c.connected) return;
  while (c.sent < c.payload->size()) {
    ssize_t n =
        ::send(c.fd.get(), c.payload->data() + c.sent, c.payload->size() - c.sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN && errno != EINTR) c.failed = true;
      break;
    }
    c.sent += static_cast<std::size_t>(n);
  }
  if (!c.failed && !c.shut && c.sent == c.payload->size()) {
    ::shutdown(c.fd.get(), SHUT_WR);
    c.shut = true;
  }
  char buf[65536];
  for (int i = 0; i < 16 && !c.failed; ++i) {
    ssize_t r = ::recv(c.fd.get(), buf, sizeof(buf), 0);
    if (r > 0) {
      c.received.append(buf, static_cast<std::size_t>(r));
      continue;
    }
    if (r == 0) c.done = true;
    if (r < 0 && errno != EAGAIN && errno != EINTR) c.failed = true;
    break;
  }
}

}  // namespace

std::vector<std::optional<std::string>> echo_many(const std::string& address,
                                                  const std::vector<std::string>& payloads,
                                                  Millis timeout) {
  std::vector<std::optional<std::string>> out(payloads.size());
  auto ep = net::parse_endpoint(address);
  if (!ep) return out;
  auto addrs = net::resolve(*ep, false);
  if (!addrs || addrs->empty()) return out;
  const net::SocketAddress addr = addrs->front();
  std::vector<EchoClient> clients(payloads.size());
  for (std::size_t i = 0; i < clients.size(); ++i) {
    clients[i].payload = &payloads[i];
    if (!start_connect(clients[i], addr)) clients[i].failed = true;
  }
  const auto deadline = Clock::now() + timeout;
  std::vector<pollfd> fds;
  std::vector<std::size_t> index;
  for (;;) {
    fds.clear();
    index.clear();
    for (std::size_t i = 0; i < clients.size(); ++i) {
      EchoClient& c = clients[i];
      if (c.done || c.failed) continue;
      short events = POLLIN;
      if (!c.connected || c.sent < c.payload->size()) events |= POLLOUT;
      fds.push_back({c.fd.get(), events, 0});
      index.push_back(i);
    }
    if (fds.empty()) break;
    int rc = ::poll(fds.data(), fds.size(), remaining_ms(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) break;  // deadline: the unfinished ones count as failed
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents != 0) step(clients[index[k]], fds[k].revents);
    }
  }
  for (std::size_t i = 0; i < clients.size(); ++i) {
    if (clients[i].done && !clients[i].failed) out[i] = std::move(clients[i].received);
  }
  return out;
}

}  // namespace tcpkit::testing
