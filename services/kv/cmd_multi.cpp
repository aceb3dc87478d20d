// Transactions: MULTI EXEC DISCARD WATCH UNWATCH.
//
// MULTI makes the session queue commands (kv_session.cpp checks each for existence, arity,
// auth and memory, and a rejected one dooms the transaction to EXECABORT). EXEC runs the queue
// holding the shards of every queued command and watched key (KvSession::shards_for), taken
// before it starts, so nothing interleaves.
//
// WATCH records each key's version (Database::watch); every change of a watched key, by any
// session on any thread, bumps its version (Database::touch), and EXEC returns a null array when
// a version moved. A watched key that expires before EXEC counts as changed, as in Redis 7.0.

#include <vector>

#include "kv/aof_propagate.hpp"
#include "kv/cmd_util.hpp"

namespace tcpkit::kv::cmd {

void unwatch_all(CommandContext& ctx) {
  for (const WatchedKey& w : ctx.client.watched) ctx.store.db(w.db).unwatch(w.key);
  ctx.client.watched.clear();
}

void multi(CommandContext& ctx) {
  if (ctx.client.tx) return ctx.error(KvError::kMultiNested);
  ctx.client.tx = std::make_unique<ClientState::Transaction>();
  ctx.client.multi = 0;
  ctx.ok();
}

void discard(CommandContext& ctx) {
  if (!ctx.client.tx) return ctx.error(KvError::kDiscardWithoutMulti);
  ctx.client.tx.reset();
  ctx.client.multi = -1;
  unwatch_all(ctx);
  ctx.ok();
}

namespace {

// True when a watched key changed (or expired) since WATCH.
bool watched_keys_changed(CommandContext& ctx) {
  bool changed = false;
  for (const WatchedKey& w : ctx.client.watched) {
    Database& db = ctx.store.db(w.db);
    db.find(w.key, ctx.now_ms);  // an expired key is deleted now, which bumps its version
    if (db.version(w.key) != w.version) changed = true;
  }
  return changed;
}

}  // namespace

void exec(CommandContext& ctx) {
  if (!ctx.client.tx) return ctx.error(KvError::kExecWithoutMulti);
  std::unique_ptr<ClientState::Transaction> tx = std::move(ctx.client.tx);
  ctx.client.multi = -1;
  if (tx->failed) {
    unwatch_all(ctx);
    return ctx.error(KvError::kExecAbort);
  }
  const bool changed = watched_keys_changed(ctx);
  unwatch_all(ctx);
  if (changed) return ctx.out.null_array();
  ctx.out.array(tx->queued.size());
  std::vector<std::string_view> args;
  for (const QueuedCommand& q : tx->queued) {
    args.assign(q.args.begin(), q.args.end());
    ctx.client.last_command = &q.spec->name;
    CommandContext inner{args, ctx.out, ctx.service, ctx.store, ctx.client, ctx.now_ms};
    inner.aof = ctx.aof;
    aof::run_and_log(*q.spec, inner);
    if (ctx.service.monitors().any()) ctx.service.monitors().feed(ctx.client, q.spec->name, args);
  }
  static constexpr std::string_view kExec = "exec";
  ctx.client.last_command = &kExec;
}

void watch(CommandContext& ctx) {
  if (ctx.client.tx) return ctx.error(KvError::kWatchInsideMulti);
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view key = ctx.args[i];
    bool already = false;
    for (const WatchedKey& w : ctx.client.watched) {
      if (w.db == ctx.client.db && w.key == key) already = true;
    }
    if (already) continue;
    ctx.db().find(key, ctx.now_ms);  // settle a pending lazy expiry before reading the version
    const std::uint64_t version = ctx.db().watch(key);
    ctx.client.watched.push_back(WatchedKey{ctx.client.db, std::string(key), version});
  }
  ctx.ok();
}

void unwatch(CommandContext& ctx) {
  unwatch_all(ctx);
  ctx.ok();
}

}  // namespace tcpkit::kv::cmd
