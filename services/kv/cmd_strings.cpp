// String commands: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX APPEND
// STRLEN GETRANGE SETRANGE (INCR and friends are in cmd_counters.cpp).

#include <algorithm>

#include "kv/cmd_util.hpp"
#include "kv/expire_args.hpp"

namespace tcpkit::kv::cmd {

namespace {

constexpr unsigned kNx = 1, kXx = 2, kGet = 4, kKeepTtl = 8, kPersist = 16, kExpire = 32;

// The options of SET (after the value) and GETEX (after the key), as Redis's
// parseExtendedStringArgumentsOrReply reads them: a flag conflicts only with the others, so a
// repeated flag is accepted ("EX 10 EX 20": the last value wins), but two different expiry
// units, or an expiry with KEEPTTL/PERSIST, are a syntax error.
struct StringOptions {
  unsigned flags = 0;
  ExpireArgs expire;  // the raw EX/PX/EXAT/PXAT argument, validated later
};

enum class OptionsOf { kSet, kGetex };

std::optional<StringOptions> parse_string_options(CommandContext& ctx, OptionsOf command) {
  const bool set = command == OptionsOf::kSet;
  StringOptions opts;
  for (std::size_t i = set ? 3 : 2; i < ctx.args.size(); ++i) {
    const std::string_view a = ctx.args[i];
    const bool has_next = i + 1 < ctx.args.size();
    const ExpireUnit unit = expire_unit(a);
    const bool other_unit = opts.expire.unit != ExpireUnit::kNone && opts.expire.unit != unit;
    if (set && iequals(a, "nx") && !(opts.flags & kXx)) {
      opts.flags |= kNx;
    } else if (set && iequals(a, "xx") && !(opts.flags & kNx)) {
      opts.flags |= kXx;
    } else if (set && iequals(a, "get")) {
      opts.flags |= kGet;
    } else if (set && iequals(a, "keepttl") && !(opts.flags & (kPersist | kExpire))) {
      opts.flags |= kKeepTtl;
    } else if (!set && iequals(a, "persist") && !(opts.flags & (kExpire | kKeepTtl))) {
      opts.flags |= kPersist;
    } else if (unit != ExpireUnit::kNone && !other_unit && has_next &&
               !(opts.flags & (kKeepTtl | kPersist))) {
      opts.flags |= kExpire;
      opts.expire = {unit, ctx.args[++i]};
    } else {
      return ctx.error(KvError::kSyntax), std::nullopt;
    }
  }
  return opts;
}

// SET's flags and absolute expiry; nullopt after replying the error.
struct SetOptions {
  unsigned flags = 0;
  std::int64_t expire_at_ms = kNoExpire;
};

std::optional<SetOptions> parse_set_options(CommandContext& ctx) {
  auto parsed = parse_string_options(ctx, OptionsOf::kSet);
  if (!parsed) return std::nullopt;
  SetOptions opts{parsed->flags, kNoExpire};
  if (parsed->flags & kExpire) {
    auto at = expire_at_or_reply(ctx, parsed->expire, "set");
    if (!at) return std::nullopt;
    opts.expire_at_ms = *at;
  }
  return opts;
}

// SET, SETNX, SETEX, PSETEX, GETSET share this: the condition, the GET reply, the TTL.
void set_generic(CommandContext& ctx, std::string_view key, std::string_view value,
                 const SetOptions& opts, bool reply_ok_as_one = false) {
  Database& db = ctx.db();
  // GET reads the old value as Redis's GET does (a keyspace hit or miss, "keymiss").
  KeyEntry* old = (opts.flags & kGet) ? util::lookup_read(ctx, key) : db.find(key, ctx.now_ms);
  if (opts.flags & kGet) {
    if (!util::is_string_or_reply(ctx, old)) return;
    old ? ctx.out.bulk(old->value.str) : ctx.out.null();
  }
  if (((opts.flags & kNx) && old) || ((opts.flags & kXx) && !old)) {
    if (!(opts.flags & kGet)) reply_ok_as_one ? ctx.out.integer(0) : ctx.out.null();
    return;
  }
  KeyEntry* e = db.set(key, value, encoding_for(value), (opts.flags & kKeepTtl) != 0);
  if (opts.expire_at_ms != kNoExpire) db.set_expire(e, opts.expire_at_ms);
  if (!(opts.flags & kGet)) reply_ok_as_one ? ctx.out.integer(1) : ctx.ok();
  util::notify(ctx, kNotifyString, "set", key);
  if (opts.expire_at_ms != kNoExpire) util::notify(ctx, kNotifyGeneric, "expire", key);
}

void setex_generic(CommandContext& ctx, ExpireUnit unit, std::string_view name) {
  auto at = expire_at_or_reply(ctx, {unit, ctx.args[2]}, name);
  if (!at) return;
  set_generic(ctx, ctx.args[1], ctx.args[3], {0, *at});
}

}  // namespace

void get(CommandContext& ctx) {
  KeyEntry* e = util::lookup_read(ctx, ctx.args[1]);
  if (!util::is_string_or_reply(ctx, e)) return;
  e ? ctx.out.bulk(e->value.str) : ctx.out.null();
}

void set(CommandContext& ctx) {
  if (auto opts = parse_set_options(ctx)) set_generic(ctx, ctx.args[1], ctx.args[2], *opts);
}

void setnx(CommandContext& ctx) {
  set_generic(ctx, ctx.args[1], ctx.args[2], {kNx, kNoExpire}, true);
}
void setex(CommandContext& ctx) { setex_generic(ctx, ExpireUnit::kSeconds, "setex"); }
void psetex(CommandContext& ctx) { setex_generic(ctx, ExpireUnit::kMilliseconds, "psetex"); }
void getset(CommandContext& ctx) { set_generic(ctx, ctx.args[1], ctx.args[2], {kGet, kNoExpire}); }

void getdel(CommandContext& ctx) {
  KeyEntry* e = util::lookup_read(ctx, ctx.args[1]);
  if (!util::is_string_or_reply(ctx, e)) return;
  if (e == nullptr) return ctx.out.null();
  ctx.out.bulk(e->value.str);
  ctx.db().erase(ctx.args[1]);
  util::notify(ctx, kNotifyGeneric, "del", ctx.args[1]);
}

// Redis's order: option syntax, then the key (missing: nil, whatever the expiry says), then
// its type, and only then the expiry value.
void getex(CommandContext& ctx) {
  auto opts = parse_string_options(ctx, OptionsOf::kGetex);
  if (!opts) return;
  KeyEntry* e = util::lookup_read(ctx, ctx.args[1]);
  if (e == nullptr) return ctx.out.null();
  if (!util::is_string_or_reply(ctx, e)) return;
  std::int64_t at = kNoExpire;
  if (opts->flags & kExpire) {
    auto parsed = expire_at_or_reply(ctx, opts->expire, "getex");
    if (!parsed) return;
    at = *parsed;
  }
  const bool persist = (opts->flags & kPersist) != 0;
  ctx.out.bulk(e->value.str);
  if (at != kNoExpire && at <= ctx.now_ms) {
    ctx.db().erase(ctx.args[1]);
    util::notify(ctx, kNotifyGeneric, "del", ctx.args[1]);
  } else if (at != kNoExpire) {
    ctx.db().set_expire(e, at);
    util::notify(ctx, kNotifyGeneric, "expire", ctx.args[1]);
  } else if (persist && e->value.expire_at_ms != kNoExpire) {
    ctx.db().set_expire(e, kNoExpire);
    util::notify(ctx, kNotifyGeneric, "persist", ctx.args[1]);
  }
}

void mget(CommandContext& ctx) {
  ctx.out.array(ctx.args.size() - 1);
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    KeyEntry* e = util::lookup_read(ctx, ctx.args[i]);
    if (e != nullptr && e->value.type == ValueType::kString) {
      ctx.out.bulk(e->value.str);
    } else {
      ctx.out.null();
    }
  }
}

