// Redis 7 functions: FUNCTION LOAD / DELETE / FLUSH / LIST / STATS and FCALL, in the engine's
// second Lua state (scripting.hpp; the load environment is script_lib.cpp's).
//
// A library is `#!lua name=<name>` and Lua code that calls redis.register_function; loading
// runs the code once, in an environment with only `redis.register_function`, `redis.log` and
// the constants, and keeps the functions it registered. FCALL calls one with (KEYS, ARGV) as
// its two arguments, holding every shard as EVAL does.

#include <cctype>

#include "kv/cmd_util.hpp"
#include "kv/glob.hpp"
#include "kv/script_lib.hpp"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace tcpkit::kv {

namespace {

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return false;
  }
  return true;
}

constexpr std::string_view kBadName =
    "ERR Library names can only contain letters, numbers, or underscores(_) and must be at "
    "least one character long";

// The library name from the `#!lua name=<name>` line; false with Redis's error.
bool parse_metadata(std::string_view code, std::string& name_or_error) {
  if (!code.starts_with("#!")) return name_or_error = "ERR Missing library metadata", false;
  const std::size_t nl = code.find('\n');
  if (nl == std::string_view::npos) return name_or_error = "ERR Invalid library metadata", false;
  const std::string_view line = code.substr(2, nl - 2);
  std::string_view engine;
  std::optional<std::string_view> name;
  for (std::size_t at = 0; at < line.size();) {
    const std::size_t end = std::min(line.find(' ', at), line.size());
    const std::string_view word = line.substr(at, end - at);
    at = end + 1;
    if (word.empty()) continue;
    if (engine.empty()) {
      engine = word;
    } else if (word.starts_with("name=")) {
      if (name) {
        return name_or_error = "ERR Invalid metadata value, name argument was given multiple times",
               false;
      }
      name = word.substr(5);
    } else {
      return name_or_error = "ERR Invalid metadata value given: " + std::string(word), false;
    }
  }
  if (!iequals(engine, "lua")) {
    return name_or_error = "ERR Engine '" + std::string(engine) + "' not found", false;
  }
  if (!name) return name_or_error = "ERR Library name was not given", false;
  if (!valid_name(*name)) return name_or_error = std::string(kBadName), false;
  name_or_error.assign(*name);
  return true;
}

// registry[table][key] = value on top (popped), or cleared when nil.
void set_registry_entry(lua_State* L, const char* table, std::string_view key) {
  lua_getfield(L, LUA_REGISTRYINDEX, table);
  lua_pushlstring(L, key.data(), key.size());
  lua_pushvalue(L, -3);
  lua_rawset(L, -3);
  lua_pop(L, 2);
}

}  // namespace

std::string ScriptEngine::register_pending(std::string_view name, std::string_view description,
                                           std::uint32_t flags) {
  if (!valid_name(name)) return std::string(kBadName.substr(4));
  for (const Function& f : pending_) {
    if (f.name == name) return "Function already exists in the library";
  }
  pending_.push_back(
      Function{std::string(name), std::string(description), !description.empty(), flags});
  return {};
}

