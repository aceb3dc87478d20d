#pragma once
// Snapshots: SAVE, BGSAVE and the `save` points over rdb.hpp, and the state INFO persistence
// and LASTSAVE report.
//
// A background save forks while the caller holds every shard lock, as Redis forks from its
// single thread: the child inherits a store no command is in the middle of changing, writes
// it to a temporary file, fsyncs and renames it over the dump, and exits; the parent releases
// the locks as soon as fork() returns (the caller's ShardLock), so service stops only for the
// fork itself (copying the page tables). The tick reaps the child (waitpid, WNOHANG) and
// records the outcome.
//
// Thread affinity: save() and start_background() need every shard held (SAVE, BGSAVE and
// FLUSHALL are whole-keyspace commands; the tick takes every shard for a save point); reap()
// and due() run on the tick. The fields INFO reads are Relaxed atomics.

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <ctime>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kv/rdb.hpp"
#include "kv/store.hpp"
#include "tcpkit/base/relaxed.hpp"
#include "tcpkit/base/result.hpp"

namespace tcpkit::kv {

// The wall clock in whole seconds (LASTSAVE, save points, the durations INFO reports).
inline std::int64_t wall_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

// A forked child of this process (BGSAVE, BGREWRITEAOF), without waiting: nullopt while it
// runs (or the wait was interrupted), else whether it exited with status 0. snapshots.cpp.
std::optional<bool> reap_child(pid_t pid);

// `save` as Redis parses it: "<seconds> <changes>" pairs separated by spaces ("" for none).
// Nullopt when malformed (an odd count, a negative or non-numeric value).
using SavePoints = std::vector<std::pair<std::int64_t, std::int64_t>>;
std::optional<SavePoints> parse_save_points(std::string_view text);

class Snapshots {
 public:
  enum class Start { kStarted, kInProgress, kForkFailed };

  explicit Snapshots(std::int64_t now_s) : last_save_s_(now_s), last_try_s_(now_s) {}
  ~Snapshots();

  // Where save() and start_background() get the function libraries' code to write (KvService:
  // the script engine's, if it started). Set once, before the first save.
  void set_functions_source(std::function<std::vector<std::string>()> source) {
    functions_source_ = std::move(source);
  }
  // SAVE: writes `path` now, from this thread. Every shard must be held.
  Result<void> save(Store& store, const std::string& path, std::uint64_t used_memory);
  // BGSAVE: forks a child that writes `path`. Every shard must be held.
  Start start_background(Store& store, const std::string& path, std::uint64_t used_memory);
  // Reaps a finished child (the tick). True when one finished.
  bool reap();
  // Kills a running child and discards its file (FLUSHALL, as Redis's killRDBChild).
  void kill_child();
  // Whether a save point is due: changes since the last save and seconds since it reach a
  // point's numbers (a failed background save is retried after 5 seconds, as in Redis).
  bool due(const SavePoints& points, std::uint64_t changes, std::int64_t now_s) const;

  // rdbcompression, rdbchecksum: how the next snapshots are written.
  void set_format(bool compress, bool checksum) { compress_ = compress, checksum_ = checksum; }
  rdb::SaveOptions options(std::int64_t now_ms, std::uint64_t used_memory) const {
    rdb::SaveOptions o{now_ms, used_memory, compress_.load(), {}};
    o.checksum = checksum_.load();
    return o;
  }
  bool in_progress() const { return child_.load() != 0; }
  bool last_bgsave_ok() const { return last_bgsave_ok_; }
  std::int64_t last_save_s() const { return last_save_s_; }
  std::uint64_t changes_at_last_save() const { return changes_at_save_; }
  // Seconds the last background save took (-1 before the first), and the running one's.
  std::int64_t last_bgsave_seconds() const { return last_bgsave_seconds_; }
  std::int64_t current_bgsave_seconds(std::int64_t now_s) const {
    return in_progress() ? now_s - fork_s_ : -1;
  }
  std::uint64_t saves() const { return saves_; }
  // BGSAVE SCHEDULE asked for a save while one ran: the tick starts it after the reap.
  void schedule() { scheduled_ = true; }
  bool take_scheduled() { return scheduled_.exchange(false); }
  void set_loaded(const rdb::LoadStats& stats) {
    loaded_keys_ = stats.keys_loaded, loaded_expired_ = stats.keys_expired;
  }
  std::uint64_t loaded_keys() const { return loaded_keys_; }
  std::uint64_t loaded_expired() const { return loaded_expired_; }

 private:
  // Held while the child is forked, reaped or killed (a leaf lock: the tick's reap and a
  // command's kill_child() must not both wait for the same pid).
  std::mutex child_mutex_;
  Relaxed<pid_t> child_ = 0;
  std::string child_dir_;  // where the child's temp-<pid>.rdb is (every shard held)
  Relaxed<bool> last_bgsave_ok_ = true;
  Relaxed<bool> compress_ = true;
  Relaxed<bool> checksum_ = true;
  std::atomic<bool> scheduled_{false};
  Relaxed<std::int64_t> last_save_s_;
  Relaxed<std::int64_t> last_try_s_;  // the last background save's start
  Relaxed<std::int64_t> fork_s_ = 0;
  Relaxed<std::int64_t> last_bgsave_seconds_ = -1;
  Relaxed<std::uint64_t> changes_at_save_ = 0;
  Relaxed<std::uint64_t> changes_at_fork_ = 0;
  Relaxed<std::uint64_t> saves_ = 0;
  Relaxed<std::uint64_t> loaded_keys_ = 0;
  Relaxed<std::uint64_t> loaded_expired_ = 0;
  std::function<std::vector<std::string>()> functions_source_;
};

}  // namespace tcpkit::kv
