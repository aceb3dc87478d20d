// tcpkit serve: run a service (echo, kv) under a chosen concurrency model.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "commands.hpp"
#include "echo/echo_service.hpp"
#include "exit_codes.hpp"
#include "service_factory.hpp"
#include "tcpkit/net/trace.hpp"
#include "tcpkit/server/log.hpp"
#include "tcpkit/server/server.hpp"
#include "tcpkit/server/signals.hpp"
#include "validators.hpp"

namespace tcpkit::cli {

namespace {

struct ServeArgs {
  std::string service = "echo";
  std::vector<std::string> listen;
  std::string model = "epoll";
  double idle_timeout = 0;
  double drain_timeout = 5;
  double output_soft_seconds = 60;
  std::string unix_mode;
  std::string trace;  // "", "on" or "verbose"
  server::ServerOptions options;
  ServiceArgs service_args;
};

std::chrono::milliseconds seconds_to_ms(double s) {
  return std::chrono::milliseconds(static_cast<long long>(s * 1000.0));
}

int run_serve(ServeArgs& args) {
  auto model = server::parse_model(args.model);
  if (!model) {
    std::fprintf(stderr,
                 "tcpkit serve: unknown model '%s' (iterative, fork, thread, epoll, reactors)\n",
                 args.model.c_str());
    return kExitUsage;
  }
  server::ServerOptions& o = args.options;
  o.model = *model;
  o.idle_timeout = seconds_to_ms(args.idle_timeout);
  o.drain_timeout = seconds_to_ms(args.drain_timeout);
  o.output_soft_seconds = std::chrono::seconds(static_cast<long long>(args.output_soft_seconds));
  if (!args.unix_mode.empty()) {
    char* end = nullptr;
    const unsigned long mode = std::strtoul(args.unix_mode.c_str(), &end, 8);
    if (*end != '\0' || mode > 07777) {
      std::fprintf(stderr, "tcpkit serve: --unix-mode '%s' is not an octal mode such as 700\n",
                   args.unix_mode.c_str());
      return kExitUsage;
    }
    o.unix_mode = static_cast<mode_t>(mode);
  }
  o.listen =
      args.listen.empty() ? std::vector<std::string>{default_listen(args.service)} : args.listen;
  if (args.trace == "verbose") {
    net::set_trace_verbose();
  } else {
    net::set_trace(args.trace == "on");
  }
  server::log::set_verbose(o.verbose);

  auto service = make_service(args.service, args.service_args, o);
  if (!service) {
    std::fprintf(stderr, "tcpkit serve: %s\n", service.error().message().c_str());
    return kExitUsage;
  }
  server::Server server(o, **service);
  // Before open(): a signal sent right after the ready line must start a drain, not kill us.
  auto signals = server::ShutdownSignals::install(server);
  if (!signals) {
    std::fprintf(stderr, "tcpkit serve: %s\n", signals.error().message().c_str());
    return exit_code_for(signals.error());
  }
  if (auto r = server.open(); !r) {
    std::fprintf(stderr, "tcpkit serve: %s\n", r.error().message().c_str());
    return exit_code_for(r.error());
  }
  std::string where;
  for (const auto& e : server.local_endpoints()) where += (where.empty() ? "" : ", ") + e;
  std::printf("tcpkit serve %s: listening on %s (model %s%s, pid %d)\n", args.service.c_str(),
              where.c_str(), std::string(server::to_string(o.model)).c_str(),
              o.model == server::Model::kReactors
                  ? (", " + std::to_string(o.loop_count()) + " threads").c_str()
                  : "",
              static_cast<int>(::getpid()));
  std::fflush(stdout);
  if (auto r = server.run(); !r) {
    std::fprintf(stderr, "tcpkit serve: %s\n", r.error().message().c_str());
    return exit_code_for(r.error());
  }
  server::log::info("stopped");
  return kExitOk;
}

}  // namespace

void add_serve(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Run a server. Prints one line when ready: where it listens (the real port when :0 was "
      "asked), the model and the pid. SIGINT/SIGTERM: stop accepting and reading, write the "
      "reply of every request already run, close cleanly, exit 0 within --drain-timeout; a "
      "second signal exits at once (status 1).");
  cmd->add_option("service", args->service, "The service: echo or kv")
      ->check(CLI::IsMember(service_names()))
      ->capture_default_str();
  cmd->add_option("-l,--listen", args->listen,
                  "Address to listen on, repeatable: HOST:PORT, [V6]:PORT, :PORT (all "
                  "interfaces, dual stack), unix:/PATH, unix:@ABSTRACT. Port 0 picks a free "
                  "port. Default 127.0.0.1:7000 (kv: 127.0.0.1:6379)");
  cmd->add_option("-m,--model", args->model,
                  "Concurrency model: iterative (one client at a time), fork (process per "
                  "connection), thread (thread per connection), epoll (one event loop), "
                  "reactors (one event loop per thread)")
      ->check(CLI::IsMember({"iterative", "fork", "thread", "epoll", "reactors"}))
      ->capture_default_str();
  cmd->add_option("-t,--threads", args->options.threads,
                  "reactors: number of event loops (0 = one per core)")
      ->capture_default_str();
  cmd->add_flag("-u,--udp", args->options.udp,
                "Datagram sockets (UDP, or Unix datagram for unix: addresses): each datagram is "
                "answered to its sender");
  cmd->add_option(
         "--max-connections", args->options.max_connections,
         "Connections served at once; one more is accepted, told so where the protocol has "
         "a way (kv: -ERR max number of clients reached) and closed")
      ->check(kPositive)
      ->capture_default_str();
  cmd->add_option("--idle-timeout", args->idle_timeout,
                  "Close a connection that neither sent nor took anything for this many seconds "
                  "(0 = never)")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--drain-timeout", args->drain_timeout,
                  "On shutdown, seconds to let owed replies flush before closing anyway")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--output-high-water", args->options.output_high_water,
                  "Unread reply bytes (or 64kb, 1mb...) at which the server stops running a "
                  "client's requests and reading from it until it reads (backpressure)")
      ->transform(CLI::AsSizeValue(false))
      ->check(kPositive)
      ->capture_default_str();
  cmd->add_option("--output-limit", args->options.output_limit,
                  "Hard limit: a client whose unread replies pass this many bytes (one huge "
                  "reply) is disconnected at once; 0 = none")
      ->transform(CLI::AsSizeValue(false))
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--output-soft-limit", args->options.output_soft_limit,
                  "Soft limit: disconnect a client whose unread replies stay above this many "
                  "bytes for --output-soft-seconds; 0 = none")
      ->transform(CLI::AsSizeValue(false))
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--output-soft-seconds", args->output_soft_seconds,
                  "How long a client may stay above --output-soft-limit")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--input-limit", args->options.input_limit,
                  "Bytes of a request still arriving (query buffer) a client may hold; past "
                  "it, disconnect")
      ->transform(CLI::AsSizeValue(false))
      ->check(kPositive)
      ->capture_default_str();
  cmd->add_option("--unix-mode", args->unix_mode,
                  "Permissions of unix:/PATH socket files, in octal (700 = owner only); "
                  "default: from the umask");
  cmd->add_option("--backlog", args->options.backlog, "listen(2) backlog")->capture_default_str();
  cmd->add_flag("--trace{on}", args->trace,
                "Narrate every socket lifecycle step with its fd and result (socket, "
                "setsockopt, bind, listen, accept, read, write, close, with TCP's state, "
                "round-trip time, retransmissions and bytes acked at close) on stderr; "
                "--trace=verbose adds each epoll_wait wake-up and how many events it returned")
      ->check(CLI::IsMember({"on", "verbose"}));
  cmd->add_flag("-v,--verbose", args->options.verbose, "Log connections and shutdown on stderr");
  add_service_options(*cmd, args->service_args);
  cmd->footer(
      "Examples:\n"
      "  tcpkit serve echo --listen 127.0.0.1:7000 --listen unix:/tmp/echo.sock\n"
      "  tcpkit serve echo --model thread --max-connections 100 --idle-timeout 30\n"
      "  tcpkit serve echo --udp --listen [::1]:7000\n"
      "  tcpkit serve kv --model reactors --threads 4 --maxmemory 1gb\n"
      "Exit status: 0 after a graceful shutdown; 64 bad usage or address; 69 address in use "
      "or service unavailable under the model; 77 permission denied; 71 other system errors.");
  cmd->callback([args, &exit_code] { exit_code = run_serve(*args); });
}

}  // namespace tcpkit::cli
