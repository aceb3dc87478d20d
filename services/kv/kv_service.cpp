// KvService: the shared state of kv and its periodic work (see kv_service.hpp).

#include "kv/kv_service.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <stdexcept>

#include "kv/errors.hpp"
#include "kv/kv_session.hpp"
#include "kv/protocol_sessions.hpp"
#include "kv/scripting.hpp"

namespace tcpkit::kv {

std::unique_ptr<server::Service> make_kv_service(KvOptions options) {
  return std::make_unique<KvService>(std::move(options));
}

namespace {

// The absolute form of `dir` ("" is the working directory), as Redis reports it after chdir.
std::string absolute_dir(const std::string& dir) {
  char* real = ::realpath(dir.empty() ? "." : dir.c_str(), nullptr);
  if (real == nullptr) return dir;
  std::string out(real);
  std::free(real);
  return out;
}

}  // namespace

void ClientPause::pause(std::int64_t end, bool every_command, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  const std::int64_t current = end_ms.load();
  if (current == 0 || current <= now_ms) {  // no pause in force: start afresh
    waiting_.clear();
    all = every_command;
    end_ms = end;
    return;
  }
  if (every_command) all = true;
  if (end > current) end_ms = end;
}

void ClientPause::unpause() {
  std::vector<std::weak_ptr<server::Outlet>> woken;
  {
    std::lock_guard lock(mutex_);
    end_ms = 0;
    all = false;
    woken.swap(waiting_);
  }
  for (const auto& w : woken) {
    if (auto outlet = w.lock()) outlet->wake();
  }
}

void ClientPause::wait(const std::shared_ptr<server::Outlet>& outlet) {
  std::lock_guard lock(mutex_);
  for (const auto& w : waiting_) {
    if (!w.owner_before(outlet) && !outlet.owner_before(w)) return;  // already waiting
  }
  waiting_.push_back(outlet);
}

KvService::KvService(KvOptions options)
    : protocol_(options.protocol), store_(std::move(options.clock)), snapshots_(wall_seconds()) {
  const auto libraries = [this] {
    ScriptEngine* engine = scripting_if_started();
    return engine != nullptr ? engine->library_codes() : std::vector<std::string>{};
  };
  snapshots_.set_functions_source(libraries);
  aof_.set_functions_source(libraries);
  config_.dir = absolute_dir(options.dir);
  config_.dbfilename = std::move(options.dbfilename);
  config_.save = std::move(options.save);
  config_.appendonly = options.appendonly;
  config_.appendfsync = options.appendfsync;
  config_.appendfilename = std::move(options.appendfilename);
  config_.appenddirname = std::move(options.appenddirname);
  shutdown_ = std::move(options.shutdown);
  exit_now_ = std::move(options.exit_now);
  config_.requirepass = std::move(options.requirepass);
  config_.maxmemory = options.maxmemory;
  config_.maxmemory_policy = options.maxmemory_policy;
  config_.max_bulk_length = options.max_bulk_length;
  config_.max_clients = options.max_clients;
  config_.protected_mode = options.protected_mode;
  const auto events = parse_notify_flags(options.notify_keyspace_events);
  if (!events) throw std::invalid_argument("invalid notify-keyspace-events class character");
  store_.events().set_flags(*events);
  store_.events().attach(&pubsub_);
  config_.events = &store_.events();
  config_changed();
  over_capacity_reply_ = refusal_reply(protocol_, error_text(KvError::kMaxClients));
}

void KvService::config_changed() {
  password_required_.store(!config_.requirepass.empty(), std::memory_order_release);
  config_.has_save_points = !parse_save_points(config_.save).value_or(SavePoints{}).empty();
  snapshots_.set_format(config_.rdbcompression, config_.rdbchecksum);
}

KvService::~KvService() = default;

ScriptEngine& KvService::scripting() {
  if (ScriptEngine* engine = scripting_.load(std::memory_order_acquire)) return *engine;
  std::lock_guard lock(scripting_mutex_);
  if (!scripting_owner_) {
    scripting_owner_ = std::make_unique<ScriptEngine>();
    scripting_.store(scripting_owner_.get(), std::memory_order_release);
  }
  return *scripting_owner_;
}

bool KvService::script_busy() const {
  const ScriptEngine* engine = scripting_if_started();
  if (engine == nullptr) return false;
  const std::int64_t ms = engine->running_ms();
  return ms >= 0 && ms >= config_.busy_reply_threshold_ms.load();
}

std::string_view KvService::busy_error() const {
  const ScriptEngine* engine = scripting_if_started();
  const bool function = engine != nullptr && engine->running_function();
  return error_text(function ? KvError::kBusyFunction : KvError::kBusyScript);
}

std::unique_ptr<server::Session> KvService::open_session(const server::SessionInfo& info) {
  return open_kv_session(info);
}

std::unique_ptr<KvSession> KvService::open_kv_session(const server::SessionInfo& info) {
  return make_protocol_session(*this, info, config_.max_bulk_length);
}

std::string KvService::requirepass() {
  std::lock_guard lock(config_mutex_);
  return config_.requirepass;
}

void KvService::tick() {
  // Outermost, and only the tick takes it; under it the store takes one shard at a time.
  std::lock_guard lock(tick_mutex_);
  // A running script holds every shard: the store's work waits for the next tick rather than
  // stall this thread (under reactors, a loop that serves clients) behind it.
  const ScriptEngine* scripts = scripting_if_started();
  if (scripts == nullptr || scripts->running_ms() < 0) {
    Keyspace::ExpiryScope expiry(aof_.enabled() ? &aof_ : nullptr);  // expired keys: DEL
    store_.tick();
  }
  peak_memory();
  sample_ops();
  snapshot_tick();
  aof_tick();
}

std::string KvService::dump_path() {
  std::lock_guard lock(config_mutex_);
  return config_.dir + "/" + config_.dbfilename;
}

Result<std::optional<rdb::LoadStats>> KvService::load_dump() {
  const std::string path = dump_path();
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
    return std::optional<rdb::LoadStats>();
  }
  EncodingLimits limits = config_.encodings;
  auto loaded = rdb::load_file(store_, path, limits, store_.clock().now_ms());
  if (!loaded) return Fail(loaded.error());
  if (!loaded->functions.empty()) {
    std::string error;
    if (!scripting().restore_libraries(loaded->functions, ScriptEngine::RestorePolicy::kAppend,
                                       error)) {
      return Fail(Error(std::make_error_code(std::errc::bad_message),
                        path + ": a function library does not load: " + error));
    }
  }
  snapshots_.set_loaded(*loaded);
  return std::optional<rdb::LoadStats>(*loaded);
}