bool ScriptEngine::load_library(std::string_view code, bool replace, std::string& result) {
  std::string name;
  if (!parse_metadata(code, name)) return result = std::move(name), false;
  std::lock_guard lock(mutex_);
  if (libraries_.contains(name) && !replace) {
    return result = "ERR Library '" + name + "' already exists", false;
  }
  if (functions_lua_ == nullptr) open_functions_state();
  lua_State* L = functions_lua_;
  // The metadata line stays as an empty line, so that line numbers are the code's.
  const std::size_t nl = code.find('\n');
  const std::string body(nl == std::string_view::npos ? std::string_view() : code.substr(nl));
  if (luaL_loadbuffer(L, body.data(), body.size(), "@user_function") != 0) {
    result = "ERR Error compiling function: " + std::string(lua_tostring(L, -1));
    lua_settop(L, 0);
    return false;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, detail::kLibraryEnv);
  lua_setfenv(L, -2);
  lua_pushcfunction(L, detail::error_handler);
  lua_insert(L, -2);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, detail::kPending);
  pending_.clear();
  loading_ = true;
  load_started_ms_ = steady_now_ms();
  capped_ = true;
  const int status = lua_pcall(L, 0, 0, -2);
  capped_ = false;
  loading_ = false;
  if (status != 0) {
    lua_pushstring(L, "err");
    lua_rawget(L, -2);
    const char* text = lua_tostring(L, -1);
    result = "ERR Error registering functions: " + std::string(text ? text : "unknown error");
    lua_settop(L, 0);
    return false;
  }
  lua_settop(L, 0);
  if (pending_.empty()) return result = "ERR No functions registered", false;
  for (const Function& f : pending_) {
    const auto owner = function_library_.find(f.name);
    if (owner != function_library_.end() && owner->second != name) {
      return result = "ERR Function " + f.name + " already exists", false;
    }
  }
  if (replace) delete_library_locked(name);
  Library& library = libraries_[name];
  library = Library{name, std::string(code), std::move(pending_)};
  pending_.clear();
  for (const Function& f : library.functions) {
    lua_getfield(L, LUA_REGISTRYINDEX, detail::kPending);
    lua_getfield(L, -1, f.name.c_str());
    set_registry_entry(L, detail::kFunctions, f.name);
    lua_pop(L, 1);
    function_library_[f.name] = name;
  }
  script_bytes_.fetch_add(code.size(), std::memory_order_relaxed);
  count_functions();
  result = std::move(name);
  return true;
}

void ScriptEngine::delete_library_locked(std::string_view name) {
  const auto it = libraries_.find(name);
  if (it == libraries_.end()) return;
  for (const Function& f : it->second.functions) {
    lua_pushnil(functions_lua_);
    set_registry_entry(functions_lua_, detail::kFunctions, f.name);
    function_library_.erase(f.name);
  }
  script_bytes_.fetch_sub(it->second.code.size(), std::memory_order_relaxed);
  libraries_.erase(it);
}

bool ScriptEngine::delete_library(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (!libraries_.contains(name)) return false;
  delete_library_locked(name);
  count_functions();
  return true;
}

void ScriptEngine::flush_functions() {
  std::lock_guard lock(mutex_);
  for (const auto& [name, library] : libraries_) {
    script_bytes_.fetch_sub(library.code.size(), std::memory_order_relaxed);
  }
  libraries_.clear();
  function_library_.clear();
  count_functions();
  if (functions_lua_ != nullptr) lua_close(functions_lua_);
  functions_lua_ = nullptr;
}

std::vector<std::string> ScriptEngine::library_codes() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> codes;
  codes.reserve(libraries_.size());
  for (const auto& [name, library] : libraries_) codes.push_back(library.code);
  return codes;
}

bool ScriptEngine::restore_libraries(std::span<const std::string> codes, RestorePolicy policy,
                                     std::string& error) {
  if (policy == RestorePolicy::kAppend) {
    std::lock_guard lock(mutex_);
    for (const std::string& code : codes) {
      std::string name;
      if (parse_metadata(code, name) && libraries_.contains(name)) {
        return error = "ERR Library " + name + " already exists", false;
      }
    }
  }
  const std::vector<std::string> before = library_codes();
  if (policy == RestorePolicy::kFlush) flush_functions();
  for (const std::string& code : codes) {
    if (load_library(code, policy == RestorePolicy::kReplace, error)) continue;
    // Back to what was there: the same code loads the same way again.
    flush_functions();
    std::string ignored;
    for (const std::string& old : before) (void)load_library(old, false, ignored);
    return false;
  }
  return true;
}

