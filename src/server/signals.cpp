// ShutdownSignals: SIGINT/SIGTERM read by a thread of their own (see signals.hpp).
#include "tcpkit/server/signals.hpp"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tcpkit/server/log.hpp"

namespace tcpkit::server {

namespace {

sigset_t shutdown_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Past the drain timeout, the drain has this long to finish before the process is ended.
constexpr auto kDrainGrace = std::chrono::seconds(1);

}  // namespace

struct ShutdownSignals::State {
  Server& server;
  UniqueFd signal_fd;
  UniqueFd quit_fd;  // tells the waiting thread to end
  sigset_t saved_mask{};
  struct sigaction saved_pipe {};
  std::thread waiter;

  explicit State(Server& s) : server(s) {}

  // Waits for signals until told to quit. The first starts the drain and arms a deadline;
  // a second signal, or the deadline, ends the process at once.
  void wait() {
    pollfd fds[2] = {{signal_fd.get(), POLLIN, 0}, {quit_fd.get(), POLLIN, 0}};
    bool stopping = false;
    std::chrono::steady_clock::time_point deadline{};
    for (;;) {
      int timeout = -1;
      if (stopping) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
          log::warn("the drain outlived --drain-timeout: exiting now");
          ::_exit(1);
        }
        timeout = static_cast<int>(left.count());
      }
      if (::poll(fds, 2, timeout) <= 0) continue;  // EINTR or the deadline: checked above
      if ((fds[1].revents & POLLIN) != 0) return;
      signalfd_siginfo info{};
      if (::read(signal_fd.get(), &info, sizeof(info)) != sizeof(info)) continue;
      const char* name = strsignal(static_cast<int>(info.ssi_signo));
      if (stopping) {
        log::warn("{} again: exiting now", name);
        ::_exit(1);
      }
      log::info("{}: shutting down (a second signal exits at once)", name);
      stopping = true;
      deadline = std::chrono::steady_clock::now() + server.options().drain_timeout + kDrainGrace;
      server.stop();
    }
  }
};

Result<std::unique_ptr<ShutdownSignals>> ShutdownSignals::install(Server& server) {
  auto state = std::make_unique<State>(server);
  const sigset_t set = shutdown_set();
  state->quit_fd = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!state->quit_fd) return Fail(Error::from_errno("eventfd"));
  state->signal_fd = UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!state->signal_fd) return Fail(Error::from_errno("signalfd"));
  if (::pthread_sigmask(SIG_BLOCK, &set, &state->saved_mask) != 0) {
    return Fail(Error::from_errno("pthread_sigmask"));
  }
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &state->saved_pipe);
  State* s = state.get();
  state->waiter = std::thread([s] { s->wait(); });
  return std::unique_ptr<ShutdownSignals>(new ShutdownSignals(std::move(state)));
}

ShutdownSignals::ShutdownSignals(std::unique_ptr<State> state) : state_(std::move(state)) {}

ShutdownSignals::~ShutdownSignals() {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(state_->quit_fd.get(), &one, sizeof(one));
  state_->waiter.join();
  // Drop what is still pending (the server is done with it), then put the old mask back.
  const sigset_t set = shutdown_set();
  timespec zero{};
  while (::sigtimedwait(&set, nullptr, &zero) > 0) {
  }
  ::pthread_sigmask(SIG_SETMASK, &state_->saved_mask, nullptr);
  ::sigaction(SIGPIPE, &state_->saved_pipe, nullptr);
}

}  // namespace tcpkit::server
