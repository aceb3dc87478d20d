// TCP_INFO in words (see tcp_info.hpp). linux/tcp.h, not glibc's netinet/tcp.h: only the
// kernel's struct has the byte counters; the two headers cannot share a file.

#include "tcp_info.hpp"

#include <fmt/format.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace tcpkit::net {

namespace {

const char* state_name(unsigned state) {
  static constexpr const char* kNames[] = {"?",          "ESTABLISHED", "SYN_SENT",  "SYN_RECV",
                                           "FIN_WAIT1",  "FIN_WAIT2",   "TIME_WAIT", "CLOSE",
                                           "CLOSE_WAIT", "LAST_ACK",    "LISTEN",    "CLOSING"};
  return state < std::size(kNames) ? kNames[state] : "?";
}

}  // namespace

std::string describe_tcp_info(int fd) {
  int type = 0;
  socklen_t type_len = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 || type != SOCK_STREAM) {
    return {};
  }
  int domain = 0;
  socklen_t domain_len = sizeof domain;
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &domain_len) != 0 ||
      (domain != AF_INET && domain != AF_INET6)) {
    return {};
  }
  tcp_info info{};
  socklen_t len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return {};
  return fmt::format(
      "TCP {}, rtt {:.3f} ms (±{:.3f}), retransmits {} (total {}), bytes acked {}, received {} "
      "(the kernel's counts: a SYN or FIN counts one)",
      state_name(info.tcpi_state), info.tcpi_rtt / 1000.0, info.tcpi_rttvar / 1000.0,
      info.tcpi_retransmits, info.tcpi_total_retrans, info.tcpi_bytes_acked,
      info.tcpi_bytes_received);
}

}  // namespace tcpkit::net
