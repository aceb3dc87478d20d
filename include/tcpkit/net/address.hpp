#pragma once
// Addresses as users write them, and as the kernel wants them.
//
//   host:port         127.0.0.1:7000, localhost:7000   (resolved with getaddrinfo)
//   [v6]:port         [::1]:7000
//   :port             every interface, IPv6 and IPv4 (dual stack)
//   unix:/path        a Unix-domain socket file
//   unix:@name        a Linux abstract Unix socket (no file)
//
// Endpoint is the parsed text (syntax only, no system calls); resolve() turns it into
// SocketAddresses. Port 0 asks the kernel for a free port; Listener::local tells which.

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "tcpkit/base/result.hpp"

namespace tcpkit::net {

enum class EndpointKind { kInet, kUnixPath, kUnixAbstract };

struct Endpoint {
  EndpointKind kind = EndpointKind::kInet;
  std::string host;        // kInet: name or literal; empty means every interface
  std::uint16_t port = 0;  // kInet
  std::string path;        // kUnixPath: the file; kUnixAbstract: the name without '@'

  bool is_unix() const { return kind != EndpointKind::kInet; }
  // Back to text, in the form parse_endpoint accepts.
  std::string to_string() const;
};

// Parses the forms above. Errors are in address_category(): "address 'x': missing port".
Result<Endpoint> parse_endpoint(std::string_view text);

// A socket address of any family, with its length, as accept/getsockname return it.
class SocketAddress {
 public:
  SocketAddress() = default;
  SocketAddress(const sockaddr* addr, socklen_t len);

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t length() const { return length_; }
  socklen_t* length_ptr() { return &length_; }
  int family() const { return storage_.ss_family; }
  // 0 for Unix sockets.
  std::uint16_t port() const;
  // True for a peer on this host by construction: 127.0.0.0/8, ::1, ::ffff:127.x, Unix.
  bool is_local() const;
  // "127.0.0.1:7000", "[::1]:7000", "unix:/tmp/s", "unix:@name", or "unix:" when unnamed.
  std::string to_string() const;

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = sizeof(sockaddr_storage);
};

// Resolves an Endpoint with getaddrinfo (AI_PASSIVE when `passive`), for SOCK_STREAM or
// SOCK_DGRAM. Unix endpoints resolve to one sockaddr_un. Errors: "resolve 'host': <gai text>".
Result<std::vector<SocketAddress>> resolve(const Endpoint& endpoint, bool passive,
                                           int socktype = SOCK_STREAM);

// Error categories of this layer: bad address syntax, and getaddrinfo's EAI_* codes.
const std::error_category& address_category();
const std::error_category& resolver_category();

enum class AddressErrc {
  kEmpty = 1,
  kMissingPort,
  kBadPort,
  kBadBrackets,
  kEmptyPath,
  kPathTooLong,
};
inline std::error_code make_error_code(AddressErrc e) {
  return {static_cast<int>(e), address_category()};
}

}  // namespace tcpkit::net

template <>
struct std::is_error_code_enum<tcpkit::net::AddressErrc> : std::true_type {};
