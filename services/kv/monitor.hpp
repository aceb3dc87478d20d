#pragma once
// Monitors: the clients in MONITOR mode, and the feed they get — every command run by any
// client, after it ran, as redis-server formats it:
//
//   +1700000000.123456 [0 127.0.0.1:50890] "set" "k" "v\n"
//
// (the time, the database after the command, the client's address, each argument quoted with
// Redis's escapes). Administrative commands and scripts' own calls (flagged admin or
// skip_monitor in Redis's COMMAND INFO) are not shown, as in Redis. A line reaches a monitor
// through its connection's outlet, under the outlet's limits.
//
// Thread-safe: a mutex guards the list; any() is one relaxed load, so a server with no monitor
// pays nothing else per command.

#include <atomic>
#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tcpkit::kv {

struct ClientState;
struct CommandSpec;

class Monitors {
 public:
  void add(ClientState& client);
  void remove(const ClientState& client);
  bool any() const { return count_.load(std::memory_order_relaxed) > 0; }
  // Feeds `args`, run by `client` as the command `full_name` ("get", "client|list"), to every
  // monitor.
  void feed(const ClientState& client, std::string_view full_name,
            std::span<const std::string_view> args);

 private:
  std::mutex mutex_;
  std::vector<ClientState*> monitors_;
  std::atomic<std::size_t> count_{0};
};

}  // namespace tcpkit::kv
