// AofLog: buffering, group commit, fsync policies, the files and the rewrite (see aof_log.hpp).

#include "kv/aof_log.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "kv/rdb.hpp"
#include "kv/snapshots.hpp"

namespace tcpkit::kv {

namespace {

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

Fail io_error(int err, const std::string& what) { return Fail(Error::from_errno(err, what)); }

int sync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int rc = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return rc;
}

// write() all of `data`; 0 or the errno of the failure.
int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

}  // namespace

void AofBatch::add(int db, std::span<const std::string_view> args) {
  if (multi_pending_) {
    multi_pending_ = false;
    multi_open_ = true;
    add(db, {"MULTI"});
  }
  if (db != last_db_) {
    switches_.push_back(Switch{bytes_.size(), db});
    last_db_ = db;
  }
  aof::append_record(bytes_, args);
}

void AofBatch::add(int db, std::initializer_list<std::string_view> args) {
  add(db, std::span<const std::string_view>(args.begin(), args.size()));
}

void AofBatch::end_multi() {
  if (--multi_depth_ > 0) return;
  multi_pending_ = false;
  if (!multi_open_) return;
  multi_open_ = false;
  aof::append_record(bytes_, {"EXEC"});
}

void AofBatch::clear() {
  bytes_.clear();
  switches_.clear();
  multi_pending_ = multi_open_ = false;
  multi_depth_ = 0;
  last_db_ = -2;
}

std::string AofLog::Paths::manifest_path() const {
  return directory() + "/" + aof::manifest_name(filename);
}

AofLog::AofLog() = default;

