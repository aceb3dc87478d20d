#pragma once
// kv: a Redis-compatible in-memory key-value service (strings, keys, TTLs, transactions),
// sans-I/O. See docs/kv.md for the commands, the semantics and the threading design.
//
//   auto service = kv::make_kv_service({.requirepass = "s3cret", .maxmemory = 1 << 30});
//   service->attach_stats(&server_stats);          // before the first session (INFO)
//   every service->tick_interval(): service->tick()  // active expiry, rehashing; one thread
//   per connection: service->open_session(info)->on_bytes(input, output)
//
// KvService is thread-safe: sessions on different threads share one Store, split into shards
// with a lock each (store.hpp). A session is used by one thread at a time.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "kv/aof_log.hpp"
#include "kv/client_registry.hpp"
#include "kv/clock.hpp"
#include "kv/encoding_limits.hpp"
#include "kv/monitor.hpp"
#include "kv/pubsub.hpp"
#include "kv/rdb.hpp"
#include "kv/snapshots.hpp"
#include "kv/store.hpp"
#include "tcpkit/base/relaxed.hpp"
#include "tcpkit/server/service.hpp"

namespace tcpkit::kv {

class KvSession;
class ScriptEngine;

enum class Protocol { kResp, kNative };

struct KvOptions {
  std::string requirepass;      // empty: no AUTH needed
  std::uint64_t maxmemory = 0;  // bytes; 0: no limit
  EvictionPolicy maxmemory_policy = EvictionPolicy::kNoEviction;
  std::size_t max_bulk_length = 512u * 1024 * 1024;  // proto-max-bulk-len
  std::size_t max_clients = 10000;                   // maxclients
  // protected-mode: with no requirepass, refuse clients that are not on loopback or a Unix
  // socket (server::SessionInfo::peer_is_local) with Redis's DENIED error.
  bool protected_mode = true;
  Protocol protocol = Protocol::kResp;
  std::shared_ptr<const Clock> clock;  // null: the system clock
  // Snapshots (docs/kv.md, "Persistence: RDB"): the dump is dir/dbfilename; dir "" is the
  // working directory. `save` points as Redis's ("3600 1 300 100"); "" saves only on demand.
  std::string dir;
  std::string dbfilename = "dump.rdb";
  std::string save;
  // notify-keyspace-events (notify.hpp): Redis's class characters; "" sends none. Must parse
  // (parse_notify_flags); make_kv_service throws std::invalid_argument otherwise.
  std::string notify_keyspace_events;
  // The append-only file (docs/kv.md, "Persistence: AOF"): dir/appenddirname holds the
  // manifest and the files named after appendfilename.
  bool appendonly = false;
  AppendFsync appendfsync = AppendFsync::kEverysec;
  std::string appendfilename = "appendonly.aof";
  std::string appenddirname = "appendonlydir";
  // SHUTDOWN calls it (from a session's thread) after any save to stop the server; null: SHUTDOWN
  // fails. `tcpkit serve` sends itself SIGTERM, which drains as for any signal.
  std::function<void()> shutdown;
  // SHUTDOWN NOSAVE while a script is busy calls it instead: the script cannot be left (it
  // holds every shard, and one that wrote cannot be killed), so a drain would never end; the
  // process ends at once, as Redis's does. Null: `shutdown` is called.
  std::function<void()> exit_now;
};

// The service as the server sees it.
std::unique_ptr<server::Service> make_kv_service(KvOptions options);

// The settings CONFIG GET/SET reach. The numbers are Relaxed: any thread reads them without a
// lock. The strings are read and written only under KvService::config_mutex(). CONFIG SET
// changes them all under that mutex.
struct KvConfig {
  EncodingLimits encodings;
  std::string requirepass;
  Relaxed<std::uint64_t> maxmemory = 0;
  Relaxed<EvictionPolicy> maxmemory_policy = EvictionPolicy::kNoEviction;
  Relaxed<std::int64_t> maxmemory_samples = 5;
  Relaxed<std::size_t> max_bulk_length = 0;
  Relaxed<std::size_t> max_clients = 0;
  Relaxed<bool> protected_mode = true;
  std::string save;        // save points, "<seconds> <changes> ..." (snapshots.hpp)
  std::string dir;         // absolute directory of the dump
  std::string dbfilename;  // a file name, no '/'
  // busy-reply-threshold (alias lua-time-limit): a script running longer makes other
  // clients get BUSY.
  Relaxed<std::int64_t> busy_reply_threshold_ms = 5000;
  // notify-keyspace-events: the store's (set once, by KvService).
  KeyspaceEvents* events = nullptr;
  Relaxed<bool> rdbcompression = true;
  Relaxed<bool> rdbchecksum = true;
  Relaxed<bool> stop_writes_on_bgsave_error = true;
  Relaxed<bool> has_save_points = false;  // `save` is not empty (config_changed() sets it)
  Relaxed<bool> appendonly = false;       // the wish; KvService::aof().enabled() is the fact
  Relaxed<AppendFsync> appendfsync = AppendFsync::kEverysec;
  std::string appendfilename;  // immutable after start
  std::string appenddirname;   // immutable after start
  Relaxed<std::int64_t> auto_aof_rewrite_percentage = 100;
  Relaxed<std::uint64_t> auto_aof_rewrite_min_size = 64u << 20;
};

// "always", "everysec", "no" (CONFIG GET appendfsync), and back (nullopt for another word).
std::string_view appendfsync_name(AppendFsync policy);
std::optional<AppendFsync> parse_appendfsync(std::string_view name);

// Redis's limits on a request from a client that has not authenticated while a password is
// required (networking.c): more elements or bytes are a protocol error, checked as the header
// arrives, so an unauthenticated client cannot make the server buffer a large request.
inline constexpr std::size_t kUnauthenticatedMaxArgs = 10;
inline constexpr std::size_t kUnauthenticatedMaxBulk = 16384;

// CLIENT PAUSE: until when (the kv clock's ms; 0: no pause) and whether every command waits
// (ALL) or only those that write or may replicate (WRITE). A held-back command stays in its
// connection's input; the connection looks again at the pause's end, or sooner when CLIENT
// UNPAUSE wakes it. Thread-safe.
class ClientPause {
 public:
  Relaxed<std::int64_t> end_ms = 0;
  Relaxed<bool> all = false;

