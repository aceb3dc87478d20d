#pragma once
// The socket lifecycle, one small wrapper per syscall (as Redis's anet.c):
//
//   server: socket → setsockopt(SO_REUSEADDR) → bind → listen → accept → read/write → close
//   client: socket → connect → send/recv → shutdown(SHUT_WR) → close
//
// Every failure is an Error naming the call and the address: "bind 127.0.0.1:7000: Address
// already in use". Would-block and EOF are values (IoStatus), not errors. EINTR is retried.
// Only this layer calls socket, bind, listen, connect and setsockopt; the concurrency models
// call accept_connection, read_some and write_some from here too, so --trace sees everything.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "tcpkit/base/result.hpp"
#include "tcpkit/base/unique_fd.hpp"
#include "tcpkit/net/address.hpp"

namespace tcpkit::net {

struct ListenOptions {
  int backlog = 4096;
  bool reuse_address = true;  // SO_REUSEADDR: rebind at once after a restart
  bool reuse_port = false;    // SO_REUSEPORT: several sockets share the port (reactors)
  bool nonblocking = true;
  int socktype = SOCK_STREAM;  // SOCK_DGRAM binds a UDP / Unix datagram socket (no listen)
  int unix_mode = -1;          // chmod for a unix:/path socket file after bind; -1 = umask's
};

// A bound (and for streams, listening) socket and the address it really has (port 0 resolved).
struct Listener {
  UniqueFd fd;
  SocketAddress local;
  Endpoint endpoint;  // as asked, with the real port filled in
};

// Resolves, binds and listens. For ":port" binds the IPv6 wildcard with IPV6_V6ONLY off (dual
// stack). A stale Unix socket file nobody listens on is removed first; a live one is an error.
Result<Listener> listen_on(const Endpoint& endpoint, const ListenOptions& options = {});

enum class IoStatus { kOk, kWouldBlock, kEof };

struct IoOutcome {
  IoStatus status = IoStatus::kOk;
  std::size_t bytes = 0;
};

struct Accepted {
  UniqueFd fd;  // invalid when the accept would block
  SocketAddress peer;
};

// accept4 with SOCK_CLOEXEC, plus SOCK_NONBLOCK when `nonblocking`; TCP connections get
// TCP_NODELAY, as Redis sets it. An empty Accepted (invalid
// fd) means would-block or a connection that vanished before accept (ECONNABORTED). EMFILE and
// ENFILE are Errors; the caller backs off.
Result<Accepted> accept_connection(int listen_fd, bool nonblocking);

// One read(2). kEof at end of stream; kWouldBlock on EAGAIN.
Result<IoOutcome> read_some(int fd, char* data, std::size_t size);
// One send(2) with MSG_NOSIGNAL (write(2) for non-sockets): may write less than asked.
Result<IoOutcome> write_some(int fd, const char* data, std::size_t size);
// Blocking helper: writes everything (loops over partial writes). For blocking fds only.
Result<void> write_all(int fd, std::string_view data);

// Connects to the first address of `endpoint` that accepts, within `timeout` per address
// (zero = the kernel's own timeout). Returns a blocking socket with TCP_NODELAY for TCP.
// Errors: "connect 127.0.0.1:7000: Connection refused", "connect ...: Connection timed out".
Result<UniqueFd> connect_to(const Endpoint& endpoint,
                            std::chrono::milliseconds timeout = std::chrono::milliseconds(0),
                            int socktype = SOCK_STREAM);

Result<void> shutdown_write(int fd);
// Bytes written to `fd` that the peer has not acknowledged yet (TCP: unsent + unacked; Unix:
// not yet read by the peer). 0 when the query fails. Lets a closing side wait until closing
// can no longer destroy data in flight.
std::size_t unacknowledged_bytes(int fd);
Result<void> shutdown_read(int fd);
// Closes and traces "close(fd N)".
void close_fd(UniqueFd& fd);

Result<void> set_nonblocking(int fd, bool on);
Result<void> set_nodelay(int fd);
// The address the socket is bound to / connected to.
Result<SocketAddress> local_address(int fd);
Result<SocketAddress> peer_address(int fd);

// Datagrams (UDP, Unix datagram): one recvfrom / sendto.
struct Datagram {
  IoStatus status = IoStatus::kOk;
  std::size_t bytes = 0;
  SocketAddress from;
};
Result<Datagram> receive_from(int fd, char* data, std::size_t size);
Result<IoOutcome> send_to(int fd, std::string_view data, const SocketAddress& to);

}  // namespace tcpkit::net
