// The script's side of the server: the redis table, the sandbox and the error handler
// (see script_lib.hpp). Every Lua C function here raises errors only after its C++ objects are
// gone (lua_error longjmps past destructors); only an out-of-memory inside a lua_push* can
// skip one, which leaks that call's small buffers and nothing else.

#include "kv/script_lib.hpp"

#include <dlfcn.h>

#include <cmath>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "kv/aof_propagate.hpp"
#include "kv/command_meta.hpp"
#include "kv/kv_service.hpp"
#include "kv/lua_convert.hpp"
#include "kv/reply_recorder.hpp"
#include "kv/sha1.hpp"

extern "C" {
#include <lauxlib.h>
#include <lualib.h>
}

namespace tcpkit::kv {

namespace {
thread_local bool t_in_script_call = false;
}  // namespace

bool in_script_call() { return t_in_script_call; }

}  // namespace tcpkit::kv

namespace tcpkit::kv::detail {

std::string_view string_arg(lua_State* L, int i) {
  std::size_t n = 0;
  const char* s = lua_tolstring(L, i, &n);
  return {s, n};
}

ScriptEngine& engine_of(lua_State* L) {
  return *static_cast<ScriptEngine*>(lua_touserdata(L, lua_upvalueindex(1)));
}

void push_error_table(lua_State* L, std::string_view message) {
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, message.data(), message.size());
  lua_rawset(L, -3);
}

// Raises Redis's error table {err="ERR <message>"} (no Lua position: the handler adds the
// script's line), as the redis library's own argument checks do.
int raise_error(lua_State* L, const char* message) {
  lua_pushstring(L, "ERR ");
  lua_pushstring(L, message);
  lua_concat(L, 2);
  push_error_table(L, string_arg(L, -1));
  return lua_error(L);
}
int redis_log(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc < 2) return raise_error(L, "redis.log() requires two arguments or more.");
  if (lua_type(L, 1) != LUA_TNUMBER) return raise_error(L, "First argument must be a number.");
  const lua_Number level = lua_tonumber(L, 1);
  if (level < 0 || level > 3) return raise_error(L, "Invalid debug level.");
  return 0;  // kv keeps no log file: accepted and dropped (docs/kv.md)
}
// __index of the global proxy: a global that does not exist is an error, as in Redis.
int global_index(lua_State* L) {
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  if (!lua_isnil(L, -1)) return 1;
  const char* name = lua_tostring(L, 2);
  // Redis's struct and cmsgpack have no Debian package for Lua 5.1: say so (docs/kv.md).
  if (name != nullptr &&
      (std::string_view(name) == "cmsgpack" || std::string_view(name) == "struct")) {
    return luaL_error(L,
                      "Script attempted to access '%s': Redis's %s library is not available in "
                      "kv (no Lua 5.1 package of it exists in Debian)",
                      name, name);
  }
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name == nullptr ? "?" : name);
}
int readonly_newindex(lua_State* L) { return luaL_error(L, "Attempt to modify a readonly table"); }
// A read-only view of the table on top of the stack, replacing it: reads go to the table
// (through `index`, or straight to it when null), every write is refused.
void push_readonly_proxy(lua_State* L, lua_CFunction index) {
  const int real = lua_gettop(L);
  lua_newtable(L);  // proxy
  lua_newtable(L);  // its metatable
  lua_pushstring(L, "__index");
  if (index != nullptr) {
    lua_pushvalue(L, real);
    lua_pushcclosure(L, index, 1);
  } else {
    lua_pushvalue(L, real);
  }
  lua_rawset(L, -3);
  lua_pushstring(L, "__newindex");
  lua_pushcfunction(L, readonly_newindex);
  lua_rawset(L, -3);
  lua_pushstring(L, "__metatable");
  lua_pushboolean(L, 0);
  lua_rawset(L, -3);
  lua_setmetatable(L, -2);
  lua_replace(L, real);
}

