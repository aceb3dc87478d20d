#include "service_factory.hpp"

#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cstdio>

#include "echo/echo_service.hpp"
#include "kv/kv_service.hpp"
#include "kv/notify.hpp"

namespace tcpkit::cli {

std::vector<std::string> service_names() { return {"echo", "kv"}; }

std::string default_listen(const std::string& service) {
  return service == "kv" ? "127.0.0.1:6379" : "127.0.0.1:7000";
}

void add_service_options(CLI::App& cmd, ServiceArgs& args) {
  auto* echo = cmd.add_option_group("echo", "Options of the echo service");
  echo->add_option("--framing", args.framing,
                   "echo: raw (bytes as they come), line (LF or CRLF lines), length (4-byte "
                   "little-endian length, then the payload): whole messages are echoed")
      ->check(CLI::IsMember({"raw", "line", "length"}))
      ->capture_default_str();
  echo->add_option("--max-frame", args.max_frame,
                   "echo: longest line or frame in bytes; a longer one closes the connection")
      ->capture_default_str();
  auto* kv = cmd.add_option_group("kv", "Options of the kv service");
  kv->add_option("--protocol", args.protocol,
                 "kv: resp (Redis clients) or native (length-prefixed typed values)")
      ->check(CLI::IsMember({"resp", "native"}))
      ->capture_default_str();
  kv->add_option("--requirepass", args.requirepass, "kv: password clients must AUTH with");
  kv->add_option("--maxmemory", args.maxmemory,
                 "kv: memory limit for data (bytes, or with kb/mb/gb); writes past it get "
                 "Redis's OOM error (0 = no limit)")
      ->capture_default_str();
  kv->add_option("--max-bulk-length", args.max_bulk_length,
                 "kv: largest string argument in bytes (Redis proto-max-bulk-len)")
      ->capture_default_str();
  kv->add_option("--protected-mode", args.protected_mode,
                 "kv: yes refuses clients that are not on loopback or a Unix socket while no "
                 "--requirepass is set (Redis's DENIED error); no serves everyone")
      ->transform(CLI::IsMember({"yes", "no"}, CLI::ignore_case))
      ->capture_default_str();
  kv->add_option("--dir", args.dir,
                 "kv: directory of the RDB snapshot (SAVE, BGSAVE; loaded at start-up when "
                 "present); default: the working directory")
      ->check(CLI::ExistingDirectory);
  kv->add_option("--dbfilename", args.dbfilename, "kv: file name of the RDB snapshot in --dir")
      ->capture_default_str();
  kv->add_option("--save", args.save,
                 "kv: save points as Redis's, \"<seconds> <changes> ...\" (\"3600 1 300 100\"); "
                 "empty: save only on SAVE/BGSAVE")
      ->capture_default_str();
  kv->add_option("--maxmemory-policy", args.maxmemory_policy,
                 "kv: what --maxmemory does when reached: noeviction (writes fail with OOM), or "
                 "evict keys: allkeys-lru, volatile-lru, allkeys-random, volatile-random, "
                 "volatile-ttl (the LFU policies are not supported)")
      ->capture_default_str();
  kv->add_option("--notify-keyspace-events", args.notify_keyspace_events,
                 "kv: keyspace notifications as Redis's setting: K and/or E with the event "
                 "classes g $ l s h z x e t d n m, or A for g$lshzxetd (\"KEA\"); empty: none");
  kv->add_option("--appendonly", args.appendonly,
                 "kv: yes logs every write to the append-only file in --dir/--appenddirname "
                 "(loaded at start-up instead of the RDB snapshot)")
      ->transform(CLI::IsMember({"yes", "no"}, CLI::ignore_case))
      ->capture_default_str();
  kv->add_option("--appendfsync", args.appendfsync,
                 "kv: always (a reply leaves after its write is on disk), everysec (fsync once a "
                 "second), no (the kernel decides)")
      ->transform(CLI::IsMember({"always", "everysec", "no"}, CLI::ignore_case))
      ->capture_default_str();
  kv->add_option("--appendfilename", args.appendfilename, "kv: base name of the append-only files")
      ->capture_default_str();
  kv->add_option("--appenddirname", args.appenddirname,
                 "kv: directory of the append-only files, in --dir")
      ->capture_default_str();
}

namespace {

// "100", "64kb", "512mb", "2gb" (Redis's memory units: k/kb, m/mb, g/gb; kb = 1024).
Result<std::uint64_t> parse_memory(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, value);
  std::string unit(p, end);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  if (unit == "k" || unit == "kb") scale = 1ull << 10;
  if (unit == "m" || unit == "mb") scale = 1ull << 20;
  if (unit == "g" || unit == "gb") scale = 1ull << 30;
  if (ec != std::errc() || p == text.data() || scale == 0) {
    return Fail(Error(std::make_error_code(std::errc::invalid_argument),
                      "--maxmemory '" + text + "': expected bytes, optionally with kb, mb or gb"));
  }
  return value * scale;
}

}  // namespace