SavePoints KvService::save_points() {
  std::lock_guard lock(config_mutex_);
  return parse_save_points(config_.save).value_or(SavePoints{});
}

bool KvService::request_exit_now() {
  if (!exit_now_) return request_shutdown();
  exit_now_();
  return true;
}

bool KvService::request_shutdown() {
  if (!shutdown_) return false;
  shutdown_();
  return true;
}

void KvService::snapshot_tick() {
  snapshots_.reap();
  if (snapshots_.in_progress()) return;
  const SavePoints points = save_points();
  if (!snapshots_.take_scheduled() && !snapshots_.due(points, store_.changes(), wall_seconds())) {
    return;
  }
  const std::string path = dump_path();
  ShardLock all(store_.shards(), kAllShards);
  snapshots_.start_background(store_, path, store_.used_memory());
}

std::size_t KvService::peak_memory() {
  const std::size_t now = store_.used_memory();
  std::lock_guard lock(peak_mutex_);
  peak_memory_ = std::max(peak_memory_, now);
  return peak_memory_;
}

void KvService::sample_ops() {
  const auto now = std::chrono::steady_clock::now();
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - last_sample_time_).count();
  if (elapsed <= 0) return;
  const std::uint64_t commands = commands_processed();
  ops_samples_[ops_sample_index_] =
      (commands - last_sample_commands_) * 1000 / static_cast<std::uint64_t>(elapsed);
  ops_sample_index_ = (ops_sample_index_ + 1) % std::size(ops_samples_);
  last_sample_commands_ = commands;
  last_sample_time_ = now;
  std::uint64_t sum = 0;
  for (std::uint64_t s : ops_samples_) sum += s;
  ops_per_sec_ = sum / std::size(ops_samples_);
}

}  // namespace tcpkit::kv
