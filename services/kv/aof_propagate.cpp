// The records of a command for the append-only file (see aof_propagate.hpp).

#include "kv/aof_propagate.hpp"

#include <string>
#include <vector>

#include "kv/hash.hpp"
#include "kv/keyspace.hpp"
#include "kv/text.hpp"

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

// Passes a reply through and keeps its bulk strings: the members SPOP took, for its SREM.
class BulkTee final : public codec::ReplyWriter {
 public:
  explicit BulkTee(codec::ReplyWriter& inner) : inner_(inner) {}
  void simple(std::string_view s) override { inner_.simple(s); }
  void error(std::string_view m) override { inner_.error(m); }
  void integer(std::int64_t n) override { inner_.integer(n); }
  void bulk(std::string_view s) override {
    bulks.emplace_back(s);
    inner_.bulk(s);
  }
  void null() override { inner_.null(); }
  void null_array() override { inner_.null_array(); }
  void array(std::size_t n) override { inner_.array(n); }
  void floating(double d) override { inner_.floating(d); }
  void map(std::size_t n) override { inner_.map(n); }
  void set(std::size_t n) override { inner_.set(n); }
  void push(std::size_t n) override { inner_.push(n); }
  void boolean(bool b) override { inner_.boolean(b); }
  void double_value(double d) override { inner_.double_value(d); }
  void big_number(std::string_view digits) override { inner_.big_number(digits); }
  void verbatim(std::string_view format, std::string_view text) override {
    inner_.verbatim(format, text);
  }

  std::vector<std::string> bulks;

 private:
  codec::ReplyWriter& inner_;
};

// SPOP: SREM of the members it took, read from its reply (as Redis logs it).
void run_spop(const CommandSpec& spec, CommandContext& ctx) {
  BulkTee tee(ctx.out);
  CommandContext inner{ctx.args,   tee,        ctx.service, ctx.store,
                       ctx.client, ctx.now_ms, ctx.block,   ctx.serving};
  const int db = ctx.client.db.load();
  const std::uint64_t before = Keyspace::thread_changes();
  spec.handler(inner);
  if (Keyspace::thread_changes() == before || tee.bulks.empty()) return;
  std::vector<std::string_view> args{"SREM", ctx.args[1]};
  args.insert(args.end(), tee.bulks.begin(), tee.bulks.end());
  ctx.aof->add(db, args);
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
  if (h == cmd::spop) return run_spop(spec, ctx);
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
