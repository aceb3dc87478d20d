// Redis 7 functions: FUNCTION (LOAD DELETE FLUSH LIST STATS KILL DUMP RESTORE HELP), FCALL,
// FCALL_RO. The engine side is scripting_functions.cpp. FCALL and FCALL_RO hold every shard, as
// EVAL does; FUNCTION holds none (FUNCTION KILL and STATS must run beside a busy script).

#include <array>

#include "kv/cmd_util.hpp"
#include "kv/errors.hpp"
#include "kv/rdb.hpp"
#include "kv/scripting.hpp"

namespace tcpkit::kv::cmd {

void fcall(CommandContext& ctx) { ctx.service.scripting().fcall(ctx, false); }
void fcall_ro(CommandContext& ctx) { ctx.service.scripting().fcall(ctx, true); }

namespace {

void function_load(CommandContext& ctx) {
  bool replace = false;
  for (std::size_t i = 2; i + 1 < ctx.args.size(); ++i) {
    if (!iequals(ctx.args[i], "replace")) {
      return ctx.out.error("ERR Unknown option given: " + std::string(ctx.args[i]));
    }
    replace = true;
  }
  std::string result;
  if (!ctx.service.scripting().load_library(ctx.args.back(), replace, result)) {
    return ctx.out.error(result);
  }
  ctx.out.bulk(result);
}

void function_list(CommandContext& ctx) {
  bool with_code = false;
  std::optional<std::string_view> pattern;
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    if (iequals(ctx.args[i], "withcode")) {
      with_code = true;
    } else if (iequals(ctx.args[i], "libraryname")) {
      if (i + 1 >= ctx.args.size()) {
        return ctx.out.error("ERR library name argument was not given");
      }
      pattern = ctx.args[++i];
    } else {
      return ctx.out.error("ERR Unknown argument " + std::string(ctx.args[i]));
    }
  }
  ctx.service.scripting().list_functions(ctx.out, with_code, pattern);
}

void function_kill(CommandContext& ctx) {
  ScriptEngine* engine = ctx.service.scripting_if_started();
  const auto result = engine != nullptr ? engine->kill() : ScriptEngine::KillResult::kNotBusy;
  if (result == ScriptEngine::KillResult::kNotBusy) {
    return ctx.out.error("NOTBUSY No scripts in execution right now.");
  }
  if (result == ScriptEngine::KillResult::kUnkillable) {
    return ctx.out.error(
        "UNKILLABLE Sorry the script already executed write commands against the dataset. "
        "You can either wait the script termination or kill the server in a hard way using "
        "the SHUTDOWN NOSAVE command.");
  }
  ctx.ok();
}

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE] (rdb.hpp has the payload's format).
void function_restore(CommandContext& ctx) {
  if (ctx.args.size() > 4) return ctx.out.error(subcommand_syntax_error("function", ctx.args[1]));
  auto policy = ScriptEngine::RestorePolicy::kAppend;
  if (ctx.args.size() == 4) {
    if (iequals(ctx.args[3], "flush")) {
      policy = ScriptEngine::RestorePolicy::kFlush;
    } else if (iequals(ctx.args[3], "replace")) {
      policy = ScriptEngine::RestorePolicy::kReplace;
    } else if (!iequals(ctx.args[3], "append")) {
      return ctx.out.error(
          "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    }
  }
  std::vector<std::string> codes;
  std::string error;
  if (!rdb::parse_functions_payload(ctx.args[2], codes, error)) {
    return ctx.out.error("ERR " + error);
  }
  if (!ctx.service.scripting().restore_libraries(codes, policy, error)) {
    return ctx.out.error(error);
  }
  ctx.ok();
}

void function_help(CommandContext& ctx) {
  static constexpr std::array<std::string_view, 40> kLines = {
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME "
      "argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored using "
      "FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a "
      "restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
      "abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
      "replace the old",
      "      libraries with the new libraries (notice that even on this option there is a chance "
      "of failure",
      "      in case of functions name collision with another library).",
      "HELP",
      "    Prints this help.",
  };
  ctx.out.array(kLines.size());
  for (std::string_view line : kLines) ctx.out.simple(line);
}

}  // namespace

void function(CommandContext& ctx) {
  const std::string_view sub = ctx.args[1];
  if (iequals(sub, "load")) return function_load(ctx);
  if (iequals(sub, "list")) return function_list(ctx);
  if (iequals(sub, "kill")) return function_kill(ctx);
  if (iequals(sub, "help")) return function_help(ctx);
  if (iequals(sub, "stats")) return ctx.service.scripting().function_stats(ctx.out);
  if (iequals(sub, "delete")) {
    if (!ctx.service.scripting().delete_library(ctx.args[2])) {
      return ctx.out.error("ERR Library not found");
    }
    return ctx.ok();
  }
  if (iequals(sub, "flush")) {
    if (ctx.args.size() == 3 && !iequals(ctx.args[2], "sync") && !iequals(ctx.args[2], "async")) {
      return ctx.out.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    }
    ctx.service.scripting().flush_functions();
    return ctx.ok();
  }
  if (iequals(sub, "dump"))
    return ctx.out.bulk(rdb::dump_functions(ctx.service.scripting().library_codes()));
  function_restore(ctx);
}

}  // namespace tcpkit::kv::cmd
