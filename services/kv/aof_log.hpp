#pragma once
// AofLog: kv's append-only file, as Redis 7.0 lays it out (aof_format.hpp): a directory
// (appenddirname) with a manifest, a base (an RDB snapshot) and incremental files of records.
//
// Theory of operation. A command that changed the store appends its records (an AofBatch)
// while it still holds its shards, so the log's order is the order the store saw. append()
// only copies into a buffer under a short mutex and returns the log position after the
// records, which the session keeps as its mark. Before a model writes a session's replies it
// calls await(mark) (server::Service::await_log): one thread at a time (the writer lock)
// takes everything buffered, write()s it, and under appendfsync always fdatasync()s it; the
// threads that queued behind it find their mark covered and leave. So the records of one
// loop iteration, and of every thread that arrived meanwhile, share one write and one fsync
// (group commit). Under everysec a thread of its own fdatasync()s once a second; under no the
// kernel decides. In every mode a reply leaves only after its records were written to the file,
// so a killed process loses nothing it acknowledged; a lost machine loses what was not yet
// fsynced (always: nothing; everysec: about two seconds).
//
//   sessions ──append()──▶ buffer ──await(): write [+ fdatasync]──▶ appendonly.aof.<n>.incr.aof
//                                   (one writer at a time; the others wait for it)
//
// A write that fails (disk full, file-size limit, I/O error) leaves the file as it was
// (truncated back) and the records in the buffer; await() returns less than the mark, so the
// model closes the connections whose replies it holds instead of acknowledging them, and
// write_failed() makes write commands fail with MISCONF until a retry (the tick) succeeds.
//
// Rewrite (BGREWRITEAOF): with every shard held, the log switches to a new incr file (the
// manifest lists both) and a forked child writes the store as a new base; when it succeeds the
// manifest is replaced (write, fsync, rename) by one with the new base and the new incr, and
// the old files are deleted. A crash at any point leaves a manifest whose files load.
//
// Thread-safe. enabled() and the INFO numbers are lock-free.

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "kv/aof_format.hpp"
#include "kv/store.hpp"
#include "tcpkit/base/relaxed.hpp"
#include "tcpkit/base/result.hpp"

namespace tcpkit::kv {

enum class AppendFsync { kAlways, kEverysec, kNo };

// The records of one command (or one transaction), with the database each one runs in; the
// log inserts SELECT where the database changes.
class AofBatch {
 public:
  void add(int db, std::span<const std::string_view> args);
  void add(int db, std::initializer_list<std::string_view> args);
  // MULTI before the next record (if any comes), EXEC after the last one: a unit on replay.
  // Nests: only the outermost pair is written (EVAL inside EXEC).
  void begin_multi() {
    if (multi_depth_++ == 0) multi_pending_ = true;
  }
  void end_multi();
  bool empty() const { return bytes_.empty(); }
  void clear();

 private:
  friend class AofLog;
  struct Switch {
    std::size_t offset;
    int db;
  };
  std::string bytes_;
  std::vector<Switch> switches_;  // db of the records from `offset` on (-1: any db)
  bool multi_pending_ = false;
  bool multi_open_ = false;
  int multi_depth_ = 0;
  int last_db_ = -2;
};

class AofLog final : public Keyspace::ExpiryLog {
 public:
  // Where a base file's function libraries come from (the script engine's, FUNCTION2 records
  // in the base as redis-server writes them); none when unset.
  void set_functions_source(std::function<std::vector<std::string>()> source) {
    functions_source_ = std::move(source);
  }
  struct Paths {
    std::string dir;       // absolute
    std::string dirname;   // appenddirname
    std::string filename;  // appendfilename
    std::string directory() const { return dir + "/" + dirname; }
    std::string manifest_path() const;
  };

  AofLog();
  ~AofLog();
  AofLog(const AofLog&) = delete;
  AofLog& operator=(const AofLog&) = delete;

  // Reads the manifest under `paths` (nullopt-like empty manifest when there is none).
  static Result<aof::Manifest> read_manifest(const Paths& paths, bool& exists);
  // Starts logging into the last incr file of `manifest` (or a new one), with every shard
  // held by the caller when the store is not empty: a manifest without a base gets one
  // written from `store` first.
  // With `fresh_base` (CONFIG SET appendonly yes) the store becomes a new base whatever the
  // manifest had, and the files it listed are deleted.
  Result<void> start(const Paths& paths, aof::Manifest manifest, AppendFsync fsync, Store& store,
                     std::int64_t now_ms, bool fresh_base);
  // appendonly no: writes and fsyncs what is buffered, closes the file.
  void stop();
  bool enabled() const { return enabled_.load(std::memory_order_acquire); }
  void set_fsync(AppendFsync fsync);
  AppendFsync fsync_policy() const { return fsync_.load(); }