namespace {

// Redis's "%.17g" for a number argument of redis.call.
std::string number_text(lua_Number d) {
  char text[64];
  const int n = std::snprintf(text, sizeof text, "%.17g", static_cast<double>(d));
  return std::string(text, static_cast<std::size_t>(n));
}

// Runs the command whose arguments are the Lua call's arguments; pushes its reply as a Lua
// value (or the error table of a refused call). True when the pushed value is an error.
bool run_command(lua_State* L, ScriptEngine& engine) {
  ScriptEngine::Run& run = *engine.current_run();
  const int argc = lua_gettop(L);
  if (argc == 0) {
    push_error_table(L, "ERR Please specify at least one argument for this redis lib call");
    return true;
  }
  std::deque<std::string> numbers;
  std::vector<std::string_view> args;
  args.reserve(static_cast<std::size_t>(argc));
  for (int i = 1; i <= argc; ++i) {
    const int type = lua_type(L, i);
    if (type == LUA_TNUMBER) {
      args.push_back(numbers.emplace_back(number_text(lua_tonumber(L, i))));
    } else if (type == LUA_TSTRING) {
      std::size_t n = 0;
      const char* s = lua_tolstring(L, i, &n);
      args.emplace_back(s, n);
    } else {
      push_error_table(L, "ERR Lua redis lib command arguments must be strings or integers");
      return true;
    }
  }
  const CommandSpec* spec = find_command(args[0]);
  if (spec == nullptr) {
    push_error_table(L, "ERR Unknown Redis command called from script");
    return true;
  }
  auto arity_ok = [&](int arity) {
    const auto n = static_cast<std::size_t>(arity < 0 ? -arity : arity);
    return arity < 0 ? args.size() >= n : args.size() == n;
  };
  std::string_view full_name = spec->name;
  bool arity_fits = arity_ok(spec->arity);
  if (arity_fits && !spec->subcommands.empty() && args.size() >= 2) {
    const SubcommandSpec* sub = find_subcommand(*spec, args[1]);
    if (sub == nullptr) {
      push_error_table(L, "ERR Unknown Redis command called from script");
      return true;
    }
    full_name = sub->full_name;
    arity_fits = arity_ok(sub->arity);
  }
  if (!arity_fits) {
    push_error_table(L, "ERR Wrong number of args calling Redis command from script");
    return true;
  }
  const CommandMeta* meta = find_command_meta(full_name);
  const std::uint32_t redis_flags = meta != nullptr ? meta->flags : 0;
  if ((spec->flags & kNoScript) != 0 || (redis_flags & kFlagNoscript) != 0) {
    push_error_table(L, "ERR This Redis command is not allowed from script");
    return true;
  }
  const bool writes = (spec->flags & kWrite) != 0 || (redis_flags & kFlagWrite) != 0;
  if (writes && run.read_only) {
    push_error_table(L, "ERR Write commands are not allowed from read-only scripts.");
    return true;
  }
  CommandContext& outer = *run.ctx;
  // Redis's check at the script's first write: over maxmemory, a denyoom command is refused
  // (after a write it is let through, so that a script is never left half done).
  const std::uint64_t maxmemory = outer.service.config().maxmemory;
  if ((spec->flags & kDenyOom) != 0 && maxmemory != 0 && !engine.wrote() &&
      outer.store.used_memory() > maxmemory) {
    push_error_table(L, "OOM command not allowed when used memory > 'maxmemory'.");
    return true;
  }
  ReplyRecorder reply;
  const int caller_resp = outer.client.resp.load();
  outer.client.resp = run.resp;
  CommandContext inner{args, reply, outer.service, outer.store, outer.client, outer.now_ms};
  inner.aof = outer.aof;
  t_in_script_call = true;
  aof::run_and_log(*spec, inner);
  t_in_script_call = false;
  outer.client.resp = caller_resp;
  if (writes) engine.mark_written();
  LuaReplyWriter writer(L, run.resp == 3);
  reply.replay(writer);
  return reply.top_level_error();
}

int redis_call(lua_State* L) {
  if (run_command(L, engine_of(L))) return lua_error(L);
  return 1;
}

int redis_pcall(lua_State* L) {
  run_command(L, engine_of(L));
  return 1;
}

// Redis's error table from "-CODE message" or "CODE message" (a leading '-' is optional):
// the first word is the code, or ERR when there is no space ("hello" -> "ERR hello"); the
// message loses leading and trailing CR and LF.
void push_error_from(lua_State* L, std::string_view s) {
  if (s.starts_with('-')) s.remove_prefix(1);
  const std::size_t space = s.find(' ');
  std::string text = space == std::string_view::npos ? "ERR " : std::string(s.substr(0, space + 1));
  std::string_view message = space == std::string_view::npos ? s : s.substr(space + 1);
  while (!message.empty() && (message.front() == '\r' || message.front() == '\n')) {
    message.remove_prefix(1);
  }
  while (!message.empty() && (message.back() == '\r' || message.back() == '\n')) {
    message.remove_suffix(1);
  }
  text.append(message);
  push_error_table(L, text);
}

int redis_error_reply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    return raise_error(L, "wrong number or type of arguments");
  }
  push_error_from(L, string_arg(L, 1));
  return 1;
}

