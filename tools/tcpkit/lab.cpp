// tcpkit lab models: the tutorials' ladder of concurrency models in one command. Starts the
// echo service under each model (a child `tcpkit serve echo --model M` on its own port),
// drives each with the same closed-loop load at 1, 50 and 1000 connections, and prints one
// table — requests/s, p50/p99, connections served, the server's threads and processes, its
// memory per connection — with a sentence per model on what the numbers show.
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "tcpkit/bench/engine.hpp"
#include "tcpkit/bench/proc_stats.hpp"
#include "tcpkit/net/address.hpp"
#include "validators.hpp"

namespace tcpkit::cli {

namespace {

struct LabArgs {
  double duration = 2;  // seconds per cell
  bool quick = false;   // make test: short cells, 1/50/200 connections
};

// A `tcpkit serve echo` child: started with a pipe on its stdout for the ready line, stopped
// by its pid (SIGTERM, then SIGKILL after a deadline).
class ServerChild {
 public:
  ~ServerChild() { stop(); }

  std::optional<std::string> start(const std::string& model) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return "pipe: " + std::string(std::strerror(errno));
    pid_ = ::fork();
    if (pid_ < 0) return "fork: " + std::string(std::strerror(errno));
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      const int devnull = ::open("/dev/null", O_WRONLY);
      if (devnull >= 0) ::dup2(devnull, STDERR_FILENO);
      const char* argv[] = {"tcpkit",      "serve",    "echo",        "--model",
                            model.c_str(), "--listen", "127.0.0.1:0", "--max-connections",
                            "5000",        nullptr};
      ::execv("/proc/self/exe", const_cast<char* const*>(argv));
      ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{out[0], POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[256];
      const ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    const auto at = line.find("listening on ");
    if (at == std::string::npos) return "no ready line from tcpkit serve --model " + model;
    address_ = line.substr(at + 13, line.find_first_of(" ,", at + 13) - at - 13);
    return std::nullopt;
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {  // 10 s
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      ::usleep(50'000);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  int pid() const { return pid_; }
  const std::string& address() const { return address_; }

 private:
  pid_t pid_ = -1;
  std::string address_;
};

// Threads of `pid` (from /proc/PID/status).
long threads_of(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == "Threads:" && status >> value) return value;
  }
  return 0;
}

// `pid` and its live children (the fork model's processes), and their summed RSS in KiB.
struct ProcessFamily {
  long processes = 0;
  long rss_kib = 0;
};
ProcessFamily family_of(int pid) {
  ProcessFamily f{1, bench::process_rss_kib(pid).value_or(0)};
  std::unique_ptr<DIR, int (*)(DIR*)> proc(::opendir("/proc"), ::closedir);
  if (!proc) return f;
  while (dirent* d = ::readdir(proc.get())) {
    const int child = std::atoi(d->d_name);
    if (child <= 0) continue;
    std::ifstream stat("/proc/" + std::string(d->d_name) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    int ppid = 0;
    char state = 0;
    if (std::sscanf(text.c_str() + close + 1, " %c %d", &state, &ppid) != 2) continue;
    if (ppid != pid || state == 'Z') continue;
    ++f.processes;
    f.rss_kib += bench::process_rss_kib(child).value_or(0);
  }
  return f;
}

struct Cell {
  std::string model;
  int connections = 0;
  bench::RunResult result;
  long threads = 0;
  long processes = 0;
  double bytes_per_connection = 0;
};

std::optional<std::string> run_cell(const std::string& model, int connections, double duration,
                                    Cell& cell) {
  ServerChild server;
  if (auto e = server.start(model)) return e;
  auto endpoint = net::parse_endpoint(server.address());
  if (!endpoint) return endpoint.error().message();
  const long idle_kib = family_of(server.pid()).rss_kib;
  bench::EngineOptions options;
  options.endpoint = *endpoint;
  options.connections = connections;
  options.duration_s = duration;
  options.warmup_s = std::min(0.5, duration / 4);
  options.timeout_s = duration + 2;
  options.drain_s = 0.5;
  bench::LoadRun run(options, {"echo 64B", bench::Protocol::kEchoRaw,
                               bench::RequestTemplate::echo(bench::Protocol::kEchoRaw, 64)});
  if (auto r = run.connect(); !r) return r.error().message();
  cell.model = model;
  cell.connections = connections;
  cell.result = run.run({});
  // Sampled while every connection is still open.
  const ProcessFamily family = family_of(server.pid());
  cell.threads = threads_of(server.pid());
  cell.processes = family.processes;
  cell.bytes_per_connection = static_cast<double>(family.rss_kib - idle_kib) * 1024.0 / connections;
  run.close();
  return std::nullopt;
}

std::string ms(std::uint64_t ns) { return fmt::format("{:.3f}", static_cast<double>(ns) / 1e6); }

// One sentence per model, from its own figures.
std::string lesson(const std::string& model, const std::vector<Cell>& cells) {
  const Cell& most = cells.back();
  const auto served = fmt::format("{} of {}", most.result.connections_served, most.connections);
  if (model == "iterative") {
    return fmt::format(
        "iterative: one client at a time, to its end — at {} connections it served {}; the "
        "rest waited in the listen backlog (accept() is only called again when the client "
        "leaves).",
        most.connections, served);
  }
  if (model == "fork") {
    return fmt::format(
        "fork: a process per connection — {} processes for {} connections; isolation, but each "
        "costs a process ({:.0f} KiB of RSS a connection here, shared pages counted in each) "
        "and the kernel schedules them all.",
        most.processes, most.connections, most.bytes_per_connection / 1024);
  }
  if (model == "thread") {
    return fmt::format(
        "thread: a thread per connection — {} threads for {} connections; simple blocking "
        "code, paid for with a stack and a context switch per connection.",
        most.threads, most.connections);
  }
  if (model == "epoll") {
    return fmt::format(
        "epoll: one thread, one event loop, served {} with {} thread(s) and {:.0f} bytes a "
        "connection — the C10K answer, as Redis and nginx do it.",
        served, most.threads, most.bytes_per_connection);
  }
  return fmt::format(
      "reactors: one event loop per core ({} threads here), each with its share of the "
      "connections — epoll's economy on every core.",
      most.threads);
}

int run_lab(const LabArgs& a) {
  if (auto r = bench::raise_fd_limit(); !r) {
    std::fprintf(stderr, "tcpkit lab: %s\n", r.error().message().c_str());
    return kExitOsErr;
  }
  const std::vector<int> connection_counts =
      a.quick ? std::vector<int>{1, 50, 200} : std::vector<int>{1, 50, 1000};
  const double duration = a.quick ? 0.3 : a.duration;
  const std::vector<std::string> models = {"iterative", "fork", "thread", "epoll", "reactors"};
  std::printf(
      "Echo, 64-byte messages, closed loop, %.1f s a cell; client and server on this machine.\n\n",
      duration);
  std::printf(
      "| model | connections | requests/s | p50 ms | p99 ms | served | threads | "
      "processes | memory/connection |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::vector<std::string> lessons;
  for (const std::string& model : models) {
    std::vector<Cell> cells;
    for (int connections : connection_counts) {
      Cell cell;
      if (auto e = run_cell(model, connections, duration, cell)) {
        std::fprintf(stderr, "tcpkit lab: %s at %d connections: %s\n", model.c_str(), connections,
                     e->c_str());
        return kExitUnavailable;
      }
      const auto& r = cell.result;
      std::printf("| %s | %d | %.0f | %s | %s | %d of %d | %ld | %ld | %.0f B |\n", model.c_str(),
                  connections, r.rps, ms(r.latency.value_at_percentile(50)).c_str(),
                  ms(r.latency.value_at_percentile(99)).c_str(), r.connections_served, connections,
                  cell.threads, cell.processes, cell.bytes_per_connection);
      std::fflush(stdout);
      cells.push_back(std::move(cell));
    }
    lessons.push_back(lesson(model, cells));
  }
  std::printf("\n");
  for (const std::string& l : lessons) std::printf("- %s\n", l.c_str());
  return kExitOk;
}

}  // namespace

void add_lab(CLI::App& app, int& exit_code) {
  CLI::App* lab = app.add_subcommand(
      "lab", "Experiments that show how servers work, with tcpkit's own servers and load.");
  lab->require_subcommand(1);
  auto args = std::make_shared<LabArgs>();
  CLI::App* models = lab->add_subcommand(
      "models",
      "The tutorials' ladder in one table: the echo service under each concurrency model "
      "(iterative, fork, thread, epoll, reactors), each driven with the same load at 1, 50 and "
      "1000 connections: requests/s, p50/p99 latency, connections served, the server's threads "
      "and processes, its memory per connection, and a sentence per model on what they show.");
  models->add_option("--duration", args->duration, "Seconds a cell (default 2)")->check(kPositive);
  models->add_flag("--quick", args->quick, "Short cells at 1, 50 and 200 connections (a check)");
  models->callback([args, &exit_code] { exit_code = run_lab(*args); });
}

}  // namespace tcpkit::cli
