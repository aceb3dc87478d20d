#pragma once
// ScriptEngine: EVAL's Lua 5.1 interpreter, its sandbox and its SHA1-keyed script cache, one
// per KvService, created on the first scripting command (docs/kv.md, "Scripting").
//
// Theory of operation. EVAL and its kin are flagged kWholeKeyspace, so the session holds every
// shard before the handler runs; the engine then takes its own mutex (a leaf below the shard
// locks: SCRIPT LOAD/EXISTS/FLUSH take it holding no shard) and runs the script. redis.call
// runs the inner command's handler directly, under the shards already held, never locking
// again, so the script is atomic. While a script runs, running_since() says since when; a
// session that sees a script running longer than busy-reply-threshold answers BUSY instead of
// waiting (KvService::script_busy()), and a thread already waiting for a shard gives up with
// BUSY (ShardLock's give-up probe). SCRIPT KILL asks the running script to stop (a Lua count
// hook checks the request); a script that wrote cannot be killed.
//
// Serving others while busy: under a model where the script's connection shares its thread
// with other connections (epoll, a reactor's loop), nobody else could read their commands.
// So the count hook, once the script is past busy-reply-threshold, asks the connection's loop
// every kServeEveryMs to serve the others once (Outlet::serve_others_while_blocked), as
// Redis's processEventsWhileBlocked does: they get BUSY, or run SCRIPT KILL / FUNCTION KILL /
// SHUTDOWN NOSAVE and the other allow-busy commands. Meanwhile the thread's view of the shards
// it holds (and of the keys made ready for blocked clients) is set aside, so those sessions
// lock for themselves and never use the script's shards (they give up with BUSY instead).
//
// Memory: every byte the Lua state allocates goes through a counting allocator with a cap
// (kLuaMemoryLimit), enforced while a script runs (inside its lua_pcall): past it Lua raises
// "not enough memory", which the script sees as an error. Outside a run (building KEYS and
// ARGV, compiling, converting the result) allocations are not refused, because a Lua memory
// error there would have no protected call to land in; what they hold is bounded by the
// request's size.
//
// Thread affinity: run()/load()/exists()/flush() from any thread, serialised by the engine's
// mutex; kill() and the busy queries from any thread, lock-free.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kv/command.hpp"
#include "kv/rand48.hpp"

struct lua_State;

namespace tcpkit::kv {

inline constexpr std::size_t kLuaMemoryLimit = std::size_t{256} << 20;

// True on a thread while it runs a command called by a script (redis.call / redis.pcall). A
// blocking command (BLPOP, ...) must then act as its non-blocking form, as in Redis: a script
// cannot wait.
bool in_script_call();

class ScriptEngine {
 public:
  explicit ScriptEngine(std::size_t memory_limit = kLuaMemoryLimit);
  ~ScriptEngine();
  ScriptEngine(const ScriptEngine&) = delete;
  ScriptEngine& operator=(const ScriptEngine&) = delete;

  // EVAL / EVALSHA / EVAL_RO / EVALSHA_RO: ctx.args is the whole command. Replies through
  // ctx.out: the script's result or Redis's error. Needs every shard held.
  void eval(CommandContext& ctx, bool by_sha, bool read_only);
  // SCRIPT LOAD: compiles and caches `body`; the SHA1 hex, or the compile error text.
  bool load(std::string_view body, std::string& sha_or_error);
  bool exists(std::string_view sha);
  // SCRIPT FLUSH: forgets every script and starts a fresh interpreter.
  void flush();

  // Redis 7 functions (scripting_functions.cpp), in their own Lua state as in Redis.
  // FUNCTION LOAD [REPLACE]: the library's name, or false with the error text.
  bool load_library(std::string_view code, bool replace, std::string& name_or_error);
  // FCALL / FCALL_RO: ctx.args is the whole command; needs every shard held.
  void fcall(CommandContext& ctx, bool read_only);
  bool delete_library(std::string_view name);
  void flush_functions();
  // The libraries' code, in name order (FUNCTION DUMP, RDB snapshots).
  std::vector<std::string> library_codes();
  // FUNCTION RESTORE and the RDB loader: loads every library of `codes` as FUNCTION LOAD does.
  // kFlush drops the existing ones first; kAppend refuses (before loading anything) a library
  // that exists; kReplace replaces it. On any error the libraries are as before; false with
  // Redis's error text.
  enum class RestorePolicy { kFlush, kAppend, kReplace };
  bool restore_libraries(std::span<const std::string> codes, RestorePolicy policy,
                         std::string& error);
  void list_functions(codec::ReplyWriter& out, bool with_code,
                      std::optional<std::string_view> pattern);
  void function_stats(codec::ReplyWriter& out);

