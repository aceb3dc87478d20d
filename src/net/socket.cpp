#include "tcpkit/net/socket.hpp"

#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>

#include "tcp_info.hpp"
#include "tcpkit/net/trace.hpp"

namespace tcpkit::net {

namespace {

const char* socktype_name(int socktype) {
  return socktype == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_STREAM";
}

Result<UniqueFd> open_socket(int family, int socktype) {
  int fd = ::socket(family, socktype | SOCK_CLOEXEC, 0);
  if (fd < 0) return Fail(Error::from_errno("socket"));
  trace("socket({}) = fd {}", socktype_name(socktype), fd);
  return UniqueFd(fd);
}

Result<void> set_option(int fd, int level, int name, int value, const char* label,
                        const std::string& where) {
  if (::setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    return Fail(Error::from_errno(fmt::format("setsockopt {} {}", label, where)));
  }
  trace("setsockopt(fd {}, {}{})", fd, label, value ? "" : " off");
  return {};
}

// A Unix socket file left by a dead server: remove it if nobody accepts on it.
void remove_stale_unix_file(const Endpoint& endpoint, const SocketAddress& addr) {
  struct stat st {};
  if (endpoint.kind != EndpointKind::kUnixPath || ::lstat(endpoint.path.c_str(), &st) != 0 ||
      !S_ISSOCK(st.st_mode)) {
    return;
  }
  int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return;
  const bool live = ::connect(probe, addr.get(), addr.length()) == 0 || errno != ECONNREFUSED;
  ::close(probe);
  if (!live) ::unlink(endpoint.path.c_str());
}

Result<Listener> bind_one(const Endpoint& endpoint, const SocketAddress& addr,
                          const ListenOptions& options) {
  const std::string where = addr.to_string();
  auto fd = open_socket(addr.family(), options.socktype);
  if (!fd) return Fail(fd.error());
  const int s = fd->get();
  if (addr.family() != AF_UNIX) {
    if (options.reuse_address) {
      if (auto r = set_option(s, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR", where); !r) {
        return Fail(r.error());
      }
    }
    if (options.reuse_port) {
      if (auto r = set_option(s, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT", where); !r) {
        return Fail(r.error());
      }
    }
    if (addr.family() == AF_INET6) {
      // Dual stack for the wildcard; an explicit v6 address is v6 only anyway.
      if (auto r = set_option(s, IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY", where); !r) {
        return Fail(r.error());
      }
    }
  } else {
    remove_stale_unix_file(endpoint, addr);
  }
  if (::bind(s, addr.get(), addr.length()) != 0) {
    return Fail(Error::from_errno(fmt::format("bind {}", where)));
  }
  trace("bind(fd {}, {})", s, where);
  if (endpoint.kind == EndpointKind::kUnixPath && options.unix_mode >= 0) {
    if (::chmod(endpoint.path.c_str(), static_cast<mode_t>(options.unix_mode)) != 0) {
      return Fail(Error::from_errno(fmt::format("chmod {} {:o}", where, options.unix_mode)));
    }
    trace("chmod({}, {:o})", endpoint.path, options.unix_mode);
  }
  if (options.socktype == SOCK_STREAM) {
    if (::listen(s, options.backlog) != 0) {
      return Fail(Error::from_errno(fmt::format("listen {}", where)));
    }
    trace("listen(fd {}, backlog {})", s, options.backlog);
  }
  if (options.nonblocking) {
    if (auto r = set_nonblocking(s, true); !r) return Fail(r.error());
  }
  auto local = local_address(s);
  if (!local) return Fail(local.error());
  Listener listener{std::move(*fd), *local, endpoint};
  if (!endpoint.is_unix()) listener.endpoint.port = listener.local.port();
  return listener;
}

}  // namespace

Result<Listener> listen_on(const Endpoint& endpoint, const ListenOptions& options) {
  auto addresses = resolve(endpoint, /*passive=*/true, options.socktype);
  if (!addresses) return Fail(addresses.error());
  Result<Listener> last = Fail(Error(std::make_error_code(std::errc::address_not_available),
                                     "bind " + endpoint.to_string()));
  for (const auto& addr : *addresses) {
    last = bind_one(endpoint, addr, options);
    if (last) return last;
  }
  return last;
}

Result<Accepted> accept_connection(int listen_fd, bool nonblocking) {
  Accepted out;
  int flags = SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0);
  for (;;) {
    int fd = ::accept4(listen_fd, out.peer.get(), out.peer.length_ptr(), flags);
    if (fd >= 0) {
      out.fd.reset(fd);
      trace("accept(fd {}) = fd {} from {}", listen_fd, fd, out.peer.to_string());
      // Replies are written whole, so Nagle's algorithm would only hold them back.
      if (out.peer.family() != AF_UNIX) (void)set_nodelay(fd);
      return out;
    }
    if (errno == EINTR) continue;
    // The peer gave up before we got to it, or nothing is pending: not an error.
    if (errno == EAGAIN || errno == ECONNABORTED || errno == EPROTO) return Accepted{};
    return Fail(Error::from_errno(fmt::format("accept fd {}", listen_fd)));
  }
}

Result<IoOutcome> read_some(int fd, char* data, std::size_t size) {
  for (;;) {
    ssize_t n = ::read(fd, data, size);
    if (n > 0) {
      trace("read(fd {}) = {} bytes", fd, n);
      return IoOutcome{IoStatus::kOk, static_cast<std::size_t>(n)};
    }
    if (n == 0) {
      trace("read(fd {}) = 0 (end of stream)", fd);
      return IoOutcome{IoStatus::kEof, 0};
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return IoOutcome{IoStatus::kWouldBlock, 0};
    return Fail(Error::from_errno(fmt::format("read fd {}", fd)));
  }
}

Result<IoOutcome> write_some(int fd, const char* data, std::size_t size) {
  for (;;) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(fd, data, size);
    if (n >= 0) {
      trace("write(fd {}) = {} bytes", fd, n);
      return IoOutcome{IoStatus::kOk, static_cast<std::size_t>(n)};
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return IoOutcome{IoStatus::kWouldBlock, 0};
    return Fail(Error::from_errno(fmt::format("write fd {}", fd)));
  }
}

Result<void> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    auto r = write_some(fd, data.data(), data.size());
    if (!r) return Fail(r.error());
    if (r->status == IoStatus::kWouldBlock) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    data.remove_prefix(r->bytes);
  }
  return {};
}

namespace {

// Waits for a non-blocking connect to finish; returns 0 or the errno it failed with.
int wait_connected(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLOUT, 0};
  for (;;) {
    int rc = ::poll(&p, 1, timeout.count() > 0 ? static_cast<int>(timeout.count()) : -1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return errno;
    if (rc == 0) return ETIMEDOUT;
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    return err;
  }
}

Result<UniqueFd> connect_one(const SocketAddress& addr, std::chrono::milliseconds timeout,
                             int socktype) {
  const std::string where = addr.to_string();
  auto fd = open_socket(addr.family(), socktype);
  if (!fd) return Fail(fd.error());
  const int s = fd->get();
  if (socktype == SOCK_DGRAM && addr.family() == AF_UNIX) {
    // A Unix datagram client needs an address of its own to get replies: autobind one.
    sa_family_t family = AF_UNIX;
    if (::bind(s, reinterpret_cast<sockaddr*>(&family), sizeof(family)) != 0) {
      return Fail(Error::from_errno("bind (autobind) for " + where));
    }
  }
  if (auto r = set_nonblocking(s, true); !r) return Fail(r.error());
  int rc = ::connect(s, addr.get(), addr.length());
  int err = rc == 0 ? 0 : errno;
  // Only TCP has a connect in progress. A Unix socket says EAGAIN when the listener's
  // backlog is full: nothing will complete later, so that is the answer.
  if (err == EINPROGRESS) err = wait_connected(s, timeout);
  if (err != 0) return Fail(Error::from_errno(err, "connect " + where));
  trace("connect(fd {}, {})", s, where);
  if (auto r = set_nonblocking(s, false); !r) return Fail(r.error());
  if (socktype == SOCK_STREAM && addr.family() != AF_UNIX) (void)set_nodelay(s);
  return fd;
}

}  // namespace

Result<UniqueFd> connect_to(const Endpoint& endpoint, std::chrono::milliseconds timeout,
                            int socktype) {
  auto addresses = resolve(endpoint, /*passive=*/false, socktype);
  if (!addresses) return Fail(addresses.error());
  Result<UniqueFd> last = Fail(
      Error(std::make_error_code(std::errc::host_unreachable), "connect " + endpoint.to_string()));
  for (const auto& addr : *addresses) {
    last = connect_one(addr, timeout, socktype);
    if (last) return last;
  }
  return last;
}

Result<void> shutdown_write(int fd) {
  if (::shutdown(fd, SHUT_WR) != 0) {
    return Fail(Error::from_errno(fmt::format("shutdown fd {} SHUT_WR", fd)));
  }
  trace("shutdown(fd {}, SHUT_WR)", fd);
  return {};
}

std::size_t unacknowledged_bytes(int fd) {
  int queued = 0;
  if (::ioctl(fd, SIOCOUTQ, &queued) != 0 || queued < 0) return 0;
  return static_cast<std::size_t>(queued);
}

Result<void> shutdown_read(int fd) {
  if (::shutdown(fd, SHUT_RD) != 0) {
    return Fail(Error::from_errno(fmt::format("shutdown fd {} SHUT_RD", fd)));
  }
  trace("shutdown(fd {}, SHUT_RD)", fd);
  return {};
}

void close_fd(UniqueFd& fd) {
  if (!fd) return;
  if (tracing()) {
    // TCP's side of the story, for a TCP socket: its state, round-trip time, retransmissions
    // and bytes acknowledged (getsockopt TCP_INFO, tcp_info.cpp; no root needed).
    const std::string tcp = describe_tcp_info(fd.get());
    trace("close(fd {}){}{}", fd.get(), tcp.empty() ? "" : ": ", tcp);
  }
  fd.reset();
}

Result<void> set_nonblocking(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags < 0) return Fail(Error::from_errno(fmt::format("fcntl fd {} F_GETFL", fd)));
  flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (::fcntl(fd, F_SETFL, flags) != 0) {
    return Fail(Error::from_errno(fmt::format("fcntl fd {} F_SETFL", fd)));
  }
  return {};
}

Result<void> set_nodelay(int fd) {
  return set_option(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY", fmt::format("fd {}", fd));
}

Result<SocketAddress> local_address(int fd) {
  SocketAddress addr;
  if (::getsockname(fd, addr.get(), addr.length_ptr()) != 0) {
    return Fail(Error::from_errno(fmt::format("getsockname fd {}", fd)));
  }
  return addr;
}

Result<SocketAddress> peer_address(int fd) {
  SocketAddress addr;
  if (::getpeername(fd, addr.get(), addr.length_ptr()) != 0) {
    return Fail(Error::from_errno(fmt::format("getpeername fd {}", fd)));
  }
  return addr;
}

Result<Datagram> receive_from(int fd, char* data, std::size_t size) {
  Datagram d;
  for (;;) {
    ssize_t n = ::recvfrom(fd, data, size, 0, d.from.get(), d.from.length_ptr());
    if (n >= 0) {
      d.bytes = static_cast<std::size_t>(n);
      trace("recvfrom(fd {}) = {} bytes from {}", fd, n, d.from.to_string());
      return d;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return Datagram{IoStatus::kWouldBlock, 0, {}};
    return Fail(Error::from_errno(fmt::format("recvfrom fd {}", fd)));
  }
}

Result<IoOutcome> send_to(int fd, std::string_view data, const SocketAddress& to) {
  for (;;) {
    ssize_t n = ::sendto(fd, data.data(), data.size(), MSG_NOSIGNAL, to.get(), to.length());
    if (n >= 0) {
      trace("sendto(fd {}, {}) = {} bytes", fd, to.to_string(), n);
      return IoOutcome{IoStatus::kOk, static_cast<std::size_t>(n)};
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return IoOutcome{IoStatus::kWouldBlock, 0};
    return Fail(Error::from_errno(fmt::format("sendto fd {} {}", fd, to.to_string())));
  }
}

}  // namespace tcpkit::net
