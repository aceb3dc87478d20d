#pragma once
// Server: binds the listeners, then runs the chosen concurrency model over a Service until a
// shutdown signal (SIGINT/SIGTERM) has been handled gracefully.
//
//   Server server(options, service);
//   if (auto r = server.open(); !r) ...   // every bind error, before anything runs
//   print(server.local_endpoints());       // real ports when port 0 was asked
//   server.run();                          // returns after the drain; exit 0
//
// Shutdown: the first signal stops accepting, lets owed replies flush (bounded by
// drain_timeout), closes everything and returns. A second signal exits the process at once.
// SIGPIPE is ignored. Owns the listeners; the Service must outlive run().

#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "tcpkit/base/result.hpp"
#include "tcpkit/net/socket.hpp"
#include "tcpkit/server/options.hpp"
#include "tcpkit/server/service.hpp"
#include "tcpkit/server/stats.hpp"

namespace tcpkit::server {

class Server {
 public:
  Server(ServerOptions options, Service& service);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Checks the options against the model and service, binds every listen address.
  // Also blocks SIGINT/SIGTERM in the calling thread (restored by the destructor): whoever
  // sees the addresses printed after open() may signal at once, and that signal must start a
  // graceful shutdown in run(), not kill the process. Call it before starting threads.
  // Errors: "bind 127.0.0.1:7000: Address already in use", "fork model: the kv service ...".
  Result<void> open();
  // The addresses really bound, in --listen order ("127.0.0.1:40123", "unix:/tmp/s").
  std::vector<std::string> local_endpoints() const;
  // Runs the model (SIGINT/SIGTERM read through signalfd); returns after a graceful shutdown.
  Result<void> run();

  const Stats& stats() const { return stats_; }

 private:
  void block_shutdown_signals();

  ServerOptions options_;
  Service& service_;
  Stats stats_;
  std::vector<net::Listener> listeners_;
  sigset_t saved_mask_{};
  bool mask_saved_ = false;
};

}  // namespace tcpkit::server
