#include "detail/stop_signal.hpp"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>

#include "tcpkit/server/log.hpp"

namespace tcpkit::server::detail {

namespace {
std::atomic<int> g_signals_seen{0};

void raise_eventfd(int fd) {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(fd, &one, sizeof(one));
}
}  // namespace

void on_shutdown_signal(int signal, const std::function<void()>& begin) {
  if (g_signals_seen.fetch_add(1) == 0) {
    log::info("{}: shutting down (a second signal exits at once)", strsignal(signal));
    begin();
    return;
  }
  log::warn("{} again: exiting now", strsignal(signal));
  ::_exit(1);
}

Result<std::unique_ptr<StopSignal>> StopSignal::start() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  UniqueFd signal_fd(::signalfd(-1, &mask, SFD_CLOEXEC));
  if (!signal_fd) return Fail(Error::from_errno("signalfd"));
  UniqueFd stop_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  UniqueFd quit_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop_fd || !quit_fd) return Fail(Error::from_errno("eventfd"));
  std::unique_ptr<StopSignal> stop(
      new StopSignal(std::move(signal_fd), std::move(stop_fd), std::move(quit_fd)));
  stop->watcher_ = std::thread([s = stop.get()] { s->watch(); });
  return stop;
}

StopSignal::StopSignal(UniqueFd signal_fd, UniqueFd stop_fd, UniqueFd quit_fd)
    : signal_fd_(std::move(signal_fd)), stop_fd_(std::move(stop_fd)), quit_fd_(std::move(quit_fd)) {}

StopSignal::~StopSignal() {
  raise_eventfd(quit_fd_.get());
  if (watcher_.joinable()) watcher_.join();
}

void StopSignal::request() {
  requested_.store(true, std::memory_order_release);
  raise_eventfd(stop_fd_.get());
}

void StopSignal::watch() {
  pollfd fds[2] = {{signal_fd_.get(), POLLIN, 0}, {quit_fd_.get(), POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0) continue;  // EINTR
    if ((fds[1].revents & POLLIN) != 0) return;
    signalfd_siginfo info{};
    if (::read(signal_fd_.get(), &info, sizeof(info)) != sizeof(info)) continue;
    on_shutdown_signal(static_cast<int>(info.ssi_signo), [this] { request(); });
  }
}

}  // namespace tcpkit::server::detail
