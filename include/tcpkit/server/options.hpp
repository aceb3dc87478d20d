#pragma once
// ServerOptions: everything `tcpkit serve` can be told, shared by every concurrency model.
// Every limit below is per connection unless it says otherwise; docs/architecture.md lists each
// one with its default and what a client sees when it hits it.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tcpkit::server {

// The ladder of concurrency models (see docs/architecture.md).
enum class Model { kIterative, kFork, kThread, kEpoll, kReactors };

std::string_view to_string(Model model);
std::optional<Model> parse_model(std::string_view name);

struct ServerOptions {
  std::vector<std::string> listen = {"127.0.0.1:7000"};  // host:port, [v6]:port, unix:/path ...
  Model model = Model::kEpoll;
  unsigned threads = 0;  // reactors: loops; 0 = one per core
  bool udp = false;      // datagram sockets instead of streams
  int backlog = 4096;
  // Over it a new connection is sent Service::over_capacity_reply() (if any) and closed.
  std::size_t max_connections = 10000;
  std::chrono::milliseconds idle_timeout{0};      // 0 = never close idle connections
  std::chrono::milliseconds drain_timeout{5000};  // graceful shutdown bound
  // Pending output (replies not yet taken by the kernel). At the high-water mark the server
  // stops running this client's requests and reading from it until the output drains below
  // it (backpressure); a session is told how much room is left, so one call overshoots by at
  // most one reply. Past output_limit (hard) the client is disconnected at once; above
  // output_soft_limit for output_soft_seconds in a row, too (Redis's
  // client-output-buffer-limit). 0 turns a limit off.
  std::size_t output_high_water = 1u << 20;
  std::size_t output_limit = 64u << 20;
  std::size_t output_soft_limit = 16u << 20;
  std::chrono::seconds output_soft_seconds{60};
  // Unconsumed input a session may leave (a request still arriving), checked as each read
  // arrives; past it, disconnect (Redis's client-query-buffer-limit).
  std::size_t input_limit = 1u << 30;
  // Permissions of the Unix socket files created for unix:/path listeners (e.g. 0700);
  // nullopt leaves them to the umask.
  std::optional<mode_t> unix_mode;
  bool verbose = false;

  // The number of reactor loops this configuration runs.
  unsigned loop_count() const;
};

}  // namespace tcpkit::server
