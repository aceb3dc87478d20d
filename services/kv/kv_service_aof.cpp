// KvService and the append-only file: loading at start-up, CONFIG SET appendonly, the tick's
// rewrite and retry (see aof_log.hpp; the records of commands: aof_propagate.hpp).

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "kv/aof_format.hpp"
#include "kv/kv_service.hpp"
#include "kv/kv_session.hpp"
#include "kv/scripting.hpp"
#include "kv/text.hpp"
#include "tcpkit/codec/resp.hpp"

namespace tcpkit::kv {

namespace {

Fail load_error(const std::string& what) {
  return Fail(Error(std::make_error_code(std::errc::invalid_argument), what));
}

Result<std::string> read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(Error::from_errno(errno, "open " + path));
  std::string text;
  char chunk[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Fail(Error::from_errno(err, "read " + path));
    }
    if (n == 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

// Replays the records of one file through `session`. A record cut short at the end of the last
// file (a crash mid-write) is dropped, and the file truncated to its last whole record, as
// Redis's aof-load-truncated yes does; so is a MULTI left without its EXEC. Anything else that is
// not a record stops the load with its offset.
Result<std::uint64_t> replay(KvSession& session, const std::string& path, std::string_view bytes,
                             bool last) {
  io::Buffer scratch;
  codec::RespWriter out(scratch);
  std::uint64_t commands = 0;
  std::size_t pos = 0;
  std::size_t multi_at = std::string::npos;  // where the open MULTI began
  while (pos < bytes.size()) {
    aof::ParsedRecord r = aof::parse_record(bytes, pos);
    if (r.status == aof::ParsedRecord::Status::kCorrupt) {
      return load_error("Bad file format reading the append only file " + path + " at offset " +
                        std::to_string(pos) + " (" + r.error +
                        "): make a backup of your AOF file, then use redis-check-aof --fix "
                        "<filename.manifest>");
    }
    if (r.status == aof::ParsedRecord::Status::kTruncated) break;
    if (iequals(r.args[0], "multi")) multi_at = pos;
    if (iequals(r.args[0], "exec")) multi_at = std::string::npos;
    session.execute(r.args, out);
    scratch.clear();
    ++commands;
    pos = r.end;
  }
  std::size_t valid = pos;
  if (multi_at != std::string::npos) {
    const std::string_view discard[] = {"DISCARD"};
    session.execute(discard, out);
    valid = multi_at;
  }
  if (valid == bytes.size()) return commands;
  if (!last) {
    return load_error("Unexpected end of the append only file " + path + " at offset " +
                      std::to_string(valid) + " (it is not the last file): use redis-check-aof");
  }
  std::fprintf(stderr,
               "kv: !!! Warning: short read while loading the AOF file %s: the last %zu bytes "
               "(from offset %zu) are an incomplete record, most likely from a crash mid-write; "
               "they are dropped and the file truncated\n",
               path.c_str(), bytes.size() - valid, valid);
  if (::truncate(path.c_str(), static_cast<off_t>(valid)) != 0) {
    return Fail(Error::from_errno(errno, "truncate " + path));
  }
  return commands;
}

}  // namespace

std::string_view appendfsync_name(AppendFsync policy) {
  switch (policy) {
    case AppendFsync::kAlways:
      return "always";
    case AppendFsync::kEverysec:
      return "everysec";
    case AppendFsync::kNo:
      return "no";
  }
  return "everysec";
}

std::optional<AppendFsync> parse_appendfsync(std::string_view name) {
  if (iequals(name, "always")) return AppendFsync::kAlways;
  if (iequals(name, "everysec")) return AppendFsync::kEverysec;
  if (iequals(name, "no")) return AppendFsync::kNo;
  return std::nullopt;
}

AofLog::Paths KvService::aof_paths() {
  std::lock_guard lock(config_mutex_);
  return AofLog::Paths{config_.dir, config_.appenddirname, config_.appendfilename};
}

Result<std::string> KvService::load_at_start() {
  if (!config_.appendonly.load()) {
    auto loaded = load_dump();
    if (!loaded) return Fail(loaded.error());
    if (!*loaded) return std::string();
    return "loaded " + std::to_string((*loaded)->keys_loaded) + " keys from " + dump_path() + " (" +
           std::to_string((*loaded)->keys_expired) + " expired keys skipped)";
  }
  const AofLog::Paths paths = aof_paths();
  bool exists = false;
  auto manifest = AofLog::read_manifest(paths, exists);
  if (!manifest) return Fail(manifest.error());
  std::string said;
  if (exists) {
    const std::string dir = paths.directory();
    std::uint64_t keys = 0;
    std::uint64_t commands = 0;
    auto session = open_kv_session(server::SessionInfo{});
    session->trust();
    if (const aof::ManifestEntry* base = manifest->base()) {
      const std::string path = dir + "/" + base->file;
      if (base->file.ends_with(".aof")) {  // aof-use-rdb-preamble no: commands
        auto bytes = read_file(path);
        if (!bytes) return Fail(bytes.error());
        auto n = replay(*session, path, *bytes, false);
        if (!n) return Fail(n.error());
        commands += *n;
      } else {
        auto loaded = rdb::load_file(store_, path, config_.encodings, store_.clock().now_ms());
        if (!loaded) return Fail(loaded.error());
        keys = loaded->keys_loaded;
        std::string error;
        if (!loaded->functions.empty() &&
            !scripting().restore_libraries(loaded->functions, ScriptEngine::RestorePolicy::kAppend,
                                           error)) {
          return Fail(Error(std::make_error_code(std::errc::bad_message),
                            path + ": a function library does not load: " + error));
        }
      }
    }
    const auto incrs = manifest->incrs();
    for (std::size_t i = 0; i < incrs.size(); ++i) {
      const std::string path = dir + "/" + incrs[i]->file;
      auto bytes = read_file(path);
      if (!bytes) return Fail(bytes.error());
      auto n = replay(*session, path, *bytes, i + 1 == incrs.size());
      if (!n) return Fail(n.error());
      commands += *n;
    }
    session.reset();
    said = "loaded the append-only file " + paths.manifest_path() + ": " + std::to_string(keys) +
           " keys from the base, then " + std::to_string(commands) + " commands";
  }
  ShardLock all(store_.shards(), kAllShards);
  auto started = aof_.start(paths, std::move(*manifest), config_.appendfsync.load(), store_,
                            store_.clock().now_ms(), /*fresh_base=*/false);
  if (!started) return Fail(started.error());
  return said;
}

Result<void> KvService::set_appendonly(bool on, AppendFsync fsync, const AofLog::Paths& paths) {
  if (!on) {
    aof_.stop();
    return {};
  }
  bool exists = false;
  auto manifest = AofLog::read_manifest(paths, exists);
  if (!manifest) return Fail(manifest.error());
  // The store as it is now is the new base: the files of an older log are history.
  return aof_.start(paths, std::move(*manifest), fsync, store_, store_.clock().now_ms(),
                    /*fresh_base=*/true);
}

std::string KvService::disk_error() const {
  if (config_.stop_writes_on_bgsave_error.load() && config_.has_save_points.load() &&
      !snapshots_.last_bgsave_ok()) {
    return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
           "persist to disk. Commands that may modify the data set are disabled, because this "
           "instance is configured to report errors during writes if RDB snapshotting fails "
           "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
           "the RDB error.";
  }
  if (aof_.write_failed()) {
    return "MISCONF Errors writing to the AOF file: " +
           std::string(std::strerror(aof_.write_errno()));
  }
  return {};
}

void KvService::aof_tick() {
  aof_.tick();
  aof_.reap_rewrite();
  if (aof_.rewrite_in_progress() || snapshots_.in_progress()) return;
  if (!aof_.rewrite_due(config_.auto_aof_rewrite_percentage.load(),
                        config_.auto_aof_rewrite_min_size.load())) {
    return;
  }
  ShardLock all(store_.shards(), kAllShards);
  aof_.start_rewrite(store_, store_.clock().now_ms(), store_.used_memory());
}

}  // namespace tcpkit::kv
