// Scripting commands: EVAL EVALSHA EVAL_RO EVALSHA_RO SCRIPT (LOAD EXISTS FLUSH KILL HELP).
//
// EVAL and its kin are flagged kWholeKeyspace: the session holds every shard before the
// handler runs, so the script (and every redis.call in it) is atomic. SCRIPT holds no shard:
// SCRIPT KILL must run while a script holds them all (ScriptEngine, scripting.hpp).

#include <array>

#include "kv/cmd_util.hpp"
#include "kv/scripting.hpp"

namespace tcpkit::kv::cmd {

void eval(CommandContext& ctx) { ctx.service.scripting().eval(ctx, false, false); }
void evalsha(CommandContext& ctx) { ctx.service.scripting().eval(ctx, true, false); }
void eval_ro(CommandContext& ctx) { ctx.service.scripting().eval(ctx, false, true); }
void evalsha_ro(CommandContext& ctx) { ctx.service.scripting().eval(ctx, true, true); }

namespace {

void script_exists(CommandContext& ctx) {
  ScriptEngine& engine = ctx.service.scripting();
  ctx.out.array(ctx.args.size() - 2);
  for (std::size_t i = 2; i < ctx.args.size(); ++i) ctx.out.integer(engine.exists(ctx.args[i]));
}

void script_flush(CommandContext& ctx) {
  if (ctx.args.size() > 3 ||
      (ctx.args.size() == 3 && !iequals(ctx.args[2], "sync") && !iequals(ctx.args[2], "async"))) {
    return ctx.out.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  ctx.service.scripting().flush();  // ASYNC too: dropping the state is quick
  ctx.ok();
}

void script_kill(CommandContext& ctx) {
  ScriptEngine* engine = ctx.service.scripting_if_started();
  const auto result = engine != nullptr ? engine->kill() : ScriptEngine::KillResult::kNotBusy;
  switch (result) {
    case ScriptEngine::KillResult::kNotBusy:
      return ctx.out.error("NOTBUSY No scripts in execution right now.");
    case ScriptEngine::KillResult::kUnkillable:
      return ctx.out.error(
          "UNKILLABLE Sorry the script already executed write commands against the dataset. "
          "You can either wait the script termination or kill the server in a hard way using "
          "the SHUTDOWN NOSAVE command.");
    case ScriptEngine::KillResult::kKilled:
      return ctx.ok();
  }
}

void script_help(CommandContext& ctx) {
  static constexpr std::array<std::string_view, 17> kLines = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DEBUG (YES|SYNC|NO)",
      "    Set the debug mode for subsequent scripts executed.",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
      "HELP",
      "    Prints this help.",
  };
  ctx.out.array(kLines.size());
  for (std::string_view line : kLines) ctx.out.simple(line);
}

}  // namespace

void script(CommandContext& ctx) {
  const std::string_view sub = ctx.args[1];
  if (iequals(sub, "load")) {
    std::string result;
    if (!ctx.service.scripting().load(ctx.args[2], result)) return ctx.out.error(result);
    return ctx.out.bulk(result);
  }
  if (iequals(sub, "exists")) return script_exists(ctx);
  if (iequals(sub, "flush")) return script_flush(ctx);
  if (iequals(sub, "kill")) return script_kill(ctx);
  if (iequals(sub, "help")) return script_help(ctx);
  ctx.out.error("ERR SCRIPT DEBUG is not supported by kv");
}

}  // namespace tcpkit::kv::cmd
