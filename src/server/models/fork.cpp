// The fork model: a process per connection. The parent accepts and reaps; each child serves
// one client with blocking code and exits. Children share nothing, so a service with shared
// state is refused before we get here (Server::open).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <set>

#include "../detail/blocking.hpp"
#include "tcpkit/server/log.hpp"

namespace tcpkit::server::detail {

namespace {

void reap(ModelContext& ctx, std::set<pid_t>& children) {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    if (children.erase(pid) > 0) ctx.closed();
  }
}

[[noreturn]] void child_main(ModelContext& ctx, net::Accepted accepted, std::size_t listener) {
  // The child serves one client; the listening sockets stay with the parent. The stop fd
  // (an eventfd) is shared with the parent, so the child sees the stop too.
  for (auto& l : ctx.listeners) l.fd.reset();
  serve_blocking(ctx, std::move(accepted), ctx.listeners[listener]);
  ::_exit(0);
}

// After the stop: children drain on their own (they watch the same stop fd); those still
// alive at the drain deadline are killed.
void wait_for_children(ModelContext& ctx, std::set<pid_t>& children) {
  const auto deadline =
      std::chrono::steady_clock::now() + ctx.options.drain_timeout + std::chrono::milliseconds(200);
  while (!children.empty() && std::chrono::steady_clock::now() < deadline) {
    reap(ctx, children);
    ::usleep(10'000);  // children exit on their own; this only bounds how often we look
  }
  for (pid_t pid : children) ::kill(pid, SIGKILL);
  while (!children.empty()) {
    pid_t pid = ::waitpid(-1, nullptr, 0);
    if (pid < 0) break;
    children.erase(pid);
  }
}

}  // namespace

Result<void> run_fork(ModelContext& ctx) {
  std::set<pid_t> children;
  for (;;) {
    int ready = wait_for_listener(ctx, 200);
    reap(ctx, children);
    if (ready == -1) break;
    if (ready < 0) continue;
    const auto index = static_cast<std::size_t>(ready);
    auto accepted = accept_admitted(ctx, ctx.listeners[index]);
    if (!accepted) continue;
    pid_t pid = ::fork();
    if (pid < 0) {
      log::warn("fork: {}; connection closed", std::strerror(errno));
      ctx.closed();
      continue;
    }
    if (pid == 0) child_main(ctx, std::move(*accepted), index);
    children.insert(pid);
  }
  wait_for_children(ctx, children);
  return {};
}

}  // namespace tcpkit::server::detail