namespace {

void mset_generic(CommandContext& ctx, bool nx) {
  if (ctx.args.size() % 2 == 0) {
    return ctx.out.error(arity_error(nx ? "msetnx" : "mset"));
  }
  Database& db = ctx.db();
  if (nx) {
    for (std::size_t i = 1; i < ctx.args.size(); i += 2) {
      if (db.find(ctx.args[i], ctx.now_ms) != nullptr) return ctx.out.integer(0);
    }
  }
  for (std::size_t i = 1; i < ctx.args.size(); i += 2) {
    (void)db.find(ctx.args[i], ctx.now_ms);  // an expired key goes first ("expired"), as in Redis
    db.set(ctx.args[i], ctx.args[i + 1], encoding_for(ctx.args[i + 1]), false);
    util::notify(ctx, kNotifyString, "set", ctx.args[i]);
  }
  nx ? ctx.out.integer(1) : ctx.ok();
}

}  // namespace

void mset(CommandContext& ctx) { mset_generic(ctx, false); }
void msetnx(CommandContext& ctx) { mset_generic(ctx, true); }

void append(CommandContext& ctx) {
  Database& db = ctx.db();
  std::string_view value = ctx.args[2];
  KeyEntry* e = db.find(ctx.args[1], ctx.now_ms);
  if (e == nullptr) {
    e = db.set(ctx.args[1], value, encoding_for(value), false);
    ctx.out.integer(static_cast<std::int64_t>(e->value.str.size()));
    return util::notify(ctx, kNotifyString, "append", ctx.args[1]);
  }
  if (!util::is_string_or_reply(ctx, e)) return;
  if (!util::size_ok_or_reply(ctx, e->value.str.size() + value.size())) return;
  db.update(e, Encoding::kRaw, [value](CompactString& s) { s.append(value); });
  ctx.out.integer(static_cast<std::int64_t>(e->value.str.size()));
  util::notify(ctx, kNotifyString, "append", ctx.args[1]);
}

