// FUNCTION LOAD's side of the script library: redis.register_function and the environment a
// library's code runs in (script_lib.hpp, install_function_env).

#include <string>

#include "kv/script_lib.hpp"

extern "C" {
#include <lauxlib.h>
}

namespace tcpkit::kv::detail {

namespace {

// redis.register_function's arguments, checked; nullptr or the error (without "ERR ").
struct Registration {
  std::string_view name, description;
  bool has_description = false;
  std::uint32_t flags = 0;
};

const char* parse_flags(lua_State* L, int table, std::uint32_t& flags) {
  static constexpr std::pair<std::string_view, std::uint32_t> kFlags[] = {
      {"no-writes", ScriptEngine::kNoWrites},
      {"allow-oom", ScriptEngine::kAllowOom},
      {"allow-stale", ScriptEngine::kAllowStale},
      {"no-cluster", ScriptEngine::kNoCluster},
      {"allow-cross-slot-keys", ScriptEngine::kAllowCrossSlotKeys},
  };
  if (!lua_istable(L, table))
    return "flags argument to redis.register_function must be a table representing function flags";
  for (int i = 1;; ++i) {
    lua_rawgeti(L, table, i);
    if (lua_isnil(L, -1)) break;
    if (lua_type(L, -1) != LUA_TSTRING) return "unknown flag given";
    const std::string_view flag = string_arg(L, -1);
    lua_pop(L, 1);
    bool known = false;
    for (const auto& [flag_name, bit] : kFlags) {
      if (flag == flag_name) flags |= bit, known = true;
    }
    if (!known) return "unknown flag given";
  }
  lua_pop(L, 1);
  return nullptr;
}

const char* parse_named(lua_State* L, Registration& r) {
  for (lua_pushnil(L); lua_next(L, 1) != 0; lua_pop(L, 1)) {
    const std::string_view key = lua_type(L, -2) == LUA_TSTRING ? string_arg(L, -2) : "";
    const int value = lua_gettop(L);
    if (key == "function_name") {
      if (lua_type(L, value) != LUA_TSTRING)
        return "function_name argument given to redis.register_function must be a string";
      r.name = string_arg(L, value);
    } else if (key == "description") {
      if (lua_type(L, value) != LUA_TSTRING)
        return "description argument given to redis.register_function must be a string";
      r.description = string_arg(L, value);
      r.has_description = true;
    } else if (key == "callback") {
      if (!lua_isfunction(L, value))
        return "callback argument given to redis.register_function must be a function";
      lua_pushvalue(L, value);
      lua_replace(L, 2);  // the callback's slot
    } else if (key == "flags") {
      if (const char* e = parse_flags(L, value, r.flags)) return e;
    } else {
      return "unknown argument given to redis.register_function";
    }
  }
  if (r.name.data() == nullptr) return "redis.register_function must get a function name argument";
  if (!lua_isfunction(L, 2)) return "redis.register_function must get a callback argument";
  return nullptr;
}

int register_function(lua_State* L) {
  ScriptEngine& engine = engine_of(L);
  const int argc = lua_gettop(L);
  Registration r;
  const char* error = nullptr;
  if (argc == 1) {
    if (!lua_istable(L, 1)) {
      error =
          "calling redis.register_function with a single argument is only applicable to "
          "Lua table (representing named arguments).";
    } else {
      lua_pushnil(L);  // slot 2: the callback
      error = parse_named(L, r);
    }
  } else if (argc == 2) {
    if (lua_type(L, 1) != LUA_TSTRING) {
      error = "first argument to redis.register_function must be a string";
    } else if (!lua_isfunction(L, 2)) {
      error = "second argument to redis.register_function must be a function";
    } else {
      r.name = string_arg(L, 1);
    }
  } else {
    error = "wrong number of arguments to redis.register_function";
  }
  if (error != nullptr) return raise_error(L, error);
  char message[256] = {};
  {
    const std::string e = engine.register_pending(r.name, r.description, r.flags);
    e.copy(message, sizeof message - 1);
  }
  if (message[0] != 0) return raise_error(L, message);
  lua_getfield(L, LUA_REGISTRYINDEX, kPending);
  lua_pushlstring(L, r.name.data(), r.name.size());
  lua_pushvalue(L, 2);
  lua_rawset(L, -3);
  return 0;
}

// __index of the library environment (see install_function_env).
int library_env_index(lua_State* L) {
  ScriptEngine& engine = engine_of(L);
  lua_pushvalue(L, 2);
  lua_rawget(L, engine.loading() ? lua_upvalueindex(2) : lua_upvalueindex(3));
  if (!lua_isnil(L, -1)) return 1;
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name == nullptr ? "?" : name);
}

}  // namespace

void install_function_env(lua_State* L, ScriptEngine* engine) {
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kPending);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kFunctions);
  // The load-time `redis`: register_function, log and the constants only.
  lua_newtable(L);  // load globals
  lua_pushstring(L, "redis");
  lua_newtable(L);
  lua_pushstring(L, "register_function");
  lua_pushlightuserdata(L, engine);
  lua_pushcclosure(L, register_function, 1);
  lua_rawset(L, -3);
  lua_pushstring(L, "log");
  lua_pushlightuserdata(L, engine);
  lua_pushcclosure(L, redis_log, 1);
  lua_rawset(L, -3);
  for (const char* name : {"LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING", "REDIS_VERSION",
                           "REDIS_VERSION_NUM"}) {
    lua_getglobal(L, "redis");
    lua_getfield(L, -1, name);
    lua_remove(L, -2);
    lua_setfield(L, -2, name);
  }
  push_readonly_proxy(L, global_index);
  lua_rawset(L, -3);
  // The environment: upvalues engine, load globals, real globals.
  const int load_globals = lua_gettop(L);
  lua_newtable(L);  // proxy
  lua_newtable(L);  // metatable
  lua_pushstring(L, "__index");
  lua_pushlightuserdata(L, engine);
  lua_pushvalue(L, load_globals);
  lua_getfield(L, LUA_REGISTRYINDEX, kRealGlobals);
  lua_pushcclosure(L, library_env_index, 3);
  lua_rawset(L, -3);
  lua_pushstring(L, "__newindex");
  lua_pushcfunction(L, readonly_newindex);
  lua_rawset(L, -3);
  lua_pushstring(L, "__metatable");
  lua_pushboolean(L, 0);
  lua_rawset(L, -3);
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, kLibraryEnv);
  lua_pop(L, 1);
}

}  // namespace tcpkit::kv::detail
