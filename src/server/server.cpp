#include "tcpkit/server/server.hpp"

#include <signal.h>

#include "detail/model.hpp"
#include "tcpkit/server/log.hpp"

namespace tcpkit::server {

namespace detail {

SessionInfo ModelContext::session_info(const net::Accepted& accepted,
                                       const net::Listener& listener) {
  SessionInfo info;
  info.id = next_session_id.fetch_add(1, std::memory_order_relaxed);
  info.peer = listener.endpoint.is_unix() ? listener.endpoint.to_string()
                                          : accepted.peer.to_string();
  info.local = listener.endpoint.to_string();
  info.fd = accepted.fd.get();
  return info;
}

bool ModelContext::over_connection_limit() {
  const auto open = stats.connections_open.load(std::memory_order_relaxed);
  if (open < 0 || static_cast<std::size_t>(open) < options.max_connections) return false;
  const auto rejected = stats.connections_rejected.fetch_add(1, std::memory_order_relaxed) + 1;
  log::warn("connection refused: {} open, the limit is {} (--max-connections); {} refused so far",
            open, options.max_connections, rejected);
  return true;
}

}  // namespace detail

Server::Server(ServerOptions options, Service& service)
    : options_(std::move(options)), service_(service) {}

void Server::block_shutdown_signals() {
  if (mask_saved_) return;
  // Blocked before any thread starts, so every thread inherits the mask and the signals
  // arrive only through the models' signalfds; and before the caller can announce the
  // addresses, so a signal sent right after that announcement is not fatal.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  mask_saved_ = ::pthread_sigmask(SIG_BLOCK, &mask, &saved_mask_) == 0;
}

Server::~Server() {
  if (mask_saved_) {
    // Drop what is still pending (we are done with it), then put the old mask back.
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    timespec zero{};
    while (::sigtimedwait(&mask, nullptr, &zero) > 0) {
    }
    ::pthread_sigmask(SIG_SETMASK, &saved_mask_, nullptr);
  }
  // Remove the Unix socket files we created.
  for (const auto& l : listeners_) {
    if (l.endpoint.kind == net::EndpointKind::kUnixPath && l.fd) ::unlink(l.endpoint.path.c_str());
  }
}

Result<void> Server::open() {
  if (options_.model == Model::kFork && service_.shares_state() && !options_.udp) {
    return Fail(Error(std::make_error_code(std::errc::operation_not_supported),
                      fmt::format("the fork model cannot serve '{}': its state is shared between "
                                  "clients, and processes share no memory (use --model epoll, "
                                  "thread or reactors)",
                                  service_.name())));
  }
  if (options_.listen.empty()) {
    return Fail(Error(std::make_error_code(std::errc::invalid_argument), "no --listen address"));
  }
  block_shutdown_signals();
  net::ListenOptions lo;
  lo.backlog = options_.backlog;
  lo.socktype = options_.udp ? SOCK_DGRAM : SOCK_STREAM;
  lo.reuse_port = options_.model == Model::kReactors && !options_.udp;
  // The blocking models poll before accept, so a non-blocking listener is right for all.
  lo.nonblocking = true;
  for (const auto& text : options_.listen) {
    auto endpoint = net::parse_endpoint(text);
    if (!endpoint) return Fail(endpoint.error());
    auto listener = net::listen_on(*endpoint, lo);
    if (!listener) return Fail(listener.error());
    listeners_.push_back(std::move(*listener));
  }
  return {};
}

std::vector<std::string> Server::local_endpoints() const {
  std::vector<std::string> out;
  for (const auto& l : listeners_) out.push_back(l.endpoint.to_string());
  return out;
}

Result<void> Server::run() {
  ::signal(SIGPIPE, SIG_IGN);
  block_shutdown_signals();
  service_.attach_stats(&stats_);
  detail::ModelContext ctx{options_, service_, stats_, listeners_};
  if (options_.udp) return detail::run_datagram(ctx);
  switch (options_.model) {
    case Model::kIterative: return detail::run_iterative(ctx);
    case Model::kFork: return detail::run_fork(ctx);
    case Model::kThread: return detail::run_thread(ctx);
    case Model::kEpoll: return detail::run_epoll(ctx);
    case Model::kReactors: return detail::run_reactors(ctx);
  }
  return {};
}

}  // namespace tcpkit::server