  // Redis's rule for a pause over a pause: the later end and the stricter mode win.
  void pause(std::int64_t end, bool every_command, std::int64_t now_ms);
  void unpause();
  // Remembers a connection to wake when the pause is lifted early.
  void wait(const std::shared_ptr<server::Outlet>& outlet);

 private:
  std::mutex mutex_;
  std::vector<std::weak_ptr<server::Outlet>> waiting_;
};

class KvService final : public server::Service {
 public:
  explicit KvService(KvOptions options);
  ~KvService() override;

  std::string_view name() const override { return "kv"; }
  std::unique_ptr<server::Session> open_session(const server::SessionInfo& info) override;
  bool shares_state() const override { return true; }
  std::chrono::milliseconds tick_interval() const override {
    return std::chrono::milliseconds(100);
  }
  // Active expiry, incremental rehashing, the ops/sec sample; takes each shard in turn.
  void tick() override;
  void attach_stats(const server::Stats* stats) override { stats_ = stats; }
  // Redis's "-ERR max number of clients reached", framed for this service's protocol.
  std::string_view over_capacity_reply() const override { return over_capacity_reply_; }

  // A session with its concrete type, for tests and tools that call execute().
  std::unique_ptr<KvSession> open_kv_session(const server::SessionInfo& info);

