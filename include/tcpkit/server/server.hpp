#pragma once
// Server: binds the listeners, then runs the chosen concurrency model over a Service until
// stop() is called, and drains.
//
//   Server server(options, service);
//   if (auto r = server.open(); !r) ...   // every bind error, before anything runs
//   print(server.local_endpoints());       // real ports when port 0 was asked
//   server.run();                          // returns after stop() and the drain
//
// Shutdown (stop()): stop accepting and stop running new requests; write the reply of every
// request already run; close each connection cleanly (FIN, never a reset caused by unread
// input); return when every connection is closed or drain_timeout has passed.
//
// The library installs no signal handlers and changes no signal mask: a program that wants
// SIGINT/SIGTERM to stop the server uses ShutdownSignals (signals.hpp), as `tcpkit serve` does.
// SIGPIPE cannot hurt: every socket write uses MSG_NOSIGNAL.
//
// Thread affinity: open(), run() and the destructor on one thread; stop() from any thread
// (and async-signal-safe). Owns the listeners; the Service must outlive run().

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "tcpkit/base/result.hpp"
#include "tcpkit/base/unique_fd.hpp"
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
  // Errors: "bind 127.0.0.1:7000: Address already in use", "fork model: the kv service ...".
  Result<void> open();
  // The addresses really bound, in --listen order ("127.0.0.1:40123", "unix:/tmp/s").
  std::vector<std::string> local_endpoints() const;
  // Runs the model until stop(), then drains; returns once every connection is closed or the
  // drain timeout passed. Errors: a failure of the event loop itself (epoll_wait), or of
  // setting it up. A stop() that came before run() makes run() drain at once. After run()
  // returns, the stop is consumed: run() may be called again.
  Result<void> run();
  // Asks run() to drain and return. Any thread, any time, any number of times; returns at once.
  void stop();
  bool stop_requested() const { return stop_requested_.load(std::memory_order_acquire); }

  const ServerOptions& options() const { return options_; }
  const Stats& stats() const { return stats_; }

 private:
  ServerOptions options_;
  Service& service_;
  Stats stats_;
  std::vector<net::Listener> listeners_;
  UniqueFd stop_fd_;  // an eventfd, readable once stop() was called
  std::atomic<bool> stop_requested_{false};
};

}  // namespace tcpkit::server
