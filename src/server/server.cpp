#include "tcpkit/server/server.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "detail/model.hpp"
#include "tcpkit/server/log.hpp"

namespace tcpkit::server {

namespace detail {

std::uint64_t RateLimitedWarning::note() {
  unreported_.fetch_add(1, std::memory_order_relaxed);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  std::int64_t due = next_due_ms_.load(std::memory_order_relaxed);
  if (now_ms < due || !next_due_ms_.compare_exchange_strong(due, now_ms + 1000)) return 0;
  return unreported_.exchange(0, std::memory_order_relaxed);
}

SessionInfo ModelContext::session_info(const net::Accepted& accepted,
                                       const net::Listener& listener) {
  SessionInfo info;
  info.id = next_session_id.fetch_add(1, std::memory_order_relaxed);
  info.peer =
      listener.endpoint.is_unix() ? listener.endpoint.to_string() : accepted.peer.to_string();
  info.local = listener.endpoint.to_string();
  info.fd = accepted.fd.get();
  info.peer_is_local = listener.endpoint.is_unix() || accepted.peer.is_local();
  return info;
}

bool ModelContext::admit(net::Accepted& accepted) {
  const auto open = stats.connections_open.load(std::memory_order_relaxed);
  if (open < 0 || static_cast<std::size_t>(open) < options.max_connections) {
    stats.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    stats.connections_open.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  stats.connections_rejected.fetch_add(1, std::memory_order_relaxed);
  if (auto reply = service.over_capacity_reply(); !reply.empty()) {
    (void)net::write_some(accepted.fd.get(), reply.data(), reply.size());
  }
  net::close_fd(accepted.fd);
  if (const auto n = refusals.note(); n > 0) {
    log::warn(
        "connection refused: {} open, the limit is {} (--max-connections); {} refused "
        "since the last report, {} in all",
        open, options.max_connections, n, Stats::get(stats.connections_rejected));
  }
  return false;
}

std::chrono::milliseconds ModelContext::accept_back_off(const Error& error) {
  const int code = error.code().value();
  const bool starved = error.code().category() == std::system_category() &&
                       (code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM);
  const auto pause = starved ? std::chrono::milliseconds(100) : std::chrono::milliseconds(0);
  if (const auto n = accept_errors.note(); n > 0) {
    log::warn("{}{} ({} accept error(s) since the last report)", error.message(),
              starved ? "; pausing accepts for 100 ms" : "", n);
  }
  return pause;
}

}  // namespace detail

Server::Server(ServerOptions options, Service& service)
    : options_(std::move(options)),
      service_(service),
      stop_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

Server::~Server() {
  // Remove the Unix socket files we created.
  for (const auto& l : listeners_) {
    if (l.endpoint.kind == net::EndpointKind::kUnixPath && l.fd) ::unlink(l.endpoint.path.c_str());
  }
}

Result<void> Server::open() {
  if (!stop_fd_) return Fail(Error::from_errno("eventfd"));
  if (options_.model == Model::kFork && service_.shares_state() && !options_.udp) {
    return Fail(Error(std::make_error_code(std::errc::operation_not_supported),
                      fmt::format("the fork model cannot serve '{}': its state is shared between "
                                  "clients, and processes share no memory (use --model epoll, "
                                  "thread or reactors)",
                                  service_.name())));
  }
  if (options_.udp && !service_.serves_datagrams()) {
    return Fail(Error(std::make_error_code(std::errc::operation_not_supported),
                      fmt::format("'{}' does not answer datagrams: it is a stream protocol "
                                  "(leave out --udp)",
                                  service_.name())));
  }
  if (options_.listen.empty()) {
    return Fail(Error(std::make_error_code(std::errc::invalid_argument), "no --listen address"));
  }
  net::ListenOptions lo;
  lo.backlog = options_.backlog;
  lo.socktype = options_.udp ? SOCK_DGRAM : SOCK_STREAM;
  lo.reuse_port = options_.model == Model::kReactors && !options_.udp;
  lo.unix_mode = options_.unix_mode ? static_cast<int>(*options_.unix_mode) : -1;
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

void Server::stop() {
  stop_requested_.store(true, std::memory_order_release);
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(stop_fd_.get(), &one, sizeof(one));
}

Result<void> Server::run() {
  if (!stop_fd_) return Fail(Error::from_errno("eventfd"));
  service_.attach_stats(&stats_);
  detail::ModelContext ctx(options_, service_, stats_, listeners_, stop_fd_.get());
  Result<void> result;
  if (options_.udp) {
    result = detail::run_datagram(ctx);
  } else {
    switch (options_.model) {
      case Model::kIterative:
        result = detail::run_iterative(ctx);
        break;
      case Model::kFork:
        result = detail::run_fork(ctx);
        break;
      case Model::kThread:
        result = detail::run_thread(ctx);
        break;
      case Model::kEpoll:
        result = detail::run_epoll(ctx);
        break;
      case Model::kReactors:
        result = detail::run_reactors(ctx);
        break;
    }
  }
  // The stop is consumed: a later run() serves again until the next stop().
  std::uint64_t count = 0;
  [[maybe_unused]] auto n = ::read(stop_fd_.get(), &count, sizeof(count));
  stop_requested_.store(false, std::memory_order_release);
  return result;
}

}  // namespace tcpkit::server