Result<std::unique_ptr<server::Service>> make_service(const std::string& name,
                                                      const ServiceArgs& args,
                                                      server::ServerOptions& options) {
  if (name == "kv") {
    kv::KvOptions ko;
    auto maxmemory = parse_memory(args.maxmemory);
    if (!maxmemory) return Fail(maxmemory.error());
    ko.maxmemory = *maxmemory;
    ko.requirepass = args.requirepass;
    ko.max_bulk_length = args.max_bulk_length;
    ko.max_clients = options.max_connections;
    ko.protected_mode = args.protected_mode == "yes";
    ko.protocol = args.protocol == "native" ? kv::Protocol::kNative : kv::Protocol::kResp;
    if (args.dbfilename.find('/') != std::string::npos) {
      return Fail(Error(std::make_error_code(std::errc::invalid_argument),
                        "--dbfilename '" + args.dbfilename + "': a file name, not a path"));
    }
    if (!kv::parse_save_points(args.save)) {
      return Fail(Error(std::make_error_code(std::errc::invalid_argument),
                        "--save '" + args.save + "': expected \"<seconds> <changes>\" pairs"));
    }
    if (!kv::parse_notify_flags(args.notify_keyspace_events)) {
      return Fail(Error(std::make_error_code(std::errc::invalid_argument),
                        "--notify-keyspace-events '" + args.notify_keyspace_events +
                            "': invalid class character; use 'Ag$lshzxeKEtmdn'"));
    }
    ko.notify_keyspace_events = args.notify_keyspace_events;
    auto policy = kv::parse_eviction_policy(args.maxmemory_policy);
    if (!policy) {
      return Fail(Error(std::make_error_code(std::errc::invalid_argument),
                        "--maxmemory-policy '" + args.maxmemory_policy +
                            "': expected noeviction, allkeys-lru, volatile-lru, allkeys-random, "
                            "volatile-random or volatile-ttl"));
    }
    ko.maxmemory_policy = *policy;
    ko.dir = args.dir;
    ko.dbfilename = args.dbfilename;
    ko.save = args.save;
    for (const std::string* file : {&args.appendfilename, &args.appenddirname}) {
      if (file->empty() || file->find('/') != std::string::npos) {
        return Fail(
            Error(std::make_error_code(std::errc::invalid_argument),
                  "--appendfilename/--appenddirname '" + *file + "': a file name, not a path"));
      }
    }
    ko.appendonly = args.appendonly == "yes";
    ko.appendfsync = *kv::parse_appendfsync(args.appendfsync);
    ko.appendfilename = args.appendfilename;
    ko.appenddirname = args.appenddirname;
    // SHUTDOWN: the same graceful drain as a signal (serve's ShutdownSignals).
    ko.shutdown = [] { ::kill(::getpid(), SIGTERM); };
    // SHUTDOWN NOSAVE under a busy script: no drain could finish; exit 0 as redis-server does.
    ko.exit_now = [] {
      std::fflush(nullptr);
      ::_exit(0);
    };
    auto service = std::make_unique<kv::KvService>(std::move(ko));
    // Before any connection is accepted, as Redis loads its dump.
    auto loaded = service->load_at_start();
    if (!loaded) {
      const char* what = args.appendonly == "yes" ? "the append-only file" : "the snapshot";
      return Fail(Error(loaded.error().code(),
                        std::string("kv: cannot load ") + what + ": " + loaded.error().context()));
    }
    if (!loaded->empty()) std::fprintf(stderr, "kv: %s\n", loaded->c_str());
    return std::unique_ptr<server::Service>(std::move(service));
  }
  if (name == "echo") {
    echo::EchoOptions eo;
    eo.framing = *echo::parse_framing(args.framing);
    eo.max_frame = args.max_frame;
    return echo::make_echo_service(eo);
  }
  return Fail(
      Error(std::make_error_code(std::errc::invalid_argument), "unknown service '" + name + "'"));
}

}  // namespace tcpkit::cli
