// ScriptEngine: the Lua state, the script cache, EVAL's run and SCRIPT KILL (scripting.hpp).

#include "kv/scripting.hpp"

#include <chrono>
#include <cstdlib>

#include "kv/blocking.hpp"
#include "kv/cmd_util.hpp"
#include "kv/lua_convert.hpp"
#include "kv/script_lib.hpp"
#include "kv/sha1.hpp"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace tcpkit::kv {

namespace {

constexpr std::string_view kNoScriptError = "NOSCRIPT No matching script. Please use EVAL.";
constexpr std::string_view kKilledError = "ERR Script killed by user with SCRIPT KILL...";
// How often (in VM instructions) the hook looks for a SCRIPT KILL.
constexpr int kHookInstructions = 100000;

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void* lua_allocate(void* ud, void* ptr, std::size_t old_size, std::size_t new_size) {
  return static_cast<ScriptEngine*>(ud)->allocate(ptr, old_size, new_size);
}

ScriptEngine* engine_in(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return static_cast<ScriptEngine*>(ud);
}

// The count hook: a SCRIPT KILL stops the script here with Redis's error.
// A library's load that runs past this is stopped (Redis's FUNCTION LOAD timeout).
constexpr std::int64_t kLoadTimeoutMs = 500;

void raise_error_table(lua_State* L, std::string_view text) {
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, text.data(), text.size());
  lua_rawset(L, -3);
  lua_error(L);
}

// The count hook: a SCRIPT KILL stops the script here with Redis's error, and a library that
// loads for too long is stopped.
void kill_hook(lua_State* L, lua_Debug*) {
  ScriptEngine* engine = engine_in(L);
  engine->serve_others_if_busy(steady_ms());
  if (engine->kill_requested()) raise_error_table(L, kKilledError);
  if (engine->loading() && steady_ms() - engine->load_started_ms() > kLoadTimeoutMs) {
    raise_error_table(L, "ERR FUNCTION LOAD timeout");
  }
}