void strlen(CommandContext& ctx) {
  KeyEntry* e = util::lookup_read(ctx, ctx.args[1]);
  if (!util::is_string_or_reply(ctx, e)) return;
  ctx.out.integer(e ? static_cast<std::int64_t>(e->value.str.size()) : 0);
}

void getrange(CommandContext& ctx) {
  auto start = util::int_arg(ctx, ctx.args[2]);
  if (!start) return;
  auto end = util::int_arg(ctx, ctx.args[3]);
  if (!end) return;
  KeyEntry* e = util::lookup_read(ctx, ctx.args[1]);
  if (!util::is_string_or_reply(ctx, e)) return;
  if (e == nullptr) return ctx.out.bulk("");
  const std::string_view s = e->value.str;
  const auto len = static_cast<std::int64_t>(s.size());
  std::int64_t from = *start;
  std::int64_t to = *end;
  if (from < 0 && to < 0 && from > to) return ctx.out.bulk("");
  if (from < 0) from = std::max<std::int64_t>(len + from, 0);
  if (to < 0) to = std::max<std::int64_t>(len + to, 0);
  if (to >= len) to = len - 1;
  if (from > to || len == 0) return ctx.out.bulk("");
  ctx.out.bulk(s.substr(static_cast<std::size_t>(from), static_cast<std::size_t>(to - from + 1)));
}

void setrange(CommandContext& ctx) {
  auto offset = util::int_arg(ctx, ctx.args[2]);
  if (!offset) return;
  if (*offset < 0) return ctx.error(KvError::kOffsetOutOfRange);
  const auto at = static_cast<std::size_t>(*offset);
  std::string_view value = ctx.args[3];
  Database& db = ctx.db();
  KeyEntry* e = db.find(ctx.args[1], ctx.now_ms);
  if (!util::is_string_or_reply(ctx, e)) return;
  const std::size_t old_size = e ? e->value.str.size() : 0;
  if (value.empty()) return ctx.out.integer(static_cast<std::int64_t>(old_size));
  if (!util::size_ok_or_reply(ctx, static_cast<std::uint64_t>(at) + value.size())) return;
  if (e == nullptr) e = db.set(ctx.args[1], "", Encoding::kRaw, false);
  db.update(e, Encoding::kRaw, [&](CompactString& s) {
    if (s.size() < at + value.size()) s.resize(at + value.size());
    std::copy(value.begin(), value.end(), s.data() + at);
  });
  ctx.out.integer(static_cast<std::int64_t>(e->value.str.size()));
  util::notify(ctx, kNotifyString, "setrange", ctx.args[1]);
}

}  // namespace tcpkit::kv::cmd