  // Appends `batch` as one unit; returns the log position just after it.
  std::uint64_t append(const AofBatch& batch);
  // Keyspace::ExpiryLog: a key the server deleted because it expired, logged as DEL (called
  // under the key's shard lock, so the DEL takes its place in the store's order).
  void expired(int db, std::string_view key) override;
  // Makes the log up to `mark` as durable as the policy promises (written; fsynced for
  // always). Returns the position now covered: less than `mark` when a write failed.
  std::uint64_t await(std::uint64_t mark);
  // The tick: retries a failed write.
  void tick();

  bool write_failed() const { return write_errno_.load() != 0; }
  int write_errno() const { return write_errno_.load(); }

  // BGREWRITEAOF. Every shard must be held. False when one runs already or the fork failed.
  enum class Rewrite { kStarted, kInProgress, kFailed, kDisabled };
  Rewrite start_rewrite(Store& store, std::int64_t now_ms, std::uint64_t used_memory);
  // The tick: reaps a finished rewrite and switches the manifest. True when one finished.
  bool reap_rewrite();
  bool rewrite_in_progress() const { return child_.load() != 0; }
  bool last_rewrite_ok() const { return last_rewrite_ok_; }
  std::int64_t last_rewrite_seconds() const { return last_rewrite_seconds_; }
  std::int64_t rewrite_started_s() const { return rewrite_started_s_; }
  std::uint64_t rewrites() const { return rewrites_; }
  std::uint64_t rewrite_failures_in_a_row() const { return failures_in_a_row_; }
  // auto-aof-rewrite-percentage / -min-size: whether the incr files grew enough.
  bool rewrite_due(std::int64_t percentage, std::uint64_t min_size) const;

  std::uint64_t current_size() const { return base_size_.load() + incr_size_.load(); }
  std::uint64_t base_size() const { return base_size_; }
  std::uint64_t buffer_length() const;

 private:
  std::uint64_t level() const;
  // With writer_ held: writes the buffer; fdatasyncs under always. False on an error.
  bool flush_locked(bool sync);
  Result<void> open_incr_locked(std::int64_t seq);
  Result<void> write_manifest_locked(const aof::Manifest& manifest);
  void everysec_loop();

  std::atomic<bool> enabled_{false};
  std::atomic<AppendFsync> fsync_{AppendFsync::kEverysec};

  std::mutex buffer_mutex_;  // buffer_, current_db_, appended_
  std::string buffer_;
  int current_db_ = -1;
  std::atomic<std::uint64_t> appended_{0};

  std::mutex writer_;  // fd_, manifest_, paths_, the files; one writer at a time
  int fd_ = -1;
  std::uint64_t incr_file_size_ = 0;  // the open incr file's whole records
  Paths paths_;
  aof::Manifest manifest_;
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> synced_{0};
  Relaxed<int> write_errno_ = 0;
  Relaxed<std::uint64_t> base_size_ = 0;
  Relaxed<std::uint64_t> incr_size_ = 0;
  Relaxed<std::uint64_t> size_at_rewrite_ = 0;  // current_size() after the last rewrite

  std::mutex everysec_mutex_;
  std::condition_variable everysec_cv_;
  bool stopping_ = false;
  std::thread everysec_;

  // The rewrite's child and what it writes.
  Relaxed<pid_t> child_ = 0;
  std::int64_t child_base_seq_ = 0;
  std::int64_t child_incr_seq_ = 0;
  Relaxed<bool> last_rewrite_ok_ = true;
  Relaxed<std::int64_t> rewrite_started_s_ = 0;
  Relaxed<std::int64_t> last_rewrite_seconds_ = -1;
  Relaxed<std::uint64_t> rewrites_ = 0;
  Relaxed<std::uint64_t> failures_in_a_row_ = 0;
  std::vector<std::string> functions() const {
    return functions_source_ ? functions_source_() : std::vector<std::string>{};
  }
  std::function<std::vector<std::string>()> functions_source_;
};

}  // namespace tcpkit::kv