  Store& store() { return store_; }
  KvConfig& config() { return config_; }
  std::mutex& config_mutex() { return config_mutex_; }
  // The password (copied under config_mutex()); empty when none is required.
  std::string requirepass();
  // After config() changed (config_mutex() held): refreshes password_required().
  void config_changed();
  // True while requirepass is set (Redis's "the default user has a password"). Lock-free: a
  // session checks it before decoding each request, to pick its decoder's limits.
  bool password_required() const { return password_required_.load(std::memory_order_acquire); }
  ClientRegistry& clients() { return clients_; }
  PubSub& pubsub() { return pubsub_; }
  Monitors& monitors() { return monitors_; }
  ClientPause& pause() { return pause_; }
  const server::Stats* stats() const { return stats_; }
  Protocol protocol() const { return protocol_; }
  std::uint64_t commands_processed() const { return commands_.load(std::memory_order_relaxed); }
  void count_command() { commands_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t ops_per_sec() const { return ops_per_sec_; }
  // The highest used_memory seen (by the tick or by this call).
  std::size_t peak_memory();
  std::chrono::steady_clock::time_point started() const { return started_; }
  // KEYSPACE hits and misses (INFO stats), from any thread.
  void count_lookup(bool hit) { (hit ? keyspace_hits_ : keyspace_misses_).add(1); }
  std::uint64_t keyspace_hits() const { return keyspace_hits_; }
  std::uint64_t keyspace_misses() const { return keyspace_misses_; }
  // The scripting engine (EVAL, SCRIPT), created on first use so that a server that never runs
  // a script pays nothing for it.
  ScriptEngine& scripting();
  // Null until the first scripting command.
  ScriptEngine* scripting_if_started() const { return scripting_.load(std::memory_order_acquire); }
  // True while a script has been running longer than busy-reply-threshold: other clients get
  // BUSY (kv_session.cpp). Lock-free, any thread.
  bool script_busy() const;
  // The BUSY error for the script running now: Redis names SCRIPT KILL for EVAL, FUNCTION
  // KILL for a function.
  std::string_view busy_error() const;

  // Snapshots: SAVE, BGSAVE, LASTSAVE, INFO persistence.
  Snapshots& snapshots() { return snapshots_; }
  // dir/dbfilename (reads the config under config_mutex()).
  std::string dump_path();
  // The configured save points (none when `save` is "").
  SavePoints save_points();
  // Stops the server (KvOptions::shutdown); false when there is no way to.
  bool request_shutdown();
  // SHUTDOWN NOSAVE while a script is busy: KvOptions::exit_now, or request_shutdown().
  bool request_exit_now();
  // Loads dump_path() when it exists (start-up, before any session): the keys loaded, or
  // nothing when there is no file; an error for a file that cannot be read or is corrupt.
  Result<std::optional<rdb::LoadStats>> load_dump();
  // Start-up, before any session: with appendonly yes loads the append-only file (or starts an
  // empty one) and starts logging; otherwise load_dump(). Returns a line saying what was loaded
  // ("" for nothing); an error for a file that cannot be read or is corrupt.
  Result<std::string> load_at_start();
  // The append-only file (aof_log.hpp) and where it lives.
  AofLog& aof() { return aof_; }
  AofLog::Paths aof_paths();
  // Why write commands (and PING) are refused now, as Redis's writeCommandsDeniedByDiskError():
  // a failed BGSAVE with save points and stop-writes-on-bgsave-error, or a failed AOF write.
  // Empty when they are not.
  std::string disk_error() const;
  // CONFIG SET appendonly (config_mutex() held): starts the log in `paths` with a base written
  // from the store (every shard held by the caller), or stops it.
  Result<void> set_appendonly(bool on, AppendFsync fsync, const AofLog::Paths& paths);
  // server::Service: replies wait for their records (group commit, AofLog::await).
  std::uint64_t await_log(std::uint64_t mark) override { return aof_.await(mark); }

 private:
  void sample_ops();
  // Reaps a finished background save; starts one for BGSAVE SCHEDULE or a due save point.
  void snapshot_tick();

  Protocol protocol_;
  Store store_;
  std::mutex config_mutex_;
  KvConfig config_;
  std::atomic<bool> password_required_{false};
  std::string over_capacity_reply_;
  ClientRegistry clients_;
  PubSub pubsub_;
  Monitors monitors_;
  ClientPause pause_;
  const server::Stats* stats_ = nullptr;
  std::atomic<std::uint64_t> commands_{0};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::mutex tick_mutex_;  // one tick at a time (the tick's cursors and the ops samples)
  std::mutex peak_mutex_;
  std::size_t peak_memory_ = 0;
  Relaxed<std::uint64_t> keyspace_hits_ = 0;
  Relaxed<std::uint64_t> keyspace_misses_ = 0;
  // instantaneous_ops_per_sec: the last 16 samples of the command rate, as Redis keeps them.
  std::uint64_t ops_samples_[16] = {};
  std::size_t ops_sample_index_ = 0;
  std::uint64_t last_sample_commands_ = 0;
  std::chrono::steady_clock::time_point last_sample_time_ = started_;
  Relaxed<std::uint64_t> ops_per_sec_ = 0;  // written by the tick, read by INFO
  Snapshots snapshots_;
  AofLog aof_;
  void aof_tick();
  std::function<void()> shutdown_;
  std::function<void()> exit_now_;
  std::mutex scripting_mutex_;  // creating the engine
  std::unique_ptr<ScriptEngine> scripting_owner_;
  std::atomic<ScriptEngine*> scripting_{nullptr};
};

}  // namespace tcpkit::kv
