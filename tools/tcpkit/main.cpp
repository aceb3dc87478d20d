// tcpkit: TCP/UDP/Unix-socket servers and clients, one binary with subcommands.
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "tcpkit/version.hpp"
#include "validators.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "tcpkit: the socket lifecycle done right. Servers with five concurrency models, "
      "a netcat-like client, a Redis-compatible key-value store and a load generator.",
      "tcpkit"};
  app.require_subcommand(1);
  app.failure_message(tcpkit::cli::one_line_failure);
  app.set_version_flag("--version", "tcpkit " TCPKIT_VERSION_STRING);
  int exit_code = tcpkit::cli::kExitOk;
  tcpkit::cli::add_serve(app, exit_code);
  tcpkit::cli::add_connect(app, exit_code);
  tcpkit::cli::add_call(app, exit_code);
  tcpkit::cli::add_bench(app, exit_code);
  tcpkit::cli::add_lab(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return tcpkit::cli::kExitUsage;
  }
  return exit_code;
}