// Sets the real global `name` to an array of `values`.
void set_array_global(lua_State* L, const char* name, std::span<const std::string_view> values) {
  lua_getfield(L, LUA_REGISTRYINDEX, detail::kRealGlobals);
  lua_pushstring(L, name);
  lua_createtable(L, static_cast<int>(values.size()), 0);
  for (std::size_t i = 0; i < values.size(); ++i) {
    lua_pushlstring(L, values[i].data(), values[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

// EVAL's error reply from the error object on top of the stack (the handler's table).
std::string error_reply_text(lua_State* L, std::string_view sha) {
  if (!lua_istable(L, -1)) {
    const char* s = lua_tostring(L, -1);
    return "ERR " + std::string(s == nullptr ? "unknown error" : s);
  }
  const int t = lua_gettop(L);
  lua_pushstring(L, "err");
  lua_rawget(L, t);
  std::string text = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "ERR unknown error";
  lua_pushstring(L, "source");
  lua_rawget(L, t);
  lua_pushstring(L, "line");
  lua_rawget(L, t);
  if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TNUMBER) {
    text += " script: " + std::string(sha) + ", on " + lua_tostring(L, -2) + ":" +
            std::to_string(static_cast<long long>(lua_tonumber(L, -1))) + ".";
  }
  lua_pop(L, 3);
  return text;
}

// The `#!lua flags=f1,f2` first line Redis 7 allows in an EVAL script. True when there is none
// or it is valid (`flags` set, `shebang` true when present); false with Redis's error.
bool parse_shebang(std::string_view body, bool& shebang, std::uint32_t& flags, std::string& error) {
  shebang = body.starts_with("#!");
  flags = 0;
  if (!shebang) return true;
  const std::string_view line = body.substr(0, body.find('\n'));
  std::size_t at = 0;
  bool first = true;
  while (at < line.size()) {
    const std::size_t end = std::min(line.find(' ', at), line.size());
    const std::string_view word = line.substr(at, end - at);
    at = end + 1;
    if (word.empty()) continue;
    if (first) {
      first = false;
      if (word != "#!lua") {
        return error = "ERR Unexpected engine in script shebang: " + std::string(word), false;
      }
    } else if (word.starts_with("flags=")) {
      std::string_view list = word.substr(6);
      while (!list.empty()) {
        const std::size_t comma = std::min(list.find(','), list.size());
        const std::string_view flag = list.substr(0, comma);
        list.remove_prefix(std::min(comma + 1, list.size()));
        if (flag == "no-writes") {
          flags |= ScriptEngine::kNoWrites;
        } else if (flag == "allow-oom") {
          flags |= ScriptEngine::kAllowOom;
        } else if (flag == "allow-stale") {
          flags |= ScriptEngine::kAllowStale;
        } else if (flag == "no-cluster") {
          flags |= ScriptEngine::kNoCluster;
        } else if (flag == "allow-cross-slot-keys") {
          flags |= ScriptEngine::kAllowCrossSlotKeys;
        } else {
          return error = "ERR Unexpected flag in script shebang: " + std::string(flag), false;
        }
      }
    } else {
      return error = "ERR Unknown lua shebang option: " + std::string(word), false;
    }
  }
  return true;
}

}  // namespace

ScriptEngine::ScriptEngine(std::size_t memory_limit) : memory_limit_(memory_limit) {}

ScriptEngine::~ScriptEngine() {
  close_state();
  flush_functions();
}

void* ScriptEngine::allocate(void* ptr, std::size_t old_size, std::size_t new_size) {
  if (new_size == 0) {
    std::free(ptr);
    lua_bytes_.fetch_sub(old_size, std::memory_order_relaxed);
    return nullptr;
  }
  const std::size_t used = lua_bytes_.load(std::memory_order_relaxed);
  if (capped_ && new_size > old_size && used - old_size + new_size > memory_limit_) {
    return nullptr;
  }
  void* p = std::realloc(ptr, new_size);
  if (p == nullptr) return nullptr;
  lua_bytes_.store(used - old_size + new_size, std::memory_order_relaxed);
  return p;
}

void ScriptEngine::open_state() {
  lua_ = lua_newstate(lua_allocate, this);
  detail::install_sandbox(lua_, this);
  lua_sethook(lua_, kill_hook, LUA_MASKCOUNT, kHookInstructions);
}

void ScriptEngine::open_functions_state() {
  functions_lua_ = lua_newstate(lua_allocate, this);
  detail::install_sandbox(functions_lua_, this);
  detail::install_function_env(functions_lua_, this);
  lua_sethook(functions_lua_, kill_hook, LUA_MASKCOUNT, kHookInstructions);
}

void ScriptEngine::close_state() {
  if (lua_ != nullptr) lua_close(lua_);
  lua_ = nullptr;
}

bool ScriptEngine::compile(std::string_view body, const std::string& sha, std::string& error) {
  bool shebang = false;
  std::uint32_t flags = 0;
  if (!parse_shebang(body, shebang, flags, error)) return false;
  // A shebang line stays as an empty line, so that line numbers are the script's.
  const std::string_view code =
      shebang ? body.substr(std::min(body.find('\n'), body.size())) : body;
  if (luaL_loadbuffer(lua_, code.data(), code.size(), "@user_script") != 0) {
    const char* message = lua_tostring(lua_, -1);
    error = "ERR Error compiling script (new function): " +
            std::string(message == nullptr ? "" : message);
    lua_pop(lua_, 1);
    return false;
  }
  lua_getfield(lua_, LUA_REGISTRYINDEX, detail::kScripts);
  lua_pushstring(lua_, ("f_" + sha).c_str());
  lua_pushvalue(lua_, -3);
  lua_rawset(lua_, -3);
  lua_pop(lua_, 2);
  if (scripts_.emplace(sha, std::string(body)).second) {
    script_bytes_.fetch_add(body.size() + sha.size(), std::memory_order_relaxed);
    script_count_.fetch_add(1, std::memory_order_relaxed);
  }
  return true;
}

bool ScriptEngine::load(std::string_view body, std::string& sha_or_error) {
  std::lock_guard lock(mutex_);
  if (lua_ == nullptr) open_state();
  std::string sha = sha1_hex(body);
  if (scripts_.contains(sha)) {
    sha_or_error = std::move(sha);
    return true;
  }
  if (!compile(body, sha, sha_or_error)) return false;
  sha_or_error = std::move(sha);
  return true;
}

bool ScriptEngine::exists(std::string_view sha) {
  std::string lower(sha);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::lock_guard lock(mutex_);
  return scripts_.contains(lower);
}

void ScriptEngine::flush() {
  std::lock_guard lock(mutex_);
  close_state();
  scripts_.clear();
  script_bytes_ = 0;
  script_count_ = 0;
}

ScriptEngine::KillResult ScriptEngine::kill() {
  if (started_ms_.load() < 0) return KillResult::kNotBusy;
  if (wrote_.load()) return KillResult::kUnkillable;
  kill_.store(true);
  return KillResult::kKilled;
}

void ScriptEngine::serve_others_if_busy(std::int64_t now_ms) {
  if (run_ == nullptr || now_ms - served_ms_ < kServeEveryMs) return;
  CommandContext& ctx = *run_->ctx;
  const std::shared_ptr<server::Outlet>& outlet = ctx.client.outlet;
  if (outlet == nullptr || !ctx.service.script_busy()) return;
  served_ms_ = now_ms;
  // The script's shards and ready keys are this thread's; the sessions served meanwhile must
  // not take them for theirs (see the theory of operation).
  const ShardMask held = exchange_held_shards(0);
  std::vector<BlockedClients::ReadyKey> ready;
  ready.swap(BlockedClients::ready());
  outlet->serve_others_while_blocked();
  BlockedClients::ready().swap(ready);
  exchange_held_shards(held);
}

std::int64_t ScriptEngine::load_started_ms() const { return load_started_ms_; }

std::int64_t ScriptEngine::steady_now_ms() { return steady_ms(); }

std::int64_t ScriptEngine::running_ms() const {
  const std::int64_t since = started_ms_.load(std::memory_order_relaxed);
  return since < 0 ? -1 : steady_ms() - since;
}

void ScriptEngine::eval(CommandContext& ctx, bool by_sha, bool read_only) {
  const std::optional<std::int64_t> numkeys = util::int_arg(ctx, ctx.args[2]);
  if (!numkeys) return;
  if (*numkeys < 0) return ctx.out.error("ERR Number of keys can't be negative");
  if (static_cast<std::uint64_t>(*numkeys) > ctx.args.size() - 3) {
    return ctx.out.error("ERR Number of keys can't be greater than number of args");
  }
  std::lock_guard lock(mutex_);
  if (lua_ == nullptr) open_state();
  std::string sha;
  if (by_sha) {
    sha.assign(ctx.args[1]);
    for (char& c : sha) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!scripts_.contains(sha)) return ctx.out.error(kNoScriptError);
  } else {
    sha = sha1_hex(ctx.args[1]);
    std::string error;
    if (!scripts_.contains(sha) && !compile(ctx.args[1], sha, error)) {
      return ctx.out.error(error);
    }
  }
  bool shebang = false;
  std::uint32_t flags = 0;
  std::string error;
  parse_shebang(scripts_.find(sha)->second, shebang, flags, error);  // valid: it compiled
  if (shebang && read_only && (flags & kNoWrites) == 0) {
    return ctx.out.error("ERR Can not execute a script with write flag using *_ro command.");
  }
  execute(ctx, sha, static_cast<std::size_t>(*numkeys), read_only || (flags & kNoWrites) != 0);
}

void ScriptEngine::execute(CommandContext& ctx, const std::string& sha, std::size_t numkeys,
                           bool read_only) {
  lua_State* L = lua_;
  set_array_global(L, "KEYS", ctx.args.subspan(3, numkeys));
  set_array_global(L, "ARGV", ctx.args.subspan(3 + numkeys));
  lua_pushcfunction(L, detail::error_handler);
  lua_getfield(L, LUA_REGISTRYINDEX, detail::kScripts);
  lua_getfield(L, -1, ("f_" + sha).c_str());
  lua_remove(L, -2);
  Run run{&ctx, sha, read_only};
  run_and_reply(ctx, L, run, 0);
}

void ScriptEngine::run_and_reply(CommandContext& ctx, lua_State* L, Run& run, int nargs) {
  run_ = &run;
  const int caller_db = ctx.client.db.load();
  wrote_ = false;
  kill_ = false;
  started_ms_ = steady_ms();
  served_ms_ = started_ms_;

  capped_ = true;
  const int status = lua_pcall(L, nargs, 1, -nargs - 2);
  capped_ = false;

  started_ms_ = -1;
  run_ = nullptr;
  ctx.client.db = caller_db;  // a SELECT inside the script does not outlive it
  if (status == 0) {
    write_lua_value(L, -1, ctx.out, run.resp == 3);
  } else {
    ctx.out.error(error_reply_text(L, run.sha));
  }
  lua_settop(L, 0);
  lua_gc(L, LUA_GCSTEP, 1);
}

}  // namespace tcpkit::kv
