// Persistence commands: SAVE BGSAVE LASTSAVE (snapshots.hpp, rdb.hpp). SAVE and BGSAVE are
// whole-keyspace commands: they run holding every shard, so SAVE writes one point in time and
// BGSAVE forks with no command half-done in the child's copy.

#include <cstdio>

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
    case Snapshots::Start::kStarted: return ctx.out.simple("Background saving started");
    case Snapshots::Start::kInProgress: return ctx.error(KvError::kBgsaveInProgress);
    case Snapshots::Start::kForkFailed:
      std::perror("kv: BGSAVE: fork");
      return ctx.error(KvError::kSaveFailed);
  }
}

void lastsave(CommandContext& ctx) { ctx.out.integer(ctx.service.snapshots().last_save_s()); }

}  // namespace tcpkit::kv::cmd