void ScriptEngine::fcall(CommandContext& ctx, bool read_only) {
  std::unique_lock lock(mutex_);
  const auto owner = function_library_.find(ctx.args[1]);
  if (owner == function_library_.end()) return ctx.out.error("ERR Function not found");
  const Library& library = libraries_.find(owner->second)->second;
  std::uint32_t flags = 0;
  for (const Function& f : library.functions) {
    if (f.name == ctx.args[1]) flags = f.flags;
  }
  if (read_only && (flags & kNoWrites) == 0) {
    return ctx.out.error("ERR Can not execute a script with write flag using *_ro command.");
  }
  lock.unlock();  // the numkeys parse replies without the engine
  const std::optional<std::int64_t> numkeys = util::int_arg(ctx, ctx.args[2]);
  if (!numkeys) return;
  if (*numkeys < 0) return ctx.out.error("ERR Number of keys can't be negative");
  if (static_cast<std::uint64_t>(*numkeys) > ctx.args.size() - 3) {
    return ctx.out.error("ERR Number of keys can't be greater than number of args");
  }
  lock.lock();
  if (!function_library_.contains(ctx.args[1])) return ctx.out.error("ERR Function not found");
  lua_State* L = functions_lua_;
  lua_pushcfunction(L, detail::error_handler);
  lua_getfield(L, LUA_REGISTRYINDEX, detail::kFunctions);
  lua_pushlstring(L, ctx.args[1].data(), ctx.args[1].size());
  lua_rawget(L, -2);
  lua_remove(L, -2);
  const auto n = static_cast<std::size_t>(*numkeys);
  for (const auto part : {ctx.args.subspan(3, n), ctx.args.subspan(3 + n)}) {
    lua_createtable(L, static_cast<int>(part.size()), 0);
    for (std::size_t i = 0; i < part.size(); ++i) {
      lua_pushlstring(L, part[i].data(), part[i].size());
      lua_rawseti(L, -2, static_cast<int>(i + 1));
    }
  }
  Run run{&ctx, std::string(ctx.args[1]), read_only || (flags & kNoWrites) != 0};
  running_function_ = true;
  run_and_reply(ctx, L, run, 2);
  running_function_ = false;
}

void ScriptEngine::list_functions(codec::ReplyWriter& out, bool with_code,
                                  std::optional<std::string_view> pattern) {
  std::lock_guard lock(mutex_);
  std::vector<const Library*> shown;
  for (const auto& [name, library] : libraries_) {
    if (!pattern || glob_match(*pattern, name)) shown.push_back(&library);
  }
  out.array(shown.size());
  for (const Library* library : shown) {
    out.map(with_code ? 4 : 3);
    out.bulk("library_name");
    out.bulk(library->name);
    out.bulk("engine");
    out.bulk("LUA");
    out.bulk("functions");
    out.array(library->functions.size());
    for (const Function& f : library->functions) {
      out.map(3);
      out.bulk("name");
      out.bulk(f.name);
      out.bulk("description");
      f.has_description ? out.bulk(f.description) : out.null();
      out.bulk("flags");
      static constexpr std::pair<std::uint32_t, std::string_view> kNames[] = {
          {kNoWrites, "no-writes"},
          {kAllowOom, "allow-oom"},
          {kAllowStale, "allow-stale"},
          {kNoCluster, "no-cluster"},
          {kAllowCrossSlotKeys, "allow-cross-slot-keys"},
      };
      std::size_t count = 0;
      for (const auto& [bit, text] : kNames) count += (f.flags & bit) != 0;
      out.set(count);
      for (const auto& [bit, text] : kNames) {
        if ((f.flags & bit) != 0) out.simple(text);
      }
    }
    if (with_code) {
      out.bulk("library_code");
      out.bulk(library->code);
    }
  }
}

void ScriptEngine::function_stats(codec::ReplyWriter& out) {
  // Lock-free: FUNCTION STATS runs while a script holds the engine (it is allowed when BUSY).
  out.map(2);
  out.bulk("running_script");
  const std::int64_t ms = running_ms();
  if (ms < 0) {
    out.null();
  } else {
    out.map(3);
    out.bulk("name");
    out.bulk(running_function_.load() ? "function" : "script");
    out.bulk("command");
    out.array(0);
    out.bulk("duration_ms");
    out.integer(ms);
  }
  out.bulk("engines");
  out.map(1);
  out.bulk("LUA");
  out.map(2);
  out.bulk("libraries_count");
  out.integer(static_cast<std::int64_t>(library_count_.load()));
  out.bulk("functions_count");
  out.integer(static_cast<std::int64_t>(function_library_count_.load()));
}

void ScriptEngine::count_functions() {
  library_count_ = libraries_.size();
  function_library_count_ = function_library_.size();
}

}  // namespace tcpkit::kv
