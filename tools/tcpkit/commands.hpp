#pragma once
// The subcommands of the tcpkit binary. Each add_* registers its options on `app` and arranges
// for `exit_code` to be set when it runs.

#include <CLI/CLI.hpp>

namespace tcpkit::cli {

void add_serve(CLI::App& app, int& exit_code);
void add_connect(CLI::App& app, int& exit_code);
void add_call(CLI::App& app, int& exit_code);
void add_bench(CLI::App& app, int& exit_code);
void add_lab(CLI::App& app, int& exit_code);

}  // namespace tcpkit::cli
