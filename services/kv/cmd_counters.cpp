// Counter commands on strings: INCR DECR INCRBY DECRBY INCRBYFLOAT.

#include <cmath>
#include <limits>

#include "kv/cmd_util.hpp"

namespace tcpkit::kv::cmd {

namespace {

void incr_by(CommandContext& ctx, std::int64_t delta) {
  Database& db = ctx.db();
  KeyEntry* e = db.find(ctx.args[1], ctx.now_ms);
  if (!util::is_string_or_reply(ctx, e)) return;
  std::int64_t value = 0;
  if (e != nullptr) {
    auto parsed = parse_int(e->value.str);
    if (!parsed) return ctx.error(KvError::kNotInteger);
    value = *parsed;
  }
  if (__builtin_add_overflow(value, delta, &value)) return ctx.error(KvError::kOverflow);
  std::string text;
  append_int(text, value);  // at most 20 characters: stays in the small-string buffer
  if (e == nullptr) {
    db.set(ctx.args[1], text, Encoding::kInt, false);
  } else {
    db.update(e, Encoding::kInt, [&text](CompactString& s) { s.assign(text); });
  }
  ctx.out.integer(value);
  util::notify(ctx, kNotifyString, "incrby", ctx.args[1]);
}

std::optional<std::int64_t> delta_arg(CommandContext& ctx) {
  return util::int_arg(ctx, ctx.args[2]);
}

}  // namespace

void incr(CommandContext& ctx) { incr_by(ctx, 1); }
void decr(CommandContext& ctx) { incr_by(ctx, -1); }

void incrby(CommandContext& ctx) {
  if (auto d = delta_arg(ctx)) incr_by(ctx, *d);
}

void decrby(CommandContext& ctx) {
  auto d = delta_arg(ctx);
  if (!d) return;
  if (*d == std::numeric_limits<std::int64_t>::min()) return ctx.error(KvError::kDecrementOverflow);
  incr_by(ctx, -*d);
}

void incrbyfloat(CommandContext& ctx) {
  Database& db = ctx.db();
  KeyEntry* e = db.find(ctx.args[1], ctx.now_ms);
  if (!util::is_string_or_reply(ctx, e)) return;
  long double value = 0;
  if (e != nullptr) {
    auto parsed = parse_long_double(e->value.str);
    if (!parsed) return ctx.error(KvError::kNotFloat);
    value = *parsed;
  }
  auto incr = parse_long_double(ctx.args[2]);
  if (!incr) return ctx.error(KvError::kNotFloat);
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) return ctx.error(KvError::kNanOrInfinity);
  const std::string text = format_long_double(value);
  const Encoding enc = text.size() <= 44 ? Encoding::kEmbstr : Encoding::kRaw;
  if (e == nullptr) {
    db.set(ctx.args[1], text, enc, false);
  } else {
    db.update(e, enc, [&text](CompactString& s) { s.assign(text); });
  }
  ctx.out.bulk(text);
  util::notify(ctx, kNotifyString, "incrbyfloat", ctx.args[1]);
}

}  // namespace tcpkit::kv::cmd
