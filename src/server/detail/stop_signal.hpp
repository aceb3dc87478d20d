#pragma once
// StopSignal: SIGINT/SIGTERM turned into a level a blocking model can poll. A watcher thread
// reads a signalfd; the first signal makes fd() readable for good (an eventfd nobody drains),
// the second exits the process at once. Used by the iterative, thread and fork models, whose
// waits are poll() calls on a socket plus this fd. Thread-safe. The fd survives fork(), so
// children of the fork model see the parent's stop too.

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "tcpkit/base/result.hpp"
#include "tcpkit/base/unique_fd.hpp"

namespace tcpkit::server::detail {

class StopSignal {
 public:
  // SIGINT and SIGTERM must already be blocked in every thread (Server::run does it).
  static Result<std::unique_ptr<StopSignal>> start();
  ~StopSignal();

  int fd() const { return stop_fd_.get(); }
  bool requested() const { return requested_.load(std::memory_order_acquire); }
  void request();

 private:
  StopSignal(UniqueFd signal_fd, UniqueFd stop_fd, UniqueFd quit_fd);
  void watch();

  UniqueFd signal_fd_;
  UniqueFd stop_fd_;
  UniqueFd quit_fd_;  // tells the watcher thread to end
  std::atomic<bool> requested_{false};
  std::thread watcher_;
};

// The first SIGINT/SIGTERM calls `begin`; a later one exits the process at once (status 1).
void on_shutdown_signal(int signal, const std::function<void()>& begin);

}  // namespace tcpkit::server::detail
