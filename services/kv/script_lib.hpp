#pragma once
// What a script sees of the server: the sandboxed globals (base, table, string, math, debug,
// cjson and bit where Debian's modules load; no os, io, package, loadfile, dofile, print), the
// `redis` table (call, pcall, error_reply, status_reply, sha1hex, log, setresp, set_repl,
// replicate_commands, ...) and the protected global table, with Redis's error texts.
// Internal to ScriptEngine (scripting.cpp); engine mutex held for every call.

#include <string_view>

#include "kv/scripting.hpp"

extern "C" {
#include <lua.h>
}

namespace tcpkit::kv {

// The context of the script now running: set by ScriptEngine::execute for its length.
struct ScriptEngine::Run {
  CommandContext* ctx;
  std::string sha;
  bool read_only = false;
  int resp = 2;  // redis.setresp()
};

namespace detail {

// Opens the libraries, the redis table and cjson/bit into the fresh state `L`, then makes the
// globals read-only (a proxy whose misses raise Redis's nonexistent-global error). Leaves the
// real globals table in the registry under kRealGlobals, where KEYS and ARGV are set.
void install_sandbox(lua_State* L, ScriptEngine* engine);
inline constexpr const char* kRealGlobals = "tcpkit_globals";
inline constexpr const char* kScripts = "tcpkit_scripts";  // registry: "f_<sha>" -> function

// For the functions' state, after install_sandbox(): the environment library code runs in
// (registry kLibraryEnv). While FUNCTION LOAD runs a library it offers only `redis` with
// register_function, log, the LOG_* constants and REDIS_VERSION(_NUM), as Redis's load
// environment does; afterwards (when the library's functions run) the ordinary globals.
// Misses raise the nonexistent-global error, writes the read-only one. Registered functions
// wait in the registry table kPending until the load succeeds.
void install_function_env(lua_State* L, ScriptEngine* engine);
inline constexpr const char* kLibraryEnv = "tcpkit_library_env";
inline constexpr const char* kPending = "tcpkit_pending";      // name -> function
inline constexpr const char* kFunctions = "tcpkit_functions";  // name -> function

// Shared by script_lib.cpp and function_lib.cpp.
std::string_view string_arg(lua_State* L, int i);  // the string at `i` (its bytes, any)
ScriptEngine& engine_of(lua_State* L);             // a C closure's upvalue 1
void push_error_table(lua_State* L, std::string_view message);  // {err = message}
// Raises Redis's error table {err="ERR <message>"} (no Lua position: the handler adds it).
int raise_error(lua_State* L, const char* message);
int redis_log(lua_State* L);
// __index / __newindex of the read-only proxies: Redis's nonexistent-global and read-only
// errors, with the script's position.
int global_index(lua_State* L);
int readonly_newindex(lua_State* L);
// Replaces the table on top of the stack by a read-only proxy of it (reads through `index`,
// a closure over the table, or straight to it when null).
void push_readonly_proxy(lua_State* L, lua_CFunction index);

// The pcall message handler: turns any error into Redis's {err=..., source=..., line=...}
// table (a non-table error becomes "ERR " .. tostring(e)).
int error_handler(lua_State* L);

}  // namespace detail

}  // namespace tcpkit::kv