AofLog::~AofLog() {
  {
    std::lock_guard lock(everysec_mutex_);
    stopping_ = true;
  }
  everysec_cv_.notify_all();
  if (everysec_.joinable()) everysec_.join();
  stop();
  if (const pid_t pid = child_; pid != 0) {
    ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

Result<aof::Manifest> AofLog::read_manifest(const Paths& paths, bool& exists) {
  const std::string path = paths.manifest_path();
  exists = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return aof::Manifest{};
    return io_error(errno, "open " + path);
  }
  std::string text;
  char chunk[4096];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  std::string error;
  auto m = aof::parse_manifest(text, &error);
  if (!m)
    return Fail(Error(std::make_error_code(std::errc::invalid_argument), path + ": " + error));
  exists = true;
  return *m;
}

Result<void> AofLog::start(const Paths& paths, aof::Manifest manifest, AppendFsync fsync,
                           Store& store, std::int64_t now_ms, bool fresh_base) {
  std::lock_guard lock(writer_);
  if (enabled()) return {};
  paths_ = paths;
  const std::string dir = paths.directory();
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return io_error(errno, "mkdir " + dir);
  const bool fresh = fresh_base || manifest.base() == nullptr;
  std::vector<std::string> stale;
  if (fresh) {
    // No base: the store as it is becomes one, and files of an older log are history.
    const std::int64_t base_seq = manifest.last_base_seq() + 1;
    const std::int64_t incr_seq = manifest.last_incr_seq() + 1;
    for (const auto& e : manifest.entries) stale.push_back(e.file);
    manifest.entries.clear();
    const std::string base = aof::base_name(paths.filename, base_seq);
    rdb::SaveOptions options{now_ms, store.used_memory(), true, functions()};
    options.aof_base = true;
    if (auto r = rdb::save_file(store, dir + "/" + base, options); !r) return r;
    manifest.entries.push_back({base, base_seq, 'b'});
    manifest.entries.push_back({aof::incr_name(paths.filename, incr_seq), incr_seq, 'i'});
  } else if (manifest.incrs().empty()) {
    const std::int64_t seq = manifest.last_incr_seq() + 1;
    manifest.entries.push_back({aof::incr_name(paths.filename, seq), seq, 'i'});
  }
  if (auto r = write_manifest_locked(manifest); !r) return r;
  for (const std::string& f : stale) ::unlink((dir + "/" + f).c_str());
  manifest_ = std::move(manifest);
  if (auto r = open_incr_locked(manifest_.last_incr_seq()); !r) return r;
  base_size_ = file_size(dir + "/" + manifest_.base()->file);
  std::uint64_t incr = 0;
  for (const auto* e : manifest_.incrs()) incr += file_size(dir + "/" + e->file);
  incr_size_ = incr;
  size_at_rewrite_ = current_size();
  {
    std::lock_guard b(buffer_mutex_);
    buffer_.clear();
    current_db_ = -1;
    written_ = synced_ = appended_.load();
  }
  fsync_ = fsync;
  write_errno_ = 0;
  enabled_.store(true, std::memory_order_release);
  if (!everysec_.joinable()) everysec_ = std::thread([this] { everysec_loop(); });
  return {};
}

void AofLog::stop() {
  std::lock_guard lock(writer_);
  if (!enabled()) return;
  (void)flush_locked(true);
  enabled_.store(false, std::memory_order_release);
  ::close(fd_);
  fd_ = -1;
}

void AofLog::set_fsync(AppendFsync fsync) {
  std::lock_guard lock(writer_);
  if (fsync == AppendFsync::kAlways && enabled()) (void)flush_locked(true);
  fsync_ = fsync;
}

std::uint64_t AofLog::append(const AofBatch& batch) {
  std::lock_guard lock(buffer_mutex_);
  if (!enabled()) return 0;
  const std::size_t before = buffer_.size();
  std::size_t from = 0;
  std::string_view bytes = batch.bytes_;
  for (const AofBatch::Switch& s : batch.switches_) {
    buffer_.append(bytes.substr(from, s.offset - from));
    from = s.offset;
    if (s.db >= 0 && s.db != current_db_) {
      const std::string db = std::to_string(s.db);
      aof::append_record(buffer_, {"SELECT", db});
      current_db_ = s.db;
    }
  }
  buffer_.append(bytes.substr(from));
  const std::uint64_t end = appended_.load(std::memory_order_relaxed) + (buffer_.size() - before);
  appended_.store(end, std::memory_order_release);
  return end;
}

void AofLog::expired(int db, std::string_view key) {
  AofBatch batch;
  batch.add(db, {"DEL", key});
  append(batch);
}

std::uint64_t AofLog::level() const {
  return fsync_.load() == AppendFsync::kAlways ? synced_.load(std::memory_order_acquire)
                                               : written_.load(std::memory_order_acquire);
}

std::uint64_t AofLog::await(std::uint64_t mark) {
  if (std::uint64_t l = level(); l >= mark) return l;
  std::lock_guard lock(writer_);
  if (!enabled()) return mark;  // stopped: stop() wrote and fsynced everything
  if (std::uint64_t l = level(); l >= mark) return l;
  (void)flush_locked(fsync_.load() == AppendFsync::kAlways);
  return level();
}

bool AofLog::flush_locked(bool sync) {
  std::string data;
  std::uint64_t target = 0;
  {
    std::lock_guard lock(buffer_mutex_);
    data.swap(buffer_);
    target = appended_.load(std::memory_order_relaxed);
  }
  if (!data.empty()) {
    if (const int err = write_all(fd_, data); err != 0) {
      // Nothing half-written stays: the file goes back to its last whole record, and the
      // records wait in the buffer for a retry.
      if (::ftruncate(fd_, static_cast<off_t>(incr_file_size_)) != 0) {
        std::fprintf(stderr, "kv: AOF: cannot truncate a partial write: %s\n",
                     std::strerror(errno));
      }
      std::lock_guard lock(buffer_mutex_);
      buffer_.insert(0, data);
      if (write_errno_.load() == 0) {
        std::fprintf(stderr, "kv: AOF: write failed: %s; write commands fail with MISCONF\n",
                     std::strerror(err));
      }
      write_errno_ = err;
      return false;
    }
    incr_file_size_ += data.size();
    incr_size_ = incr_size_ + data.size();
    written_.store(target, std::memory_order_release);
  }
  if (sync && synced_.load() < written_.load()) {
    const std::uint64_t w = written_.load();
    if (::fdatasync(fd_) != 0) {
      write_errno_ = errno;
      return false;
    }
    synced_.store(w, std::memory_order_release);
  }
  if (write_errno_.load() != 0) std::fprintf(stderr, "kv: AOF: writes work again\n");
  write_errno_ = 0;
  return true;
}

void AofLog::tick() {
  if (!enabled() || !write_failed()) return;
  std::lock_guard lock(writer_);
  if (enabled()) (void)flush_locked(fsync_.load() == AppendFsync::kAlways);
}

std::uint64_t AofLog::buffer_length() const { return appended_.load() - written_.load(); }

// Under everysec: once a second, what was written is fsynced off the serving threads (on a
// duplicate of the descriptor, so the writers are not held up by the fsync).
void AofLog::everysec_loop() {
  // Signals belong to the program's own threads (tcpkit serve reads them with signalfd): this
  // thread, which may start before the program blocks them, takes none.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  std::unique_lock lock(everysec_mutex_);
  while (!stopping_) {
    everysec_cv_.wait_for(lock, std::chrono::seconds(1));
    if (stopping_) break;
    if (!enabled() || fsync_.load() != AppendFsync::kEverysec) continue;
    int fd = -1;
    std::uint64_t w = 0;
    {
      std::lock_guard writer(writer_);
      if (!enabled()) continue;
      (void)flush_locked(false);
      w = written_.load();
      if (synced_.load() < w) fd = ::dup(fd_);
    }
    if (fd < 0) continue;
    if (::fdatasync(fd) == 0 && synced_.load() < w) synced_.store(w);
    ::close(fd);
  }
}

Result<void> AofLog::open_incr_locked(std::int64_t seq) {
  const std::string path = paths_.directory() + "/" + aof::incr_name(paths_.filename, seq);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(errno, "open " + path);
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  incr_file_size_ = file_size(path);
  return {};
}

Result<void> AofLog::write_manifest_locked(const aof::Manifest& manifest) {
  const std::string dir = paths_.directory();
  const std::string path = paths_.manifest_path();
  const std::string temp = dir + "/temp-" + aof::manifest_name(paths_.filename);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(errno, "open " + temp);
  int err = write_all(fd, aof::format_manifest(manifest));
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  if (err == 0 && ::rename(temp.c_str(), path.c_str()) != 0) err = errno;
  if (err == 0) err = sync_dir(dir);
  if (err != 0) {
    ::unlink(temp.c_str());
    return io_error(err, "write " + path);
  }
  return {};
}

AofLog::Rewrite AofLog::start_rewrite(Store& store, std::int64_t now_ms,
                                      std::uint64_t used_memory) {
  std::lock_guard lock(writer_);
  if (!enabled()) return Rewrite::kDisabled;
  if (child_.load() != 0) return Rewrite::kInProgress;
  // The old incr file ends here, whole and on disk; writes from now on go to a new one.
  if (!flush_locked(true)) return Rewrite::kFailed;
  aof::Manifest next = manifest_;
  const std::int64_t incr_seq = next.last_incr_seq() + 1;
  next.entries.push_back({aof::incr_name(paths_.filename, incr_seq), incr_seq, 'i'});
  if (!write_manifest_locked(next)) return Rewrite::kFailed;
  manifest_ = std::move(next);
  if (!open_incr_locked(incr_seq)) return Rewrite::kFailed;
  {
    std::lock_guard b(buffer_mutex_);
    current_db_ = -1;
  }
  child_base_seq_ = manifest_.last_base_seq() + 1;
  child_incr_seq_ = incr_seq;
  const std::string base =
      paths_.directory() + "/" + aof::base_name(paths_.filename, child_base_seq_);
  rdb::SaveOptions options{now_ms, used_memory, true, functions()};  // before the fork
  options.aof_base = true;
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    last_rewrite_ok_ = false;
    failures_in_a_row_.add(1);
    return Rewrite::kFailed;
  }
  if (pid == 0) {
    // The child: this thread holds every shard (copied with the memory); nothing else runs.
    Result<void> r = rdb::save_file(store, base, options);
    if (!r) std::fprintf(stderr, "kv: AOF rewrite failed: %s\n", r.error().message().c_str());
    ::_exit(r ? 0 : 1);
  }
  child_ = pid;
  rewrite_started_s_ = wall_seconds();
  return Rewrite::kStarted;
}