  // redis.register_function's flags.
  enum FunctionFlag : std::uint32_t {
    kNoWrites = 1,
    kAllowOom = 2,
    kAllowStale = 4,
    kNoCluster = 8,
    kAllowCrossSlotKeys = 16,
  };
  // While FUNCTION LOAD runs a library's code: records one redis.register_function (its Lua
  // function is kept by the caller in the registry). "" or the error text.
  std::string register_pending(std::string_view name, std::string_view description,
                               std::uint32_t flags);
  bool loading() const { return loading_; }
  std::int64_t load_started_ms() const;  // steady-clock ms
  static std::int64_t steady_now_ms();

  enum class KillResult { kNotBusy, kUnkillable, kKilled };
  // SCRIPT KILL, from another connection's thread.
  KillResult kill();
  // Steady-clock milliseconds since the running script started; -1 when none runs.
  std::int64_t running_ms() const;
  // Whether what runs is a function (FCALL) rather than an EVAL script; lock-free.
  bool running_function() const { return running_function_.load(std::memory_order_relaxed); }

  std::size_t lua_memory() const { return lua_bytes_.load(std::memory_order_relaxed); }
  std::size_t scripts_memory() const { return script_bytes_.load(std::memory_order_relaxed); }
  std::size_t scripts_count() const { return script_count_.load(std::memory_order_relaxed); }

  // The Lua callbacks' way back in (redis.call and friends, the hook, the allocator).
  struct Run;
  Run* current_run() { return run_; }
  bool kill_requested() const { return kill_.load(std::memory_order_relaxed); }
  // From the count hook: lets the running script's loop serve other connections when the
  // script is past busy-reply-threshold and kServeEveryMs passed since it last did.
  void serve_others_if_busy(std::int64_t now_ms);
  static constexpr std::int64_t kServeEveryMs = 100;
  void mark_written() { wrote_.store(true, std::memory_order_relaxed); }
  bool wrote() const { return wrote_.load(std::memory_order_relaxed); }
  void* allocate(void* ptr, std::size_t old_size, std::size_t new_size);
  // math.random's generator (script_lib.cpp), kept across scripts and SCRIPT FLUSH as Redis's.
  Rand48& random() { return random_; }

 private:
  void open_state();
  void close_state();
  // Compiles `body` as the function named by `sha`, stored in the registry; false with the
  // error text when it does not compile. Engine mutex held.
  bool compile(std::string_view body, const std::string& sha, std::string& error);
  void execute(CommandContext& ctx, const std::string& sha, std::size_t numkeys, bool read_only);
  // Runs the function below its `nargs` arguments on top of `L`'s stack (the error handler
  // below it) as the script of `run`, and replies its result or error.
  void run_and_reply(CommandContext& ctx, lua_State* L, Run& run, int nargs);
  void open_functions_state();
  void delete_library_locked(std::string_view name);  // engine mutex held
  void count_functions();                             // engine mutex held

  struct Function {
    std::string name, description;  // description: empty when none was given
    bool has_description = false;
    std::uint32_t flags = 0;
  };
  struct Library {
    std::string name, code;
    std::vector<Function> functions;
  };

  std::mutex mutex_;  // the Lua state and the cache
  lua_State* lua_ = nullptr;
  std::map<std::string, std::string, std::less<>> scripts_;  // sha -> body
  std::size_t memory_limit_;
  Run* run_ = nullptr;  // the running script's context (engine mutex held)
  std::atomic<std::size_t> lua_bytes_{0}, script_bytes_{0}, script_count_{0};
  std::atomic<std::int64_t> started_ms_{-1};  // steady-clock ms; -1: nothing running
  std::atomic<bool> wrote_{false};
  std::int64_t served_ms_ = 0;  // when serve_others_if_busy() last served (steady ms)
  std::atomic<bool> kill_{false};
  lua_State* functions_lua_ = nullptr;
  std::map<std::string, Library, std::less<>> libraries_;
  std::map<std::string, std::string, std::less<>> function_library_;  // function -> library
  bool loading_ = false;
  std::int64_t load_started_ms_ = 0;
  std::vector<Function> pending_;              // what the library being loaded registered
  std::atomic<bool> running_function_{false};  // FUNCTION STATS: a function, not EVAL
  std::atomic<std::size_t> library_count_{0}, function_library_count_{0};
  bool capped_ = false;
  Rand48 random_;  // the memory cap applies (a script's lua_pcall is running)
};

}  // namespace tcpkit::kv
