#pragma once
// serve_blocking: one connection served start to end by the calling thread, in the plain
// style of the first servers anyone writes: wait for input, read, answer, write everything,
// repeat. Used by the iterative, thread and fork models.
//
// The socket is non-blocking underneath and every wait is a poll() that also watches the
// stop fd, so the limits hold here too: the idle timeout counts while the thread waits to
// write as well as to read, pending output is bounded by the high-water mark (the session is
// given that much room) and the hard and soft output limits, and on stop the connection
// writes what it owes, shuts down its sending side and closes within the drain deadline.

#include <optional>
#include <thread>
#include <vector>

#include "model.hpp"
#include "tcpkit/base/unique_fd.hpp"

namespace tcpkit::server::detail {

void serve_blocking(ModelContext& ctx, net::Accepted accepted, const net::Listener& listener);

// Waits until one of `listeners` is readable or ctx's stop fd is. Returns the ready
// listener's index, or -1 for stop. `timeout_ms` < 0 waits forever; on timeout returns -2.
int wait_for_listener(const ModelContext& ctx, int timeout_ms);

// Accepts one pending connection on a listener that poll() found readable and admits it
// (ModelContext::admit). nullopt when nothing was pending after all, when it was refused, or
// when accept failed: then it has logged and waited (see accept_back_off) so the caller does
// not spin on a readiness it cannot use.
std::optional<net::Accepted> accept_admitted(ModelContext& ctx, const net::Listener& listener);

// Runs service.tick() every tick_interval() on its own thread until destroyed.
class Ticker {
 public:
  explicit Ticker(Service& service);
  ~Ticker();
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

 private:
  UniqueFd quit_fd_;
  std::thread thread_;
};

}  // namespace tcpkit::server::detail
