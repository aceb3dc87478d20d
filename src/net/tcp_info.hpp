#pragma once
// What the kernel knows of a TCP connection, in words, for --trace (net-internal).

#include <string>

namespace tcpkit::net {

// "TCP ESTABLISHED, rtt 0.031 ms (±0.015), retransmits 0 (total 0), bytes acked 12, received
// 13 (the kernel's counts: a SYN or FIN counts one)" for a TCP socket (getsockopt TCP_INFO:
// tcpi_bytes_acked and tcpi_bytes_received follow the sequence numbers, so a FIN received or
// an active open's SYN adds one); "" for any other socket or when the kernel says nothing.
std::string describe_tcp_info(int fd);

}  // namespace tcpkit::net
