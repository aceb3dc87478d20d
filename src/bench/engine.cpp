#include "tcpkit/bench/engine.hpp"

#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "tcpkit/net/socket.hpp"
#include "worker.hpp"

namespace tcpkit::bench {

namespace {

double cpu_seconds_of_process() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

void merge_into(RunResult& total, RunResult& part) {
  total.latency.merge(part.latency);
  total.completed += part.completed;
  total.error_replies += part.error_replies;
  total.protocol_errors += part.protocol_errors;
  total.connection_errors += part.connection_errors;
  total.timeouts += part.timeouts;
  total.bytes_sent += part.bytes_sent;
  total.bytes_received += part.bytes_received;
  total.connections += part.connections;
  total.connections_served += part.connections_served;
  for (auto& s : part.error_samples) {
    if (total.error_samples.size() < 8) total.error_samples.push_back(std::move(s));
  }
}

// AUTH [user] password on a fresh blocking connection, before the load (redis-benchmark's -a):
// an error reply fails the run with its text ("AUTH: WRONGPASS invalid username-password
// pair ..."); the wait is bounded by SO_RCVTIMEO.
Result<void> authenticate(int fd, const EngineOptions& o, std::chrono::milliseconds timeout) {
  std::vector<std::string> args{"AUTH"};
  if (!o.auth_user.empty()) args.push_back(o.auth_user);
  args.push_back(o.auth_password);
  if (auto w = net::write_all(fd, RequestTemplate::resp(args).bytes()); !w) return Fail(w.error());
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string in;
  for (;;) {
    std::string_view why;
    const ReplyScan scan = skip_resp_reply(in, &why);
    if (scan.status == ReplyStatus::kReply) {
      if (!scan.error_reply) return {};
      std::string text = in.substr(1, scan.consumed - 3);
      return Fail(Error(std::make_error_code(std::errc::permission_denied), "AUTH: " + text));
    }
    if (scan.status == ReplyStatus::kBad) {
      return Fail(Error(std::make_error_code(std::errc::bad_message),
                        "AUTH: unreadable reply: " + std::string(why)));
    }
    char chunk[512];
    auto r = net::read_some(fd, chunk, sizeof chunk);
    if (!r) return Fail(r.error());
    if (r->status == net::IoStatus::kEof) {
      return Fail(Error(std::make_error_code(std::errc::connection_reset),
                        "AUTH: the server closed the connection"));
    }
    if (r->status == net::IoStatus::kWouldBlock) {
      return Fail(Error(std::make_error_code(std::errc::timed_out), "AUTH: no reply"));
    }
    in.append(chunk, r->bytes);
  }
}

}  // namespace

LoadRun::LoadRun(EngineOptions options, Workload workload)
    : options_(std::move(options)), workload_(std::move(workload)) {}

LoadRun::~LoadRun() = default;

Result<void> LoadRun::connect() {
  const auto start = std::chrono::steady_clock::now();
  const auto timeout =
      std::chrono::milliseconds(static_cast<long long>(options_.connect_timeout_s * 1000));
  for (int i = 0; i < options_.connections; ++i) {
    auto fd = net::connect_to(options_.endpoint, timeout);
    if (!fd) return Fail(fd.error());
    if (!options_.auth_password.empty()) {
      if (auto r = authenticate(fd->get(), options_, timeout); !r) return Fail(r.error());
    }
    if (auto r = net::set_nonblocking(fd->get(), true); !r) return Fail(r.error());
    fds_.push_back(std::move(*fd));
  }
  connect_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {};
}

RunResult LoadRun::run(const Hooks& hooks) {
  const std::size_t total = fds_.size();
  const std::size_t threads = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::max(1, options_.threads)), 1, std::max<std::size_t>(total, 1));
  std::vector<std::vector<UniqueFd>> shares(threads);
  for (std::size_t i = 0; i < total; ++i) shares[i % threads].push_back(std::move(fds_[i]));
  fds_.clear();

  detail::Schedule base;
  base.start_ns = detail::now_ns() + 5'000'000;  // time for every thread to be up
  base.measure_ns = base.start_ns + static_cast<std::uint64_t>(options_.warmup_s * 1e9);
  if (options_.requests == 0) {
    base.end_ns = base.measure_ns + static_cast<std::uint64_t>(options_.duration_s * 1e9);
  }
  std::uint64_t quota_left = options_.requests;
  for (std::size_t w = 0; w < threads; ++w) {
    detail::Schedule s = base;
    const double share =
        total == 0 ? 0 : static_cast<double>(shares[w].size()) / static_cast<double>(total);
    s.rate = options_.rate * share;
    if (options_.requests > 0) {
      s.quota = w + 1 == threads
                    ? quota_left
                    : static_cast<std::uint64_t>(static_cast<double>(options_.requests) * share);
      quota_left -= s.quota;
    }
    workers_.push_back(std::make_unique<detail::Worker>(options_, workload_, std::move(shares[w]),
                                                        s, options_.seed + w));
  }

  const double cpu_before = cpu_seconds_of_process();
  std::vector<std::thread> threads_running;
  for (auto& w : workers_) threads_running.emplace_back([&w] { w->run(); });

  std::this_thread::sleep_for(
      std::chrono::nanoseconds(base.measure_ns - std::min(base.measure_ns, detail::now_ns())));
  if (hooks.measure_start != nullptr) hooks.measure_start(hooks.ctx);
  for (;;) {
    const bool all_done = std::all_of(workers_.begin(), workers_.end(), [](const auto& w) {
      return w->finished.load(std::memory_order_acquire);
    });
    if (all_done) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    if (hooks.tick != nullptr) {
      std::uint64_t done = 0, errors = 0;
      for (const auto& w : workers_) {
        done += w->live_completed.load(std::memory_order_relaxed);
        errors += w->live_errors.load(std::memory_order_relaxed);
      }
      hooks.tick(hooks.ctx, done, errors,
                 static_cast<double>(detail::now_ns() - base.measure_ns) / 1e9);
    }
  }
  for (auto& t : threads_running) t.join();

  RunResult result;
  std::uint64_t last_reply = base.measure_ns;
  for (auto& w : workers_) {
    merge_into(result, w->result());
    last_reply = std::max(last_reply, w->last_measured_reply_ns());
  }
  result.client_cpu_s = cpu_seconds_of_process() - cpu_before;
  result.measured_s = static_cast<double>(last_reply - base.measure_ns) / 1e9;
  result.rps =
      result.measured_s > 0 ? static_cast<double>(result.completed) / result.measured_s : 0;
  result.asked_rate = options_.rate;
  result.connect_s = connect_s_;
  return result;
}

void merge_concurrent(RunResult& total, RunResult& part) {
  merge_into(total, part);
  total.measured_s = std::max(total.measured_s, part.measured_s);
  total.rps = total.measured_s > 0 ? static_cast<double>(total.completed) / total.measured_s : 0;
  total.asked_rate += part.asked_rate;
  total.connect_s = std::max(total.connect_s, part.connect_s);
  total.client_cpu_s = std::max(total.client_cpu_s, part.client_cpu_s);  // one process: each
                                                                         // measured it all
}

int LoadRun::connections_open() const {
  int open = static_cast<int>(fds_.size());
  for (const auto& w : workers_) open += w->connections_open();
  return open;
}

void LoadRun::close() {
  workers_.clear();
  fds_.clear();
}

}  // namespace tcpkit::bench
