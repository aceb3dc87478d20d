// Snapshots: SAVE, BGSAVE, save points (see snapshots.hpp).

#include "kv/snapshots.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "kv/text.hpp"

namespace tcpkit::kv {

namespace {

// Seconds before a failed background save may be retried by a save point (Redis's
// CONFIG_BGSAVE_RETRY_DELAY).
constexpr std::int64_t kRetryDelaySeconds = 5;

}  // namespace

std::optional<SavePoints> parse_save_points(std::string_view text) {
  std::vector<std::int64_t> numbers;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    std::size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    auto n = parse_int(text.substr(i, end - i));
    if (!n || *n < 0) return std::nullopt;
    numbers.push_back(*n);
    i = end;
  }
  if (numbers.size() % 2 != 0) return std::nullopt;
  SavePoints points;
  for (std::size_t k = 0; k < numbers.size(); k += 2)
    points.emplace_back(numbers[k], numbers[k + 1]);
  return points;
}

Snapshots::~Snapshots() { kill_child(); }

Result<void> Snapshots::save(Store& store, const std::string& path, std::uint64_t used_memory) {
  rdb::SaveOptions options = this->options(store.clock().now_ms(), used_memory);
  if (functions_source_) options.functions = functions_source_();
  Result<void> r = rdb::save_file(store, path, options);
  if (r) {
    changes_at_save_ = store.changes();
    last_save_s_ = wall_seconds();
    saves_.add(1);
  }
  return r;
}

Snapshots::Start Snapshots::start_background(Store& store, const std::string& path,
                                             std::uint64_t used_memory) {
  std::lock_guard lock(child_mutex_);
  if (in_progress()) return Start::kInProgress;
  rdb::SaveOptions options = this->options(store.clock().now_ms(), used_memory);
  if (functions_source_) options.functions = functions_source_();  // before the fork
  const std::uint64_t changes = store.changes();
  std::fflush(nullptr);  // nothing buffered twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    last_bgsave_ok_ = false;
    last_try_s_ = wall_seconds();
    return Start::kForkFailed;
  }
  if (pid == 0) {
    // The child: this thread holds every shard (copied with the memory), no other thread
    // exists. Write, and leave without running the parent's destructors or atexit handlers.
    Result<void> r = rdb::save_file(store, path, options);
    if (!r) std::fprintf(stderr, "kv: background save failed: %s\n", r.error().message().c_str());
    ::_exit(r ? 0 : 1);
  }
  const std::size_t slash = path.rfind('/');
  child_dir_ = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  changes_at_fork_ = changes;
  fork_s_ = wall_seconds();
  last_try_s_ = fork_s_.load();
  child_ = pid;
  return Start::kStarted;
}

std::optional<bool> reap_child(pid_t pid) {
  int status = 0;
  const pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r == 0 || (r < 0 && errno == EINTR)) return std::nullopt;
  return r == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool Snapshots::reap() {
  std::lock_guard lock(child_mutex_);
  const pid_t pid = child_;
  if (pid == 0) return false;
  const std::optional<bool> exited = reap_child(pid);
  if (!exited) return false;
  const bool ok = *exited;
  last_bgsave_ok_ = ok;
  last_bgsave_seconds_ = wall_seconds() - fork_s_;
  if (ok) {
    changes_at_save_ = changes_at_fork_.load();
    last_save_s_ = wall_seconds();
    saves_.add(1);
  }
  child_ = 0;
  return true;
}

void Snapshots::kill_child() {
  std::lock_guard lock(child_mutex_);
  const pid_t pid = child_;
  if (pid == 0) return;
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::unlink((child_dir_ + "temp-" + std::to_string(pid) + ".rdb").c_str());
  child_ = 0;
}

bool Snapshots::due(const SavePoints& points, std::uint64_t changes, std::int64_t now_s) const {
  if (in_progress()) return false;
  const std::uint64_t since = changes - changes_at_save_;
  for (const auto& [seconds, min_changes] : points) {
    if (since >= static_cast<std::uint64_t>(min_changes) && now_s - last_save_s_ > seconds &&
        (last_bgsave_ok_ || now_s - last_try_s_ > kRetryDelaySeconds)) {
      return true;
    }
  }
  return false;
}

}  // namespace tcpkit::kv
