// Persistence commands: SAVE BGSAVE LASTSAVE SHUTDOWN (snapshots.hpp, rdb.hpp). SAVE and BGSAVE are
// whole-keyspace commands: they run holding every shard, so SAVE writes one point in time and
// BGSAVE forks with no command half-done in the child's copy.

#include <cstdio>
#include <optional>
#include <span>

#include "kv/cmd_util.hpp"
#include "kv/snapshots.hpp"

namespace tcpkit::kv::cmd {

void save(CommandContext& ctx) {
  Snapshots& snapshots = ctx.service.snapshots();
  if (snapshots.in_progress()) return ctx.error(KvError::kBgsaveInProgress);
  Result<void> r = snapshots.save(ctx.store, ctx.service.dump_path(), ctx.store.used_memory());
  if (!r) {
    std::fprintf(stderr, "kv: SAVE failed: %s\n", r.error().message().c_str());
    return ctx.error(KvError::kSaveFailed);
  }
  ctx.ok();
}

void bgsave(CommandContext& ctx) {
  const bool schedule = ctx.args.size() == 2 && iequals(ctx.args[1], "schedule");
  if (ctx.args.size() > 2 || (ctx.args.size() == 2 && !schedule)) {
    return ctx.error(KvError::kSyntax);
  }
  Snapshots& snapshots = ctx.service.snapshots();
  if (snapshots.in_progress()) {
    if (!schedule) return ctx.error(KvError::kBgsaveInProgress);
    snapshots.schedule();
    return ctx.out.simple("Background saving scheduled");
  }
  switch (snapshots.start_background(ctx.store, ctx.service.dump_path(), ctx.store.used_memory())) {
    case Snapshots::Start::kStarted:
      return ctx.out.simple("Background saving started");
    case Snapshots::Start::kInProgress:
      return ctx.error(KvError::kBgsaveInProgress);
    case Snapshots::Start::kForkFailed:
      std::perror("kv: BGSAVE: fork");
      return ctx.error(KvError::kSaveFailed);
  }
}

// BGREWRITEAOF: a new base forked from the store as it is (every shard held), while writes go
// on into a new incr file (aof_log.hpp).
void bgrewriteaof(CommandContext& ctx) {
  AofLog& aof = ctx.service.aof();
  if (aof.rewrite_in_progress()) {
    return ctx.out.error("ERR Background append only file rewriting already in progress");
  }
  if (!aof.enabled()) {
    return ctx.out.error("ERR kv rewrites the append only file only while appendonly is yes");
  }
  switch (aof.start_rewrite(ctx.store, ctx.now_ms, ctx.store.used_memory())) {
    case AofLog::Rewrite::kStarted:
      return ctx.out.simple("Background append only file rewriting started");
    case AofLog::Rewrite::kInProgress:
      return ctx.out.error("ERR Background append only file rewriting already in progress");
    case AofLog::Rewrite::kDisabled:
    case AofLog::Rewrite::kFailed:
      return ctx.out.error(
          "ERR Can't execute an AOF background rewriting. Please check the server logs for more "
          "information.");
  }
}

void lastsave(CommandContext& ctx) { ctx.out.integer(ctx.service.snapshots().last_save_s()); }

namespace {

struct ShutdownArgs {
  bool save = false, nosave = false, force = false, abort = false;
};

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]; nullopt on a syntax error.
std::optional<ShutdownArgs> parse_shutdown(std::span<const std::string_view> args) {
  ShutdownArgs a;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (iequals(args[i], "save"))
      a.save = true;
    else if (iequals(args[i], "nosave"))
      a.nosave = true;
    else if (iequals(args[i], "force"))
      a.force = true;
    else if (iequals(args[i], "abort"))
      a.abort = true;
    else if (!iequals(args[i], "now"))
      return std::nullopt;
  }
  if ((a.save && a.nosave) || (a.abort && args.size() != 2)) return std::nullopt;
  return a;
}

}  // namespace

void shutdown(CommandContext& ctx) {
  auto args = parse_shutdown(ctx.args);
  if (!args) return ctx.error(KvError::kSyntax);
  // kv stops at once (no replica to wait for), so there is never a shutdown to abort.
  if (args->abort) return ctx.error(KvError::kNoShutdownInProgress);
  // Beside a busy script the session did not take the shards (the script holds them,
  // KvSession::shards_for): only NOSAVE may stop the server then, and at once (Redis's rule
  // and texts; a save would wait for the script forever).
  const bool busy = held_shards() != kAllShards;
  if (busy && !args->nosave) return ctx.out.error(ctx.service.busy_error());
  Snapshots& snapshots = ctx.service.snapshots();
  snapshots.kill_child();
  if (busy) {
    (void)ctx.service.request_exit_now();
    ctx.client.close_requested = true;
    return;
  }
  if (args->save || (!args->nosave && !ctx.service.save_points().empty())) {
    Result<void> r = snapshots.save(ctx.store, ctx.service.dump_path(), ctx.store.used_memory());
    if (!r) {
      std::fprintf(stderr, "kv: SHUTDOWN: saving failed: %s\n", r.error().message().c_str());
      if (!args->force) return ctx.error(KvError::kShutdownFailed);
    }
  }
  if (!ctx.service.request_shutdown()) {
    std::fprintf(stderr, "kv: SHUTDOWN: this server gave kv no way to stop\n");
    return ctx.error(KvError::kShutdownFailed);
  }
  // As Redis: no reply, the connection closes.
  ctx.client.close_requested = true;
}

}  // namespace tcpkit::kv::cmd
