#pragma once
// Test clients for the integration suites: blocking helpers with deadlines for one
// connection, and a poll-driven driver that runs many non-blocking echo conversations from
// one thread (each client writes its payload, half-closes, reads until EOF).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/base/unique_fd.hpp"

namespace tcpkit::testing {

using Millis = std::chrono::milliseconds;

// Connects to "127.0.0.1:port", "[::1]:port" or "unix:/path" (blocking fd); invalid on failure.
UniqueFd connect_stream(const std::string& address, Millis timeout = Millis(5000));
// Sends everything (blocking, bounded).
bool send_all(int fd, std::string_view data, Millis timeout = Millis(10000));
// Reads exactly `n` bytes, or what arrived before EOF/error/deadline.
std::string read_exactly(int fd, std::size_t n, Millis timeout = Millis(10000));

enum class ReadEnd { kEof, kReset, kTimeout };
struct Drained {
  std::string data;
  ReadEnd end = ReadEnd::kTimeout;
};
// Reads until EOF (or a reset, or the deadline).
Drained read_until_end(int fd, Millis timeout = Millis(10000));
// True when the peer closed (EOF or reset) within `timeout`, without any data arriving.
ReadEnd wait_for_close(int fd, Millis timeout);
// True when nothing at all (no data, no EOF) arrives within `window`.
bool stays_silent(int fd, Millis window);

// Closes with SO_LINGER 0: the peer gets a RST.
void reset_connection(UniqueFd& fd);

// Random bytes, reproducible from the seed.
std::string random_payload(std::size_t size, unsigned seed);

// Runs one echo conversation per payload, all at once from this thread: connect (non-blocking),
// write the payload, shutdown(SHUT_WR), read until EOF. Returns, per client, what came back;
// an entry is nullopt when that client failed (connect error, reset, deadline).
std::vector<std::optional<std::string>> echo_many(const std::string& address,
                                                  const std::vector<std::string>& payloads,
                                                  Millis timeout = Millis(30000));

}  // namespace tcpkit::testing