bool AofLog::reap_rewrite() {
  const pid_t pid = child_;
  if (pid == 0) return false;
  const std::optional<bool> exited = reap_child(pid);
  if (!exited) return false;
  const bool ok = *exited;
  std::lock_guard lock(writer_);
  child_ = 0;
  last_rewrite_seconds_ = wall_seconds() - rewrite_started_s_;
  const std::string dir = paths_.directory();
  if (!ok) {
    last_rewrite_ok_ = false;
    failures_in_a_row_.add(1);
    ::unlink((dir + "/temp-" + std::to_string(pid) + ".rdb").c_str());
    return true;
  }
  aof::Manifest next;
  std::vector<std::string> old;
  const std::string base = aof::base_name(paths_.filename, child_base_seq_);
  next.entries.push_back({base, child_base_seq_, 'b'});
  for (const auto& e : manifest_.entries) {
    if (e.type == 'i' && e.seq >= child_incr_seq_) {
      next.entries.push_back(e);
    } else {
      old.push_back(e.file);
    }
  }
  if (!write_manifest_locked(next)) {
    last_rewrite_ok_ = false;
    failures_in_a_row_.add(1);
    return true;
  }
  manifest_ = std::move(next);
  for (const std::string& f : old) ::unlink((dir + "/" + f).c_str());
  base_size_ = file_size(dir + "/" + base);
  incr_size_ = incr_file_size_;
  size_at_rewrite_ = current_size();
  last_rewrite_ok_ = true;
  failures_in_a_row_ = 0;
  rewrites_.add(1);
  return true;
}

bool AofLog::rewrite_due(std::int64_t percentage, std::uint64_t min_size) const {
  if (!enabled() || percentage <= 0 || child_.load() != 0) return false;
  const std::uint64_t size = current_size();
  if (size < min_size) return false;
  const std::uint64_t base = std::max<std::uint64_t>(size_at_rewrite_, 1);
  return size > base && (size - base) * 100 / base >= static_cast<std::uint64_t>(percentage);
}

}  // namespace tcpkit::kv
