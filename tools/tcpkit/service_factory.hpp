#pragma once
// The services `tcpkit serve` knows, their options, and how to build one.

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "tcpkit/base/result.hpp"
#include "tcpkit/server/options.hpp"
#include "tcpkit/server/service.hpp"

namespace tcpkit::cli {

struct ServiceArgs {
  // echo
  std::string framing = "raw";
  std::size_t max_frame = 32u << 20;
  // kv
  std::string protocol = "resp";
  std::string requirepass;
  std::string maxmemory = "0";
  std::size_t max_bulk_length = 512u << 20;
  std::string protected_mode = "yes";
  std::string dir;  // "": the working directory
  std::string dbfilename = "dump.rdb";
  std::string save;
  std::string notify_keyspace_events;
  std::string maxmemory_policy = "noeviction";
  std::string appendonly = "no";
  std::string appendfsync = "everysec";
  std::string appendfilename = "appendonly.aof";
  std::string appenddirname = "appendonlydir";
};

std::vector<std::string> service_names();
std::string default_listen(const std::string& service);
void add_service_options(CLI::App& cmd, ServiceArgs& args);
// Builds the service; may adjust server options it depends on (kv: the input limit).
Result<std::unique_ptr<server::Service>> make_service(const std::string& name,
                                                      const ServiceArgs& args,
                                                      server::ServerOptions& options);

}  // namespace tcpkit::cli
