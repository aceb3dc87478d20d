#pragma once
// ServerOptions: everything `tcpkit serve` can be told, shared by every concurrency model.

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
  std::size_t max_connections = 10000;  // over it: accepted, closed at once, logged
  std::chrono::milliseconds idle_timeout{0};      // 0 = never close idle connections
  std::chrono::milliseconds drain_timeout{5000};  // graceful shutdown bound
  // Per connection. Past the high-water mark of pending output the server stops reading from
  // that client until it drains (backpressure); past the limit it disconnects the client.
  std::size_t output_high_water = 1u << 20;
  std::size_t output_limit = 64u << 20;
  // Unconsumed input a session may leave (a frame still arriving); past it, disconnect.
  std::size_t input_limit = 1u << 30;
  bool verbose = false;

  // The number of reactor loops this configuration runs.
  unsigned loop_count() const;
};

}  // namespace tcpkit::server
