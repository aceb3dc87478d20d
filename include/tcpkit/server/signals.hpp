#pragma once
// ShutdownSignals: the opt-in signal policy of a program that runs a Server (tcpkit serve uses
// it; the library itself never touches signals).
//
//   auto signals = server::ShutdownSignals::install(server);   // before open() and threads
//   server.open(); ... server.run();
//
// It blocks SIGINT and SIGTERM in the calling thread (threads started later inherit the mask,
// so the signals reach only its own waiting thread) and ignores SIGPIPE. The first signal calls
// server.stop(): a graceful drain. A second signal exits the process at once (status 1), and so
// does a drain that outlives drain_timeout by more than a second: both also while a loop is
// busy in a long command, since the waiting thread does not depend on any loop.
//
// Lifetime: install before Server::open() (a signal sent right after the ready line must start
// a drain, not kill the process); destroy after run() returned and before the Server. The
// destructor restores the signal mask and SIGPIPE's disposition. One at a time per process.

#include <memory>

#include "tcpkit/base/result.hpp"
#include "tcpkit/server/server.hpp"

namespace tcpkit::server {

class ShutdownSignals {
 public:
  // Errors: "signalfd: ...", "eventfd: ..." (nothing is changed then).
  static Result<std::unique_ptr<ShutdownSignals>> install(Server& server);
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

 private:
  struct State;
  explicit ShutdownSignals(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tcpkit::server
