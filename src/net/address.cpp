#include "tcpkit/net/address.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <charconv>
#include <cstring>
#include <memory>

namespace tcpkit::net {

namespace {

constexpr std::string_view kUnixPrefix = "unix:";

class AddressCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "address"; }
  std::string message(int code) const override {
    switch (static_cast<AddressErrc>(code)) {
      case AddressErrc::kEmpty:
        return "empty address";
      case AddressErrc::kMissingPort:
        return "missing port (expected host:port, [v6]:port or :port)";
      case AddressErrc::kBadPort:
        return "port must be a number from 0 to 65535";
      case AddressErrc::kBadBrackets:
        return "unbalanced brackets around an IPv6 address";
      case AddressErrc::kEmptyPath:
        return "empty Unix socket path";
      case AddressErrc::kPathTooLong:
        return "Unix socket path too long (107 bytes at most)";
    }
    return "bad address";
  }
};

class ResolverCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "getaddrinfo"; }
  std::string message(int code) const override { return gai_strerror(code); }
};

Fail bad(std::string_view text, AddressErrc code) {
  return Fail(Error(code, fmt::format("address '{}'", text)));
}

Result<std::uint16_t> parse_port(std::string_view text, std::string_view port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return bad(text, AddressErrc::kBadPort);
  }
  return static_cast<std::uint16_t>(value);
}

Result<Endpoint> parse_unix(std::string_view text) {
  Endpoint ep;
  std::string_view rest = text.substr(kUnixPrefix.size());
  if (!rest.empty() && rest.front() == '@') {
    ep.kind = EndpointKind::kUnixAbstract;
    rest.remove_prefix(1);
  } else {
    ep.kind = EndpointKind::kUnixPath;
  }
  if (rest.empty()) return bad(text, AddressErrc::kEmptyPath);
  // sun_path holds 108 bytes; a path needs its NUL, an abstract name needs the leading NUL.
  if (rest.size() > sizeof(sockaddr_un::sun_path) - 1) return bad(text, AddressErrc::kPathTooLong);
  ep.path = std::string(rest);
  return ep;
}

}  // namespace

const std::error_category& address_category() {
  static const AddressCategory category;
  return category;
}

const std::error_category& resolver_category() {
  static const ResolverCategory category;
  return category;
}

std::string Endpoint::to_string() const {
  switch (kind) {
    case EndpointKind::kUnixPath:
      return "unix:" + path;
    case EndpointKind::kUnixAbstract:
      return "unix:@" + path;
    case EndpointKind::kInet:
      break;
  }
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

Result<Endpoint> parse_endpoint(std::string_view text) {
  if (text.empty()) return bad(text, AddressErrc::kEmpty);
  if (text.starts_with(kUnixPrefix)) return parse_unix(text);
  Endpoint ep;
  std::string_view port;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return bad(text, AddressErrc::kBadBrackets);
    ep.host = std::string(text.substr(1, close - 1));
    if (ep.host.empty()) return bad(text, AddressErrc::kBadBrackets);
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return bad(text, AddressErrc::kMissingPort);
    }
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad(text, AddressErrc::kMissingPort);
    // A bare IPv6 literal such as ::1:80 is ambiguous; brackets are required.
    if (text.substr(0, colon).find(':') != std::string_view::npos) {
      return bad(text, AddressErrc::kBadBrackets);
    }
    ep.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  auto parsed = parse_port(text, port);
  if (!parsed) return Fail(parsed.error());
  ep.port = *parsed;
  return ep;
}

SocketAddress::SocketAddress(const sockaddr* addr, socklen_t len) : length_(len) {
  std::memcpy(&storage_, addr, std::min<std::size_t>(len, sizeof(storage_)));
}

std::uint16_t SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (family() == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  }
  return 0;
}

bool SocketAddress::is_local() const {
  if (family() == AF_UNIX) return true;
  if (family() == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&storage_);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (family() == AF_INET6) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&a)) return true;
    return IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127;
  }
  return false;
}

std::string SocketAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&storage_);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    return fmt::format("{}:{}", text, port());
  }
  if (family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    return fmt::format("[{}]:{}", text, port());
  }
  if (family() == AF_UNIX) {
    const auto* un = reinterpret_cast<const sockaddr_un*>(&storage_);
    const auto path_len =
        length_ > offsetof(sockaddr_un, sun_path) ? length_ - offsetof(sockaddr_un, sun_path) : 0;
    if (path_len == 0) return "unix:";
    if (un->sun_path[0] == '\0') return "unix:@" + std::string(un->sun_path + 1, path_len - 1);
    return "unix:" + std::string(un->sun_path, strnlen(un->sun_path, path_len));
  }
  return fmt::format("family-{}", family());
}

namespace {

SocketAddress unix_address(const Endpoint& endpoint) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::size_t offset = endpoint.kind == EndpointKind::kUnixAbstract ? 1 : 0;
  std::memcpy(un.sun_path + offset, endpoint.path.data(), endpoint.path.size());
  auto len = offsetof(sockaddr_un, sun_path) + offset + endpoint.path.size() +
             (endpoint.kind == EndpointKind::kUnixPath ? 1 : 0);
  return SocketAddress(reinterpret_cast<const sockaddr*>(&un), static_cast<socklen_t>(len));
}

}  // namespace

Result<std::vector<SocketAddress>> resolve(const Endpoint& endpoint, bool passive, int socktype) {
  if (endpoint.is_unix()) return std::vector<SocketAddress>{unix_address(endpoint)};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  const std::string port = std::to_string(endpoint.port);
  // An empty host means every interface: prefer the IPv6 wildcard, which is dual stack.
  const char* host = endpoint.host.empty() ? (passive ? "::" : "localhost") : endpoint.host.c_str();
  addrinfo* list = nullptr;
  if (int rc = getaddrinfo(host, port.c_str(), &hints, &list); rc != 0) {
    std::error_code code = rc == EAI_SYSTEM ? std::error_code(errno, std::system_category())
                                            : std::error_code(rc, resolver_category());
    return Fail(Error(code, fmt::format("resolve '{}'", endpoint.to_string())));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(list, freeaddrinfo);
  std::vector<SocketAddress> out;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    out.emplace_back(ai->ai_addr, ai->ai_addrlen);
  }
  return out;
}

}  // namespace tcpkit::net
