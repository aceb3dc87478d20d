// Keyspace commands: DEL UNLINK EXISTS TYPE KEYS SCAN RANDOMKEY RENAME RENAMENX COPY MOVE
// SWAPDB OBJECT.

#include <optional>
#include <string>
#include <vector>

#include "kv/cmd_util.hpp"

namespace tcpkit::kv::cmd {

namespace {

std::string_view type_name(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return "string";
    case ValueType::kList:
      return "list";
    case ValueType::kHash:
      return "hash";
    case ValueType::kSet:
      return "set";
    case ValueType::kZset:
      return "zset";
  }
  return "none";
}

std::string_view encoding_name(Encoding e) {
  switch (e) {
    case Encoding::kInt:
      return "int";
    case Encoding::kEmbstr:
      return "embstr";
    case Encoding::kRaw:
      return "raw";
    case Encoding::kQuicklist:
      return "quicklist";
    case Encoding::kListpack:
      return "listpack";
    case Encoding::kHashtable:
      return "hashtable";
    case Encoding::kIntset:
      return "intset";
    case Encoding::kSkiplist:
      return "skiplist";
  }
  return "raw";
}

bool expired(const KeyEntry& e, std::int64_t now_ms) {
  return e.value.expire_at_ms != kNoExpire && e.value.expire_at_ms <= now_ms;
}

}  // namespace

void del(CommandContext& ctx) {
  std::int64_t deleted = 0;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    if (ctx.db().find(ctx.args[i], ctx.now_ms) != nullptr && ctx.db().erase(ctx.args[i])) {
      ++deleted;
      util::notify(ctx, kNotifyGeneric, "del", ctx.args[i]);
    }
  }
  ctx.out.integer(deleted);
}

void exists(CommandContext& ctx) {
  std::int64_t n = 0;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    if (util::lookup_read(ctx, ctx.args[i], false) != nullptr) ++n;
  }
  ctx.out.integer(n);
}

void type(CommandContext& ctx) {
  KeyEntry* e = util::lookup_read(ctx, ctx.args[1], false);
  ctx.out.simple(e ? type_name(e->value.type) : "none");
}

void keys(CommandContext& ctx) {
  const std::string_view pattern = ctx.args[1];
  const bool all = pattern == "*";
  std::vector<const KeyEntry*> found;
  ctx.db().for_each([&](const KeyEntry& e) {
    if (!expired(e, ctx.now_ms) && (all || glob_match(pattern, e.key))) found.push_back(&e);
  });
  ctx.out.array(found.size());
  for (const KeyEntry* e : found) ctx.out.bulk(e->key);
}

void scan(CommandContext& ctx) {
  auto cursor = util::scan_cursor(ctx.args[1]);
  if (!cursor) return ctx.error(KvError::kInvalidCursor);
  std::int64_t count = 10;
  std::optional<std::string_view> pattern;  // MATCH "" is a pattern too (it matches only "")
  std::string_view type_filter;
  for (std::size_t i = 2; i < ctx.args.size(); i += 2) {
    if (i + 1 >= ctx.args.size()) return ctx.error(KvError::kSyntax);
    std::string_view opt = ctx.args[i];
    if (iequals(opt, "count")) {
      auto n = util::int_arg(ctx, ctx.args[i + 1]);
      if (!n) return;
      if (*n < 1) return ctx.error(KvError::kSyntax);
      count = *n;
    } else if (iequals(opt, "match")) {
      pattern = ctx.args[i + 1];
    } else if (iequals(opt, "type")) {
      type_filter = ctx.args[i + 1];
    } else {
      return ctx.error(KvError::kSyntax);
    }
  }
  std::vector<const KeyEntry*> found;
  std::int64_t budget = count * 10;  // bounds the work when most buckets are empty
  std::uint64_t next = *cursor;
  do {
    next = ctx.db().scan(next, [&](const KeyEntry& e) { found.push_back(&e); });
  } while (next != 0 && --budget > 0 && static_cast<std::int64_t>(found.size()) < count);
  std::erase_if(found, [&](const KeyEntry* e) {
    const bool filtered = pattern && *pattern != "*";
    return expired(*e, ctx.now_ms) || (filtered && !glob_match(*pattern, e->key)) ||
           (!type_filter.empty() && !iequals(type_filter, type_name(e->value.type)));
  });
  ctx.out.array(2);
  ctx.out.bulk(std::to_string(next));
  ctx.out.array(found.size());
  for (const KeyEntry* e : found) ctx.out.bulk(e->key);
}

void randomkey(CommandContext& ctx) {
  for (int tries = 0; tries < 100; ++tries) {
    KeyEntry* e = ctx.db().random_entry(ctx.store.rng());
    if (e == nullptr) break;
    if (!expired(*e, ctx.now_ms)) return ctx.out.bulk(e->key);
    ctx.db().find(e->key, ctx.now_ms);  // deletes it
  }
  ctx.out.null();
}

