// TTL commands: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT), TTL PTTL EXPIRETIME
// PEXPIRETIME PERSIST.

#include "kv/cmd_util.hpp"

namespace tcpkit::kv::cmd {

namespace {

enum ExpireFlag : unsigned { kNx = 1, kXx = 2, kGt = 4, kLt = 8 };

std::optional<unsigned> parse_expire_flags(CommandContext& ctx) {
  unsigned flags = 0;
  for (std::size_t i = 3; i < ctx.args.size(); ++i) {
    std::string_view a = ctx.args[i];
    if (iequals(a, "nx"))
      flags |= kNx;
    else if (iequals(a, "xx"))
      flags |= kXx;
    else if (iequals(a, "gt"))
      flags |= kGt;
    else if (iequals(a, "lt"))
      flags |= kLt;
    else
      return ctx.out.error(unsupported_option_error(a)), std::nullopt;
  }
  if ((flags & kNx) && (flags & (kXx | kGt | kLt))) {
    return ctx.error(KvError::kExpireNxWithOthers), std::nullopt;
  }
  if ((flags & kGt) && (flags & kLt)) return ctx.error(KvError::kExpireGtAndLt), std::nullopt;
  return flags;
}

// False when the NX/XX/GT/LT condition rejects the new expiry `when` (current is kNoExpire
// for a key without TTL, which GT and LT treat as infinite).
bool condition_holds(unsigned flags, std::int64_t current, std::int64_t when) {
  if ((flags & kNx) && current != kNoExpire) return false;
  if ((flags & kXx) && current == kNoExpire) return false;
  if ((flags & kGt) && (current == kNoExpire || when <= current)) return false;
  if ((flags & kLt) && current != kNoExpire && when >= current) return false;
  return true;
}

// Redis's expireGenericCommand. `base_ms` is now for relative forms, 0 for absolute ones.
void expire_generic(CommandContext& ctx, std::int64_t base_ms, bool seconds,
                    std::string_view name) {
  auto flags = parse_expire_flags(ctx);
  if (!flags) return;
  auto when = util::int_arg(ctx, ctx.args[2]);
  if (!when) return;
  std::int64_t at = *when;
  if ((seconds && __builtin_mul_overflow(at, 1000, &at)) ||
      __builtin_add_overflow(at, base_ms, &at)) {
    return ctx.out.error(invalid_expire_error(name));
  }
  Database& db = ctx.db();
  KeyEntry* e = db.find(ctx.args[1], ctx.now_ms);
  if (e == nullptr) return ctx.out.integer(0);
  if (!condition_holds(*flags, e->value.expire_at_ms, at)) return ctx.out.integer(0);
  if (at <= ctx.now_ms) {
    db.erase(ctx.args[1]);
    ctx.out.integer(1);
    return util::notify(ctx, kNotifyGeneric, "del", ctx.args[1]);
  }
  db.set_expire(e, at);
  ctx.out.integer(1);
  util::notify(ctx, kNotifyGeneric, "expire", ctx.args[1]);
}

// TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 without the key, -1 without a TTL.
void ttl_generic(CommandContext& ctx, bool ms, bool absolute) {
  KeyEntry* e = util::lookup_read(ctx, ctx.args[1]);
  if (e == nullptr) return ctx.out.integer(-2);
  const std::int64_t at = e->value.expire_at_ms;
  if (at == kNoExpire) return ctx.out.integer(-1);
  if (absolute) return ctx.out.integer(ms ? at : at / 1000);
  const std::int64_t left = std::max<std::int64_t>(at - ctx.now_ms, 0);
  ctx.out.integer(ms ? left : (left + 500) / 1000);
}

}  // namespace

void expire(CommandContext& ctx) { expire_generic(ctx, ctx.now_ms, true, "expire"); }
void pexpire(CommandContext& ctx) { expire_generic(ctx, ctx.now_ms, false, "pexpire"); }
void expireat(CommandContext& ctx) { expire_generic(ctx, 0, true, "expireat"); }
void pexpireat(CommandContext& ctx) { expire_generic(ctx, 0, false, "pexpireat"); }
void ttl(CommandContext& ctx) { ttl_generic(ctx, false, false); }
void pttl(CommandContext& ctx) { ttl_generic(ctx, true, false); }
void expiretime(CommandContext& ctx) { ttl_generic(ctx, false, true); }
void pexpiretime(CommandContext& ctx) { ttl_generic(ctx, true, true); }

void persist(CommandContext& ctx) {
  KeyEntry* e = ctx.db().find(ctx.args[1], ctx.now_ms);
  if (e == nullptr || e->value.expire_at_ms == kNoExpire) return ctx.out.integer(0);
  ctx.db().set_expire(e, kNoExpire);
  ctx.out.integer(1);
  util::notify(ctx, kNotifyGeneric, "persist", ctx.args[1]);
}

}  // namespace tcpkit::kv::cmd
