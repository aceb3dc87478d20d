// The records of a command for the append-only file (see aof_propagate.hpp).

#include "kv/aof_propagate.hpp"

#include <string>
#include <vector>

#include "kv/hash.hpp"
#include "kv/keyspace.hpp"
#include "kv/list.hpp"
#include "kv/rdb_format.hpp"
#include "kv/set.hpp"
#include "kv/text.hpp"
#include "kv/zset.hpp"

namespace tcpkit::kv::aof {

namespace {

bool is_script(Handler h) { return h == cmd::eval || h == cmd::evalsha || h == cmd::fcall; }

bool always_logged(const CommandSpec& spec, std::span<const std::string_view> args) {
  const Handler h = spec.handler;
  if (h == cmd::flushall || h == cmd::flushdb || h == cmd::swapdb) return true;
  if (h != cmd::function || args.size() < 2) return false;
  return iequals(args[1], "load") || iequals(args[1], "delete") || iequals(args[1], "flush") ||
         iequals(args[1], "restore");
}

bool has_ttl_option(std::span<const std::string_view> args) {
  for (std::size_t i = 3; i < args.size(); ++i) {
    if (iequals(args[i], "ex") || iequals(args[i], "px") || iequals(args[i], "exat") ||
        iequals(args[i], "pxat")) {
      return true;
    }
  }
  return false;
}

// SET key value [PXAT ms] from the entry the command left (DEL when it left none).
void log_string_with_ttl(AofBatch& batch, int db, Database& d, std::string_view key,
                         std::int64_t now_ms) {
  KeyEntry* e = d.find(key, now_ms, false);
  if (e == nullptr || e->value.type != ValueType::kString) return batch.add(db, {"DEL", key});
  const std::string value(e->value.str.view());
  if (e->value.expire_at_ms == kNoExpire) return batch.add(db, {"SET", key, value});
  const std::string at = std::to_string(e->value.expire_at_ms);
  batch.add(db, {"SET", key, value, "PXAT", at});
}

// The TTL the command left: PEXPIREAT, PERSIST, or DEL when the key is gone.
void log_ttl(AofBatch& batch, int db, Database& d, std::string_view key, std::int64_t now_ms) {
  KeyEntry* e = d.find(key, now_ms, false);
  if (e == nullptr) return batch.add(db, {"DEL", key});
  if (e->value.expire_at_ms == kNoExpire) return batch.add(db, {"PERSIST", key});
  const std::string at = std::to_string(e->value.expire_at_ms);
  batch.add(db, {"PEXPIREAT", key, at});
}

// The records that rebuild `key` as it is now: DEL, the value in commands of 64 elements at
// most (as Redis's rewrite writes them), and PEXPIREAT; a unit (MULTI/EXEC) when more than one.
void log_key_state(AofBatch& batch, int db, Database& d, std::string_view key,
                   std::int64_t now_ms) {
  KeyEntry* e = d.find(key, now_ms, false);
  if (e == nullptr) return batch.add(db, {"DEL", key});
  const Value& v = e->value;
  if (v.type == ValueType::kString) return log_string_with_ttl(batch, db, d, key, now_ms);
  batch.begin_multi();
  batch.add(db, {"DEL", key});
  std::vector<std::string> items;
  auto emit = [&](std::string_view command) {
    std::vector<std::string_view> args{command, key};
    args.insert(args.end(), items.begin(), items.end());
    batch.add(db, args);
    items.clear();
  };
  constexpr std::size_t kItemsPerCommand = 64;
  auto push = [&](std::string_view command, std::string_view item) {
    items.emplace_back(item);
    if (items.size() >= kItemsPerCommand) emit(command);
  };
  switch (v.type) {
    case ValueType::kString:
      break;
    case ValueType::kList:
      v.list().scan(0, false, [&](std::size_t, std::string_view s) {
        push("RPUSH", s);
        return true;
      });
      if (!items.empty()) emit("RPUSH");
      break;
    case ValueType::kSet:
      v.set().for_each([&](std::string_view m) { push("SADD", m); });
      if (!items.empty()) emit("SADD");
      break;
    case ValueType::kHash:
      v.hash().for_each([&](std::string_view f, std::string_view value) {
        items.emplace_back(f);
        push("HSET", value);
      });
      if (!items.empty()) emit("HSET");
      break;
    case ValueType::kZset:
      v.zset().for_ranks(0, v.zset().size(), false, [&](std::string_view m, double score) {
        items.push_back(rdb::score_text(score));
        push("ZADD", m);
      });
      if (!items.empty()) emit("ZADD");
      break;
  }
  if (v.expire_at_ms != kNoExpire) {
    const std::string at = std::to_string(v.expire_at_ms);
    batch.add(db, {"PEXPIREAT", key, at});
  }
  batch.end_multi();
}

void propagate(AofBatch& batch, const CommandSpec& spec, std::span<const std::string_view> args,
               int db, CommandContext& ctx) {
  const Handler h = spec.handler;
  Database& d = ctx.store.db(db);
  if ((h == cmd::set && has_ttl_option(args)) || h == cmd::setex || h == cmd::psetex) {
    return log_string_with_ttl(batch, db, d, args[1], ctx.now_ms);
  }
  if (h == cmd::expire || h == cmd::pexpire || h == cmd::expireat || h == cmd::pexpireat ||
      h == cmd::getex) {
    return log_ttl(batch, db, d, args[1], ctx.now_ms);
  }
  if (h == cmd::incrbyfloat) {
    KeyEntry* e = d.find(args[1], ctx.now_ms, false);
    if (e == nullptr) return batch.add(db, {"DEL", args[1]});
    const std::string value(e->value.str.view());
    return batch.add(db, {"SET", args[1], value, "KEEPTTL"});
  }
  if (h == cmd::hincrbyfloat) {
    KeyEntry* e = d.find(args[1], ctx.now_ms, false);
    if (e == nullptr || e->value.type != ValueType::kHash) return batch.add(db, {"DEL", args[1]});
    std::string value;
    e->value.hash().for_each([&](std::string_view f, std::string_view v) {
      if (f == args[2]) value.assign(v);
    });
    return batch.add(db, {"HSET", args[1], args[2], value});
  }
  if (h == cmd::spop) return log_key_state(batch, db, d, args[1], ctx.now_ms);
  batch.add(db, args);
}

}  // namespace

void run_and_log(const CommandSpec& spec, CommandContext& ctx) {
  AofBatch* batch = ctx.aof;
  if (batch == nullptr) return spec.handler(ctx);
  const Handler h = spec.handler;
  // A script's and a transaction's commands log themselves (script_lib.cpp, cmd::exec): here
  // they only become one unit.
  if (is_script(h) || h == cmd::exec) {
    batch->begin_multi();
    spec.handler(ctx);
    batch->end_multi();
    return;
  }
  const int db = ctx.client.db.load();
  const std::uint64_t before = Keyspace::thread_changes();
  spec.handler(ctx);
  const bool changed = Keyspace::thread_changes() != before;
  if (always_logged(spec, ctx.args) || (changed && (spec.flags & kWrite) != 0)) {
    propagate(*batch, spec, ctx.args, db, ctx);
  }
}

void log_served(AofBatch& batch, const CommandSpec& spec, std::span<const std::string> args, int db,
                std::string_view key) {
  const Handler h = spec.handler;
  std::vector<std::string_view> out;
  if (h == cmd::blpop || h == cmd::brpop) {
    out = {h == cmd::blpop ? "LPOP" : "RPOP", key};
  } else if (h == cmd::bzpopmin || h == cmd::bzpopmax) {
    out = {h == cmd::bzpopmin ? "ZPOPMIN" : "ZPOPMAX", key};
  } else if (h == cmd::blmove && args.size() >= 5) {
    out = {"LMOVE", key, args[2], args[3], args[4]};
  } else if (h == cmd::brpoplpush && args.size() >= 3) {
    out = {"RPOPLPUSH", key, args[2]};
  } else if ((h == cmd::blmpop || h == cmd::bzmpop) && args.size() >= 4) {
    // B?MPOP timeout numkeys key... where [COUNT n]: ?MPOP 1 key where [COUNT n].
    auto numkeys = parse_int(args[2]);
    const std::size_t rest = 3 + static_cast<std::size_t>(numkeys.value_or(0));
    if (!numkeys || *numkeys < 1 || rest >= args.size()) return;
    out = {h == cmd::blmpop ? "LMPOP" : "ZMPOP", "1", key};
    for (std::size_t i = rest; i < args.size(); ++i) out.emplace_back(args[i]);
  } else {
    return;
  }
  batch.add(db, out);
}

}  // namespace tcpkit::kv::aof