namespace {

void rename_generic(CommandContext& ctx, bool nx) {
  Database& db = ctx.db();
  KeyEntry* src = db.find(ctx.args[1], ctx.now_ms);
  if (src == nullptr) return ctx.error(KvError::kNoSuchKey);
  if (ctx.args[1] == ctx.args[2]) return nx ? ctx.out.integer(0) : ctx.ok();
  if (db.find(ctx.args[2], ctx.now_ms) != nullptr) {
    if (nx) return ctx.out.integer(0);
    db.erase(ctx.args[2]);
    src = db.find(ctx.args[1], ctx.now_ms);
  }
  Value v = db.extract(src);
  db.add(ctx.args[2], std::move(v));
  nx ? ctx.out.integer(1) : ctx.ok();
  util::notify(ctx, kNotifyGeneric, "rename_from", ctx.args[1]);
  util::notify(ctx, kNotifyGeneric, "rename_to", ctx.args[2]);
}

}  // namespace

void rename(CommandContext& ctx) { rename_generic(ctx, false); }
void renamenx(CommandContext& ctx) { rename_generic(ctx, true); }

void copy(CommandContext& ctx) {
  int target = ctx.client.db;
  bool replace = false;
  for (std::size_t i = 3; i < ctx.args.size(); ++i) {
    if (iequals(ctx.args[i], "replace")) {
      replace = true;
    } else if (iequals(ctx.args[i], "db") && i + 1 < ctx.args.size()) {
      auto index = util::db_index(ctx, ctx.args[++i], KvError::kNotInteger);
      if (!index) return;
      target = *index;
    } else {
      return ctx.error(KvError::kSyntax);
    }
  }
  if (target == ctx.client.db && ctx.args[1] == ctx.args[2]) {
    return ctx.error(KvError::kSameObject);
  }
  KeyEntry* src = util::lookup_read(ctx, ctx.args[1]);
  if (src == nullptr) return ctx.out.integer(0);
  Database& dst = ctx.store.db(target);
  if (dst.find(ctx.args[2], ctx.now_ms) != nullptr) {
    if (!replace) return ctx.out.integer(0);
    dst.erase(ctx.args[2]);
  }
  dst.add(ctx.args[2], src->value);
  ctx.out.integer(1);
  ctx.store.events().notify(kNotifyGeneric, "copy_to", ctx.args[2], target);
}

void move(CommandContext& ctx) {
  auto index = util::db_index(ctx, ctx.args[2], KvError::kNotInteger);
  if (!index) return;
  if (*index == ctx.client.db) return ctx.error(KvError::kSameObject);
  KeyEntry* src = ctx.db().find(ctx.args[1], ctx.now_ms);
  if (src == nullptr) return ctx.out.integer(0);
  Database& dst = ctx.store.db(*index);
  if (dst.find(ctx.args[1], ctx.now_ms) != nullptr) return ctx.out.integer(0);
  dst.add(ctx.args[1], ctx.db().extract(src));
  ctx.out.integer(1);
  util::notify(ctx, kNotifyGeneric, "move_from", ctx.args[1]);
  ctx.store.events().notify(kNotifyGeneric, "move_to", ctx.args[1], static_cast<int>(*index));
}

void swapdb(CommandContext& ctx) {
  auto a = util::db_index(ctx, ctx.args[1], KvError::kInvalidFirstDb);
  if (!a) return;
  auto b = util::db_index(ctx, ctx.args[2], KvError::kInvalidSecondDb);
  if (!b) return;
  if (*a != *b) {
    ctx.store.db(*a).swap_contents(ctx.store.db(*b));
    ctx.store.blocked().note_db(static_cast<int>(*a));  // their waiters see new contents
    ctx.store.blocked().note_db(static_cast<int>(*b));
  }
  ctx.ok();
}

namespace {

// What Redis 7.0 reports: a string holding an integer in [0, 10000) is one of its shared
// integer objects, whose refcount is OBJ_SHARED_REFCOUNT; every other value has one reference.
// (Redis stops sharing new integers under maxmemory with an LRU policy; kv always answers as
// under noeviction.)
std::int64_t refcount(const Value& v) {
  constexpr std::int64_t kSharedIntegers = 10000;
  constexpr std::int64_t kSharedRefcount = 2147483647;  // INT_MAX
  if (v.type != ValueType::kString || v.encoding != Encoding::kInt) return 1;
  const auto n = parse_int(v.str);
  return n && *n >= 0 && *n < kSharedIntegers ? kSharedRefcount : 1;
}

}  // namespace

void object(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  if (iequals(sub, "help")) {
    static constexpr std::string_view kHelp[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help."};
    ctx.out.array(std::size(kHelp));
    for (std::string_view line : kHelp) ctx.out.simple(line);
    return;
  }
  // OBJECT looks without touching, as Redis's LOOKUP_NOTOUCH: it must not reset IDLETIME.
  KeyEntry* e = ctx.db().find(ctx.args[2], ctx.now_ms, /*touch=*/false);
  if (e == nullptr) return ctx.out.null();
  if (iequals(sub, "encoding")) return ctx.out.bulk(encoding_name(e->value.current_encoding()));
  if (iequals(sub, "refcount")) return ctx.out.integer(refcount(e->value));
  if (iequals(sub, "idletime")) return ctx.out.integer(ctx.db().idle_seconds(*e));
  ctx.error(KvError::kNoLfu);
}

}  // namespace tcpkit::kv::cmd