int redis_status_reply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    return raise_error(L, "wrong number or type of arguments");
  }
  lua_newtable(L);
  lua_pushstring(L, "ok");
  lua_pushvalue(L, 1);
  lua_rawset(L, -3);
  return 1;
}

int redis_sha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) return raise_error(L, "wrong number of arguments");
  std::size_t n = 0;
  const char* s = lua_tolstring(L, 1, &n);
  char hex[41];
  {
    const std::string digest = sha1_hex({s == nullptr ? "" : s, s == nullptr ? 0 : n});
    digest.copy(hex, 40);
  }
  lua_pushlstring(L, hex, 40);
  return 1;
}

int redis_setresp(lua_State* L) {
  if (lua_gettop(L) != 1) return raise_error(L, "redis.setresp() requires one argument.");
  const auto version = static_cast<int>(lua_tonumber(L, 1));
  if (version != 2 && version != 3) return raise_error(L, "RESP version must be 2 or 3.");
  engine_of(L).current_run()->resp = version;
  return 0;
}

int redis_set_repl(lua_State* L) {
  if (lua_gettop(L) != 1) return raise_error(L, "redis.set_repl() requires one argument.");
  return 0;  // kv does not replicate: every flag is accepted
}

int redis_replicate_commands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

int redis_breakpoint(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

int redis_noop(lua_State*) { return 0; }

// Loads Debian's module `path` (luaopen_<name>) as the global `name`; a module that is not
// installed leaves the global undefined (docs/kv.md).
void load_module(lua_State* L, const char* path, const char* name, const char* symbol) {
  void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return;
  auto open = reinterpret_cast<lua_CFunction>(dlsym(handle, symbol));
  if (open == nullptr) return;
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  if (lua_pcall(L, 1, 1, 0) != 0) {
    lua_pop(L, 1);
    return;
  }
  lua_setglobal(L, name);
}

void open_library(lua_State* L, lua_CFunction open, const char* name) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

// math.random and math.randomseed as Redis 7.0 replaces them (rand48.hpp): r = (lrand48 %
// kMax) / kMax; no argument: r; (u): floor(r * u) + 1; (l, u): floor(r * (u - l + 1)) + l.
int math_random(lua_State* L) {
  auto* engine = static_cast<ScriptEngine*>(lua_touserdata(L, lua_upvalueindex(1)));
  const lua_Number r = static_cast<lua_Number>(engine->random().next() % Rand48::kMax) /
                       static_cast<lua_Number>(Rand48::kMax);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      return 1;
    case 1: {
      const int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      return 1;
    }
    case 2: {
      const int l = luaL_checkint(L, 1);
      const int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      return 1;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
}

int math_randomseed(lua_State* L) {
  auto* engine = static_cast<ScriptEngine*>(lua_touserdata(L, lua_upvalueindex(1)));
  engine->random().seed(luaL_checkint(L, 1));
  return 0;
}

void replace_math_random(lua_State* L, ScriptEngine* engine) {
  lua_getglobal(L, LUA_MATHLIBNAME);
  for (const luaL_Reg& f :
       {luaL_Reg{"random", math_random}, luaL_Reg{"randomseed", math_randomseed}}) {
    lua_pushstring(L, f.name);
    lua_pushlightuserdata(L, engine);
    lua_pushcclosure(L, f.func, 1);
    lua_rawset(L, -3);
  }
  lua_pop(L, 1);
}

void install_redis_table(lua_State* L, ScriptEngine* engine) {
  static constexpr luaL_Reg kFunctions[] = {
      {"call", redis_call},
      {"pcall", redis_pcall},
      {"error_reply", redis_error_reply},
      {"status_reply", redis_status_reply},
      {"sha1hex", redis_sha1hex},
      {"log", redis_log},
      {"setresp", redis_setresp},
      {"set_repl", redis_set_repl},
      {"replicate_commands", redis_replicate_commands},
      {"breakpoint", redis_breakpoint},
      {"debug", redis_noop},
  };
  lua_newtable(L);
  for (const luaL_Reg& f : kFunctions) {
    lua_pushstring(L, f.name);
    lua_pushlightuserdata(L, engine);
    lua_pushcclosure(L, f.func, 1);
    lua_rawset(L, -3);
  }
  static constexpr std::pair<const char*, int> kConstants[] = {
      {"LOG_DEBUG", 0},  {"LOG_VERBOSE", 1},
      {"LOG_NOTICE", 2}, {"LOG_WARNING", 3},
      {"REPL_NONE", 0},  {"REPL_AOF", 1},
      {"REPL_SLAVE", 2}, {"REPL_REPLICA", 2},
      {"REPL_ALL", 3},   {"REDIS_VERSION_NUM", 0x07000f},
  };
  for (const auto& [name, value] : kConstants) {
    lua_pushstring(L, name);
    lua_pushnumber(L, value);
    lua_rawset(L, -3);
  }
  lua_pushstring(L, "REDIS_VERSION");
  lua_pushstring(L, "7.0.15");
  lua_rawset(L, -3);
  push_readonly_proxy(L, nullptr);
  lua_setglobal(L, "redis");
}

}  // namespace

void install_sandbox(lua_State* L, ScriptEngine* engine) {
  open_library(L, luaopen_base, "");
  open_library(L, luaopen_table, LUA_TABLIBNAME);
  open_library(L, luaopen_string, LUA_STRLIBNAME);
  open_library(L, luaopen_math, LUA_MATHLIBNAME);
  replace_math_random(L, engine);
  open_library(L, luaopen_debug, LUA_DBLIBNAME);
  for (const char* removed : {"dofile", "loadfile", "print"}) {
    lua_pushnil(L);
    lua_setglobal(L, removed);
  }
  load_module(L, "/usr/lib/x86_64-linux-gnu/lua/5.1/cjson.so", "cjson", "luaopen_cjson");
  load_module(L, "/usr/lib/x86_64-linux-gnu/lua/5.1/bit.so", "bit", "luaopen_bit");
  install_redis_table(L, engine);
  // The real globals stay reachable from C (KEYS, ARGV); scripts see the read-only proxy,
  // as their environment and as _G.
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_setfield(L, LUA_REGISTRYINDEX, kRealGlobals);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kScripts);
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  push_readonly_proxy(L, global_index);
  lua_pushstring(L, "_G");
  lua_pushvalue(L, -2);
  lua_rawset(L, LUA_GLOBALSINDEX);
  lua_replace(L, LUA_GLOBALSINDEX);
}

int error_handler(lua_State* L) {
  lua_Debug ar;
  bool where = lua_getstack(L, 1, &ar) != 0 && lua_getinfo(L, "nSl", &ar) != 0;
  if (where && std::string_view(ar.what) == "C") {
    where = lua_getstack(L, 2, &ar) != 0 && lua_getinfo(L, "nSl", &ar) != 0;
  }
  if (!lua_istable(L, 1)) {
    const char* text = lua_tostring(L, 1);
    if (text == nullptr) text = lua_isnil(L, 1) ? "nil" : lua_typename(L, lua_type(L, 1));
    lua_pushstring(L, "ERR ");
    lua_pushstring(L, text);
    lua_concat(L, 2);
    push_error_table(L, string_arg(L, -1));
    lua_replace(L, 1);
    lua_settop(L, 1);
  }
  if (where) {
    lua_pushstring(L, "source");
    lua_pushstring(L, ar.source);
    lua_rawset(L, 1);
    lua_pushstring(L, "line");
    lua_pushnumber(L, ar.currentline);
    lua_rawset(L, 1);
  }
  lua_settop(L, 1);
  return 1;
}

}  // namespace tcpkit::kv::detail
