#pragma once
// serve_blocking: one connection served start to end by the calling thread, in the plain
// style of the first servers anyone writes: wait for input, read, answer, write everything,
// repeat. Used by the iterative, thread and fork models.
//
// The socket is non-blocking underneath and every wait is a poll() that also watches the
// stop fd, so the idle timeout and graceful shutdown work here too: on stop the session gets
// what has already arrived, its replies are flushed (until the drain deadline), and the
// connection closes. A client that does not read its replies blocks this connection's thread
// only (that is the backpressure of blocking I/O).

#include <optional>
#include <thread>
#include <vector>

#include "model.hpp"
#include "stop_signal.hpp"

namespace tcpkit::server::detail {

void serve_blocking(ModelContext& ctx, net::Accepted accepted, const net::Listener& listener,
                    int stop_fd);

// Waits until one of `listeners` is readable or `stop_fd` is. Returns the ready listener's
// index, or -1 for stop. `timeout_ms` < 0 waits forever; on timeout returns -2.
int wait_for_listener(const std::vector<net::Listener>& listeners, int stop_fd, int timeout_ms);

// Accepts one pending connection on a listener that poll() found readable. nullopt when
// nothing was pending after all, or when accept failed (out of fds...): then it has logged
// and waited 100 ms (or until stop) so the caller does not spin on a readiness it cannot use.
std::optional<net::Accepted> accept_or_back_off(const net::Listener& listener, int stop_fd);

// Runs service.tick() every tick_interval() on its own thread until `stop` is requested
// (the destructor requests it, so the thread always ends).
class Ticker {
 public:
  Ticker(Service& service, StopSignal& stop);
  ~Ticker();
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

 private:
  StopSignal& stop_;
  std::thread thread_;
};

}  // namespace tcpkit::server::detail
