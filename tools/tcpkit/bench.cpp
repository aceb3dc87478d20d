// tcpkit bench: a load generator for echo, RESP (Redis) and native servers, closed or open loop,
// with honest percentiles. The engine lives in include/tcpkit/bench/; this file is its CLI.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_verify.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "tcpkit/bench/engine.hpp"
#include "tcpkit/bench/proc_stats.hpp"
#include "tcpkit/bench/report.hpp"
#include "tcpkit/net/address.hpp"
#include "validators.hpp"

namespace tcpkit::cli {

namespace {

using bench::Protocol;

struct BenchArgs {
  std::string workload = "resp";
  std::string address;
  std::string host = "127.0.0.1";  // -h, -p, -s: redis-benchmark's way to say the address
  int port = 6379;
  std::string socket;
  std::vector<std::string> command;
  std::string tests;
  std::string framing = "raw";
  int connections = 50;
  int pipeline = 1;
  int threads = 1;
  std::uint64_t requests = 0;
  double duration = 0;
  double warmup = 0;
  double rate = 0;
  std::size_t data_size = 0;  // 0: the workload's default (echo 64, resp/native 3)
  std::uint64_t keyspace = 0;
  std::string key_pattern = "R";  // memtier's letters: R, G, Z, S; or WRITES:READS ("R:Z")
  double zipf_exponent = 1.0;
  double key_stddev = 0;
  bool data_verify = false;
  std::string password;  // -a: AUTH on every connection
  std::string user;
  double timeout = 10;
  int connections_only = 0;
  int server_pid = 0;
  std::uint64_t seed = 1;
  bool json = false;
  bool csv = false;
  bool quiet = false;
  std::string hdr_out;  // --hdr-out FILE: the percentile spectrum, HdrHistogram's .hgrm text
};

// Where --hdr-out writes a test's spectrum: FILE itself for one test; FILE with the test's name
// before its extension for several (lat.hgrm -> lat.set.hgrm, lat.get.hgrm).
std::string hdr_path(const std::string& file, const std::string& test, bool several) {
  if (!several) return file;
  std::string name;
  for (char c : test) {
    name += std::isalnum(static_cast<unsigned char>(c))
                ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                : '_';
  }
  const auto dot = file.rfind('.');
  const auto slash = file.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return file + "." + name;
  }
  return file.substr(0, dot) + "." + name + file.substr(dot);
}

bool parse_pattern(char letter, bench::KeyPattern& out) {
  switch (std::toupper(static_cast<unsigned char>(letter))) {
    case 'R':
      out = bench::KeyPattern::kUniform;
      return true;
    case 'G':
      out = bench::KeyPattern::kGaussian;
      return true;
    case 'Z':
      out = bench::KeyPattern::kZipf;
      return true;
    case 'S':
      out = bench::KeyPattern::kSequential;
      return true;
    default:
      return false;
  }
}

// --key-pattern: one letter for every test, or memtier's WRITES:READS pair, the second for GET
// (the only read among the standard tests). Empty on success, else what is wrong.
std::string key_patterns(const std::string& text, bench::KeyPattern& writes,
                         bench::KeyPattern& reads) {
  const bool one = text.size() == 1 && parse_pattern(text[0], writes);
  const bool pair = text.size() == 3 && text[1] == ':' && parse_pattern(text[0], writes) &&
                    parse_pattern(text[2], reads);
  if (one) reads = writes;
  if (one || pair) return {};
  return "--key-pattern takes R (uniform), G (Gaussian), Z (Zipf), S (sequential) or "
         "memtier's WRITES:READS pair such as R:Z, got '" +
         text + "'";
}

int usage_error(const std::string& what) {
  std::fprintf(stderr, "tcpkit bench: %s; see tcpkit bench --help\n", what.c_str());
  return kExitUsage;
}

Protocol protocol_of(const BenchArgs& a) {
  if (a.workload == "resp") return Protocol::kResp;
  if (a.workload == "native") return Protocol::kNative;
  if (a.framing == "line") return Protocol::kEchoLine;
  if (a.framing == "length") return Protocol::kEchoLength;
  return Protocol::kEchoRaw;
}

bench::RequestTemplate encode(Protocol p, const std::vector<std::string>& args) {
  return p == Protocol::kNative ? bench::RequestTemplate::native(args)
                                : bench::RequestTemplate::resp(args);
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// The workloads one invocation runs, in order. Errors are usage errors, already printed.
bool build_workloads(const BenchArgs& a, std::vector<bench::Workload>& out) {
  const Protocol p = protocol_of(a);
  if (a.workload == "echo") {
    out.push_back({"ECHO", p, bench::RequestTemplate::echo(p, a.data_size)});
    return true;
  }
  if (!a.command.empty()) {
    out.push_back({join(a.command), p, encode(p, a.command)});
    return true;
  }
  std::string list = a.tests.empty() ? "ping,set,get,incr,mset" : a.tests;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = std::min(list.find(',', start), list.size());
    std::string name = list.substr(start, comma - start);
    start = comma + 1;
    if (name.empty()) continue;
    auto args = bench::test_command(name, a.data_size, a.data_verify);
    if (args.empty()) {
      std::fprintf(stderr,
                   "tcpkit bench: unknown test '%s' (ping, set, get, incr, mset, or a "
                   "command after --); see tcpkit bench --help\n",
                   name.c_str());
      return false;
    }
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    out.push_back({name, p, encode(p, args)});
  }
  return true;
}

struct Progress {
  std::string name;
  int server_pid = 0;
  std::optional<double> cpu_at_start;
  bool show = false;
};

void on_tick(void* ctx, std::uint64_t done, std::uint64_t errors, double elapsed) {
  auto* p = static_cast<Progress*>(ctx);
  if (!p->show || elapsed <= 0) return;
  std::fprintf(stderr, "\r%s: %llu requests, %.0f requests/s, %llu errors, %.1f s\033[K",
               p->name.c_str(), static_cast<unsigned long long>(done),
               static_cast<double>(done) / elapsed, static_cast<unsigned long long>(errors),
               elapsed);
}

void on_measure_start(void* ctx) {
  auto* p = static_cast<Progress*>(ctx);
  if (p->server_pid != 0) p->cpu_at_start = bench::process_cpu_seconds(p->server_pid);
}

bench::EngineOptions engine_options(const BenchArgs& a, const net::Endpoint& endpoint) {
  bench::EngineOptions o;
  o.endpoint = endpoint;
  o.connections = a.connections;
  o.pipeline = a.pipeline;
  o.threads = a.threads;
  o.requests = a.requests;
  o.duration_s = a.duration;
  o.warmup_s = a.warmup;
  o.rate = a.rate;
  o.keys.space = a.keyspace;
  o.keys.zipf_exponent = a.zipf_exponent;
  o.keys.gaussian_stddev = a.key_stddev;
  o.keys.one_per_request = a.data_verify;
  o.auth_user = a.user;
  o.auth_password = a.password;
  o.timeout_s = a.timeout;
  o.seed = a.seed;
  return o;
}

void emit(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

// One workload against every target at once (one set of -c connections each, -n and -R shared
// out among them), merged into one report: connect, drive, measure the server. Nothing on a
// failure to connect.
std::optional<bench::TestReport> run_test(const BenchArgs& a, const bench::EngineOptions& o,
                                          const std::vector<net::Endpoint>& targets,
                                          const bench::Workload& w, int* exit_code) {
  const std::size_t n = targets.size();
  std::vector<std::unique_ptr<bench::LoadRun>> runs;
  for (std::size_t i = 0; i < n; ++i) {
    bench::EngineOptions one = o;
    one.endpoint = targets[i];
    one.requests = o.requests / n + (i < o.requests % n ? 1 : 0);
    one.rate = o.rate / static_cast<double>(n);
    one.seed = o.seed + i * 0x10000;
    runs.push_back(std::make_unique<bench::LoadRun>(one, w));
    if (auto r = runs.back()->connect(); !r) {
      std::fprintf(stderr, "tcpkit bench: %s\n", r.error().message().c_str());
      *exit_code = exit_code_for(r.error());
      return std::nullopt;
    }
  }
  Progress progress{w.name, a.server_pid, std::nullopt, ::isatty(STDERR_FILENO) == 1};
  bench::LoadRun::Hooks hooks{on_tick, on_measure_start, &progress};
  std::vector<bench::RunResult> results(n);
  std::vector<std::thread> others;
  for (std::size_t i = 1; i < n; ++i) {
    others.emplace_back([&runs, &results, i] { results[i] = runs[i]->run({}); });
  }
  results[0] = runs[0]->run(hooks);
  for (auto& t : others) t.join();
  for (std::size_t i = 1; i < n; ++i) bench::merge_concurrent(results[0], results[i]);
  bench::TestReport report{w.name, std::move(results[0]), a.server_pid, std::nullopt};
  if (progress.show) std::fputs("\r\033[K", stderr);
  if (a.server_pid != 0 && progress.cpu_at_start && report.result.completed > 0) {
    if (auto end = bench::process_cpu_seconds(a.server_pid)) {
      report.server_cpu_us_per_request =
          (*end - *progress.cpu_at_start) * 1e6 / static_cast<double>(report.result.completed);
    }
  }
  return report;
}

int run_idle(const BenchArgs& a, const bench::RunConfig& config, const net::Endpoint& endpoint) {
  bench::IdleReport idle;
  idle.asked = a.connections_only;
  auto limit = bench::raise_fd_limit();
  idle.fd_limit = limit ? *limit : 0;
  const int room = limit ? static_cast<int>(*limit) - 32 : a.connections_only;
  bench::EngineOptions o = engine_options(a, endpoint);
  o.connections = std::min(a.connections_only, room);
  o.pipeline = 1;
  o.requests = static_cast<std::uint64_t>(o.connections);
  o.duration_s = o.warmup_s = o.rate = 0;
  if (o.connections < a.connections_only) {
    idle.error_samples.push_back("fd limit " + std::to_string(idle.fd_limit) + ": asked for " +
                                 std::to_string(a.connections_only) + " connections");
  }
  const Protocol p = protocol_of(a);
  bench::Workload check{
      "idle check", p,
      a.workload == "echo" ? bench::RequestTemplate::echo(p, 1) : encode(p, {"PING"})};
  idle.server_pid = a.server_pid;
  if (a.server_pid) idle.rss_before_kib = bench::process_rss_kib(a.server_pid);

  bench::LoadRun run(o, check);
  if (auto r = run.connect(); !r) {
    ++idle.errors;
    idle.error_samples.push_back(r.error().message());
  }
  idle.opened = run.connections_open();
  idle.connect_s = run.connect_seconds();
  bench::RunResult result = run.run({});
  idle.answered = result.connections_served;
  idle.errors += result.errors();
  for (auto& s : result.error_samples) idle.error_samples.push_back(std::move(s));
  if (a.server_pid) idle.rss_after_kib = bench::process_rss_kib(a.server_pid);
  run.close();

  emit(a.json ? bench::format_json(config, {}, &idle) : bench::format_idle(config, idle));
  return idle.errors == 0 && idle.opened == idle.asked ? kExitOk : kExitIoErr;
}

int run_bench(BenchArgs& a) {
  std::vector<net::Endpoint> targets;  // the address: one, or several separated by commas
  for (std::size_t start = 0; start <= a.address.size();) {
    const std::size_t comma = std::min(a.address.find(',', start), a.address.size());
    auto endpoint = net::parse_endpoint(a.address.substr(start, comma - start));
    if (!endpoint) {
      std::fprintf(stderr, "tcpkit bench: %s; see tcpkit bench --help\n",
                   endpoint.error().message().c_str());
      return kExitUsage;
    }
    targets.push_back(*endpoint);
    start = comma + 1;
  }
  if (targets.size() > 1 && a.connections_only > 0) {
    return usage_error("--connections-only takes one address");
  }
  if (!a.user.empty() && a.password.empty()) return usage_error("--user needs -a PASSWORD");
  bench::KeyPattern writes = bench::KeyPattern::kUniform, reads = writes;
  if (std::string why = key_patterns(a.key_pattern, writes, reads); !why.empty()) {
    return usage_error(why);
  }
  if (a.data_verify) {
    if (a.workload != "resp" || !a.command.empty() || a.keyspace == 0) {
      return usage_error("--data-verify needs resp, the standard tests (no command) and -r N");
    }
    if (a.data_size == 0) a.data_size = 12;
    if (a.data_size < 12) {
      return usage_error("--data-verify needs -d 12 or more (each value spells its key), got " +
                         std::to_string(a.data_size));
    }
  }
  const net::Endpoint& endpoint = targets.front();
  if (a.data_size == 0) a.data_size = a.workload == "echo" ? 64 : 3;
  if (a.requests == 0 && a.duration <= 0) a.requests = 100000;
  if (a.requests > 0 && a.duration > 0) {
    std::fprintf(stderr, "tcpkit bench: -n and --duration do not fit together; choose one\n");
    return kExitConfig;
  }
  bench::RunConfig config{a.address,  a.workload, a.framing,   a.connections,
                          a.pipeline, a.threads,  a.requests,  a.duration,
                          a.warmup,   a.rate,     a.data_size, a.keyspace};
  if (a.connections_only > 0) {
    config.connections = a.connections_only;
    config.pipeline = 1;
    config.requests = static_cast<std::uint64_t>(a.connections_only);
    return run_idle(a, config, endpoint);
  }
  if (a.connections > 1) (void)bench::raise_fd_limit();

  std::vector<bench::Workload> workloads;
  if (!build_workloads(a, workloads)) return kExitUsage;
  const bench::EngineOptions options = engine_options(a, endpoint);
  std::vector<bench::TestReport> reports;
  int exit_code = kExitOk;
  if (a.csv) emit(bench::csv_header());
  for (const auto& w : workloads) {
    bench::EngineOptions for_test = options;
    for_test.keys.pattern = w.name == "GET" ? reads : writes;
    auto report = run_test(a, for_test, targets, w, &exit_code);
    if (!report) return exit_code;
    if (a.csv) {
      emit(bench::format_csv(*report));
    } else if (a.quiet) {
      emit(bench::format_quiet(*report));
    } else if (!a.json) {
      emit(bench::format_summary(config, *report) + "\n");
    }
    if (report->result.errors() > 0) exit_code = kExitIoErr;
    if (!a.hdr_out.empty()) {
      const std::string path = hdr_path(a.hdr_out, report->name, workloads.size() > 1);
      std::FILE* f = std::fopen(path.c_str(), "w");
      const std::string text = bench::format_hgrm(report->result.latency);
      if (f == nullptr || std::fwrite(text.data(), 1, text.size(), f) != text.size()) {
        std::fprintf(stderr, "tcpkit bench: --hdr-out %s: %s\n", path.c_str(),
                     std::strerror(errno));
        if (f != nullptr) std::fclose(f);
        return kExitCantCreate;
      }
      std::fclose(f);
    }
    reports.push_back(std::move(*report));
  }
  if (a.json) emit(bench::format_json(config, reports, nullptr));
  if (a.data_verify) {
    const int verified = verify_data(targets, {a.keyspace, a.data_size, a.user, a.password});
    if (verified != kExitOk) return verified;
  }
  return exit_code;
}

// "30", "30s", "1.5m", "500ms", "2h": seconds, as a CLI11 transform (the option then parses
// a plain number).
const CLI::Validator kSeconds(
    [](std::string& s) -> std::string {
      static constexpr std::pair<std::string_view, double> kUnits[] = {
          {"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"", 1}};
      for (const auto& [unit, factor] : kUnits) {
        if (s.size() < unit.size() || s.compare(s.size() - unit.size(), unit.size(), unit) != 0)
          continue;
        double v = 0;
        if (!detail::parse_number(s.substr(0, s.size() - unit.size()), v) || v < 0) break;
        s = std::to_string(v * factor);
        return {};
      }
      return "must be seconds (30, 30s, 1.5m, 500ms, 2h), got '" + s + "'";
    },
    "DURATION");

// The options of bench itself that a command after -- must not contain (they would be sent to
// the server as arguments): "-r", "--keyspace", ...
std::vector<std::string> own_option_names(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const CLI::Option* o : cmd.get_options()) {
    for (const std::string& n : o->get_snames()) names.push_back("-" + n);
    for (const std::string& n : o->get_lnames()) names.push_back("--" + n);
  }
  return names;
}

}  // namespace

void add_bench(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Load-test a server: echo (raw, line or length framing), resp (Redis: PING, SET, GET, "
      "INCR, MSET or any command after --) or native (tcpkit kv's own protocol). Closed loop "
      "(-c connections, -P pipeline) or open loop (-R requests/s, latency from the intended "
      "send time). Prints min, p50, p90, p99, p99.9, p99.99 and max latency. Exit 0 when every "
      "request was answered without error, 74 when some were not.");
  cmd->set_help_flag("--help", "Print this help and exit");  // -h is the host, as redis-benchmark's
  cmd->add_option("workload", args->workload, "echo, resp or native")
      ->check(CLI::IsMember({"echo", "resp", "native"}))
      ->required();
  cmd->add_option("address", args->address,
                  "HOST:PORT, [V6]:PORT, unix:/PATH or unix:@NAME (or -h/-p/-s; default "
                  "127.0.0.1:6379); several, separated by commas, load each with its own -c "
                  "connections at once (-n and -R shared out) and report them together");
  CLI::Option* host = cmd->add_option("-h", args->host, "Server host (redis-benchmark's -h)");
  CLI::Option* port = cmd->add_option("-p", args->port, "Server port (redis-benchmark's -p)")
                          ->check(CLI::Range(1, 65535));
  CLI::Option* socket = cmd->add_option("-s", args->socket, "Server Unix socket path");
  cmd->add_option("command", args->command,
                  "resp/native: a command to run instead of the standard tests, after --; "
                  "__rand_int__ in an argument becomes a random key number (with -r)");
  cmd->add_option("-t,--tests", args->tests,
                  "resp/native: comma-separated tests, as redis-benchmark's -t (default "
                  "ping,set,get,incr,mset)");
  cmd->add_option("--framing", args->framing, "echo: raw, line or length")
      ->check(CLI::IsMember({"raw", "line", "length"}))
      ->capture_default_str();
  cmd->add_option("-c,--connections", args->connections, "Connections")
      ->check(kPositive)
      ->capture_default_str();
  cmd->add_option("-P,--pipeline", args->pipeline, "Requests in flight per connection")
      ->check(kPositive)
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Threads, each its own epoll loop")
      ->check(kPositive)
      ->capture_default_str();
  cmd->add_option("-n,--requests", args->requests, "Measured requests (default 100000)")
      ->check(kPositive);
  cmd->add_option("--duration,--test-time", args->duration,
                  "Time to measure, instead of -n: seconds, or with a unit (30s, 1.5m, 500ms)")
      ->transform(kSeconds);
  cmd->add_option("--warmup", args->warmup, "Time of load before measuring (units as --duration)")
      ->transform(kSeconds);
  cmd->add_option("-R,--rate", args->rate,
                  "Open loop: requests/s in total, sent on a schedule (latency counts from each "
                  "request's intended send time)")
      ->check(kNonNegative);
  cmd->add_option("-d,--data-size", args->data_size,
                  "Bytes per value (resp/native, default 3) or per echo message (default 64)")
      ->check(kPositive);
  cmd->add_option("-r,--keyspace", args->keyspace,
                  "Random keys: __rand_int__ becomes a number in [0, N) per request")
      ->check(kNonNegative);
  cmd->add_option("--key-pattern", args->key_pattern,
                  "How -r draws key numbers, in memtier's letters: R uniform (default), G "
                  "Gaussian around N/2, Z Zipf (0 the hottest key), S sequential; or "
                  "WRITES:READS (R:Z), the second for GET")
      ->capture_default_str();
  cmd->add_option("--key-zipf-exp", args->zipf_exponent,
                  "Z: the exponent s (key k drawn with weight 1/(k+1)^s)")
      ->check(kPositive)
      ->capture_default_str();
  cmd->add_option("--key-stddev", args->key_stddev,
                  "G: the standard deviation, in keys (default N/6)")
      ->check(kPositive);
  cmd->add_flag("--data-verify", args->data_verify,
                "resp with -r: each value spells its key (-d 12 or more; 12 by default), and "
                "after the tests every key:N of the key space is read back from each target "
                "and checked (memtier's --data-verify); exit 65 when one differs");
  cmd->add_option("-a,--pass", args->password,
                  "Password: every connection says AUTH first (redis-benchmark's -a)");
  cmd->add_option("--user", args->user, "User name for AUTH (needs -a)");
  cmd->add_option("--timeout", args->timeout, "Seconds without any reply before giving up")
      ->check(kPositive)
      ->capture_default_str();
  cmd->add_option("--connections-only", args->connections_only,
                  "Open N idle connections (raising the fd limit), check each answers once, "
                  "report the connect rate and, with --server-pid, the server's memory per "
                  "connection")
      ->check(kPositive);
  cmd->add_option("--server-pid", args->server_pid,
                  "Watch this server process in /proc: CPU us per request, memory per connection");
  cmd->add_option("--seed", args->seed, "Seed for the random keys")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print one JSON document (schema tcpkit-bench/1)");
  cmd->add_option("--hdr-out", args->hdr_out,
                  "Write each test's latency spectrum to FILE in HdrHistogram's .hgrm text "
                  "(values in ms; with several tests, FILE.test.hgrm each), for plotting");
  cmd->add_flag("--csv", args->csv,
                "Print CSV, one row per test, in redis-benchmark --csv's columns (test, rps, "
                "avg, min, p50, p95, p99, max latency in ms)");
  cmd->add_flag("-q,--quiet", args->quiet, "One line per test, like redis-benchmark -q");
  cmd->footer(
      "Examples:\n"
      "  tcpkit bench resp -p 6379 -t set,get -n 100000 -q      (as redis-benchmark)\n"
      "  tcpkit bench resp 127.0.0.1:6379 -c 50 -P 16 --duration 10s\n"
      "  tcpkit bench resp -p 6379 -r 1000 -- HSET h __rand_int__ v\n"
      "  tcpkit bench resp -p 6379 -t set,get -r 100000 --key-pattern R:Z --data-verify\n"
      "  tcpkit bench resp 127.0.0.1:6379,127.0.0.1:6380 -c 20 --hdr-out lat.hgrm\n"
      "Everything after -- is the command; bench's own options go before it.");
  cmd->callback([args, cmd, host, port, socket, &exit_code] {
    const auto names = own_option_names(*cmd);
    for (const std::string& word : args->command) {
      if (std::find(names.begin(), names.end(), word) != names.end()) {
        std::fprintf(stderr,
                     "tcpkit bench: %s after the command would be sent to the server as an "
                     "argument; put bench's options before --; see tcpkit bench --help\n",
                     word.c_str());
        exit_code = kExitUsage;
        return;
      }
    }
    if (host->count() + port->count() + socket->count() > 0) {
      // -h/-p/-s say the address: a positional "address" was the command's first word.
      if (!args->address.empty()) args->command.insert(args->command.begin(), args->address);
      net::Endpoint endpoint;  // one text for every form: [v6]:port, host:port, unix:/path
      endpoint.host = args->host;
      endpoint.port = static_cast<std::uint16_t>(args->port);
      if (!args->socket.empty()) {
        endpoint.kind = net::EndpointKind::kUnixPath;
        endpoint.path = args->socket;
      }
      args->address = endpoint.to_string();
    } else if (args->address.empty()) {
      args->address = "127.0.0.1:6379";
    }
    exit_code = run_bench(*args);
  });
}

}  // namespace tcpkit::cli
