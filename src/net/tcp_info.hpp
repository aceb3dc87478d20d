#pragma once
// What the kernel knows of a TCP connection, in words, for --trace (net-internal).

#include <string>

namespace tcpkit::net {

// "TCP ESTABLISHED, rtt 0.031 ms (±0.015), retransmits 0, bytes acked 12, received 12" for a
// TCP socket (getsockopt TCP_INFO); "" for any other socket or when the kernel says nothing.
std::string describe_tcp_info(int fd);

}  // namespace tcpkit::net
