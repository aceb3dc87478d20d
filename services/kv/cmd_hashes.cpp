// Hash commands: HSET HSETNX HGET HMSET HMGET HGETALL HDEL HEXISTS HLEN HKEYS HVALS HSTRLEN
// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN.
//
// A hash is created only when something is about to be written to it, and a hash left empty
// deletes its key (Database::change), so no command can leave an empty hash behind.

#include <algorithm>
#include <cmath>
#include <unordered_set>
#include <vector>

#include "kv/cmd_util.hpp"
#include "kv/hash.hpp"

namespace tcpkit::kv::cmd {

namespace {

util::Typed lookup_hash(CommandContext& ctx, bool read) {
  return util::lookup_typed(ctx, ctx.args[1], ValueType::kHash, read);
}

// Sets the field/value pairs from args[first] on of the hash at `e` (created when nullptr).
std::int64_t write_fields(CommandContext& ctx, KeyEntry* e, std::size_t first) {
  if (e == nullptr) e = ctx.db().add(ctx.args[1], Value::new_hash());
  std::int64_t created = 0;
  const EncodingLimits& limits = ctx.service.config().encodings;
  ctx.db().change(e, [&](Value& v) {
    HashRef h = v.hash();
    for (std::size_t i = first; i + 1 < ctx.args.size(); i += 2) {
      created += h.set(ctx.args[i], ctx.args[i + 1], limits) ? 1 : 0;
    }
  });
  return created;
}

// Sets args[2] to `value` (HINCRBY, HINCRBYFLOAT), creating the hash.
void write_field(CommandContext& ctx, KeyEntry* e, std::string_view value) {
  if (e == nullptr) e = ctx.db().add(ctx.args[1], Value::new_hash());
  ctx.db().change(
      e, [&](Value& v) { v.hash().set(ctx.args[2], value, ctx.service.config().encodings); });
}

void hset_generic(CommandContext& ctx, bool reply_created) {
  if (ctx.args.size() % 2 != 0) return ctx.out.error(arity_error(reply_created ? "hset" : "hmset"));
  auto [e, ok] = lookup_hash(ctx, false);
  if (!ok) return;
  const std::int64_t created = write_fields(ctx, e, 2);
  reply_created ? ctx.out.integer(created) : ctx.ok();
  util::notify(ctx, kNotifyHash, "hset", ctx.args[1]);
}

enum Parts : unsigned { kFields = 1, kValues = 2 };

void getall_generic(CommandContext& ctx, unsigned parts) {
  auto [e, ok] = lookup_hash(ctx, true);
  if (!ok) return;
  const bool pairs = parts == (kFields | kValues);
  if (e == nullptr) return pairs ? ctx.out.map(0) : ctx.out.array(0);
  const HashRef h = e->value.hash();
  pairs ? ctx.out.map(h.size()) : ctx.out.array(h.size());
  h.for_each([&](std::string_view field, std::string_view value) {
    if (parts & kFields) ctx.out.bulk(field);
    if (parts & kValues) ctx.out.bulk(value);
  });
}

}  // namespace

void hset(CommandContext& ctx) { hset_generic(ctx, true); }
void hmset(CommandContext& ctx) { hset_generic(ctx, false); }

void hsetnx(CommandContext& ctx) {
  auto [e, ok] = lookup_hash(ctx, false);
  if (!ok) return;
  if (e != nullptr && e->value.hash().find(ctx.args[2])) return ctx.out.integer(0);
  write_fields(ctx, e, 2);
  ctx.out.integer(1);
  util::notify(ctx, kNotifyHash, "hset", ctx.args[1]);
}

void hget(CommandContext& ctx) {
  auto [e, ok] = lookup_hash(ctx, true);
  if (!ok) return;
  auto v = e ? e->value.hash().find(ctx.args[2]) : std::nullopt;
  v ? ctx.out.bulk(*v) : ctx.out.null();
}

void hmget(CommandContext& ctx) {
  auto [e, ok] = lookup_hash(ctx, true);
  if (!ok) return;
  ctx.out.array(ctx.args.size() - 2);
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    auto v = e ? e->value.hash().find(ctx.args[i]) : std::nullopt;
    v ? ctx.out.bulk(*v) : ctx.out.null();
  }
}

void hgetall(CommandContext& ctx) { getall_generic(ctx, kFields | kValues); }
void hkeys(CommandContext& ctx) { getall_generic(ctx, kFields); }
void hvals(CommandContext& ctx) { getall_generic(ctx, kValues); }

void hdel(CommandContext& ctx) {
  auto [e, ok] = lookup_hash(ctx, false);
  if (!ok) return;
  std::int64_t deleted = 0;
  bool kept = true;
  if (e != nullptr) {
    kept = ctx.db().change(e, [&](Value& v) {
      for (std::size_t i = 2; i < ctx.args.size(); ++i) deleted += v.hash().erase(ctx.args[i]);
    });
  }
  ctx.out.integer(deleted);
  if (deleted == 0) return;
  util::notify_removed(ctx, kNotifyHash, "hdel", ctx.args[1], kept);
}

void hexists(CommandContext& ctx) {
  auto [e, ok] = lookup_hash(ctx, true);
  if (ok) ctx.out.integer(e && e->value.hash().find(ctx.args[2]) ? 1 : 0);
}

void hlen(CommandContext& ctx) {
  auto [e, ok] = lookup_hash(ctx, true);
  if (ok) ctx.out.integer(e ? static_cast<std::int64_t>(e->value.hash().size()) : 0);
}

void hstrlen(CommandContext& ctx) {
  auto [e, ok] = lookup_hash(ctx, true);
  if (!ok) return;
  auto v = e ? e->value.hash().find(ctx.args[2]) : std::nullopt;
  ctx.out.integer(v ? static_cast<std::int64_t>(v->size()) : 0);
}

void hincrby(CommandContext& ctx) {
  auto delta = util::int_arg(ctx, ctx.args[3]);
  if (!delta) return;
  auto [e, ok] = lookup_hash(ctx, false);
  if (!ok) return;
  std::int64_t value = 0;
  if (auto old = e ? e->value.hash().find(ctx.args[2]) : std::nullopt) {
    auto parsed = parse_int(*old);
    if (!parsed) return ctx.error(KvError::kHashNotInteger);
    value = *parsed;
  }
  if (__builtin_add_overflow(value, *delta, &value)) return ctx.error(KvError::kOverflow);
  std::string text;
  append_int(text, value);
  write_field(ctx, e, text);
  ctx.out.integer(value);
  util::notify(ctx, kNotifyHash, "hincrby", ctx.args[1]);
}

void hincrbyfloat(CommandContext& ctx) {
  auto delta = parse_long_double(ctx.args[3]);
  if (!delta) return ctx.error(KvError::kNotFloat);
  if (std::isnan(*delta) || std::isinf(*delta)) return ctx.error(KvError::kIncrementNanOrInfinity);
  auto [e, ok] = lookup_hash(ctx, false);
  if (!ok) return;
  long double value = 0;
  if (auto old = e ? e->value.hash().find(ctx.args[2]) : std::nullopt) {
    auto parsed = parse_long_double(*old);
    if (!parsed) return ctx.error(KvError::kHashNotFloat);
    value = *parsed;
  }
  value += *delta;
  if (std::isnan(value) || std::isinf(value)) return ctx.error(KvError::kNanOrInfinity);
  const std::string text = format_long_double(value);
  write_field(ctx, e, text);
  ctx.out.bulk(text);
  util::notify(ctx, kNotifyHash, "hincrbyfloat", ctx.args[1]);
}

namespace {

// `count` distinct fields of `h` (count < size): a partial shuffle when many are wanted (or
// the hash is a listpack, where a draw scans), otherwise random draws until enough distinct
// ones came.
std::vector<HashRef::Pair> distinct_random(const HashRef& h, std::size_t count,
                                           std::mt19937_64& rng) {
  std::vector<HashRef::Pair> picked;
  if (count * 3 > h.size() || h.listpack()) {
    h.for_each([&](std::string_view f, std::string_view v) { picked.emplace_back(f, v); });
    for (std::size_t i = 0; i < count; ++i) {
      std::swap(picked[i], picked[i + rng() % (picked.size() - i)]);
    }
    picked.resize(count);
    return picked;
  }
  // Fields are distinct strings whose views stay put while nothing writes.
  std::unordered_set<const char*> seen;
  while (picked.size() < count) {
    HashRef::Pair f = h.random_field(rng);
    if (seen.insert(f.first.data()).second) picked.push_back(f);
  }
  return picked;
}

}  // namespace

void hrandfield(CommandContext& ctx) {
  auto a = util::random_args(ctx, "withvalues");
  if (!a) return;
  auto [e, ok] = lookup_hash(ctx, true);
  if (!ok) return;
  if (!a->count) {
    return e ? ctx.out.bulk(e->value.hash().random_field(ctx.store.rng()).first) : ctx.out.null();
  }
  if (e == nullptr || *a->count == 0) return ctx.out.array(0);
  const HashRef h = e->value.hash();
  std::vector<HashRef::Pair> picked;
  if (*a->count < 0) {
    // Repetitions allowed: -count independent draws (from a listpack, picks by index from
    // the pairs gathered once, so a draw costs O(1) there too).
    const auto n = static_cast<std::uint64_t>(-*a->count);
    if (n > util::kMaxRandomDraws) return ctx.error(KvError::kOutOfRange);
    picked.reserve(static_cast<std::size_t>(n));
    if (h.listpack()) {
      std::vector<HashRef::Pair> all;
      h.for_each([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
      for (std::uint64_t i = 0; i < n; ++i) picked.push_back(all[ctx.store.rng()() % all.size()]);
    } else {
      for (std::uint64_t i = 0; i < n; ++i) picked.push_back(h.random_field(ctx.store.rng()));
    }
  } else if (static_cast<std::uint64_t>(*a->count) >= h.size()) {
    h.for_each([&](std::string_view f, std::string_view v) { picked.emplace_back(f, v); });
  } else {
    picked = distinct_random(h, static_cast<std::size_t>(*a->count), ctx.store.rng());
  }
  // WITHVALUES: flat in RESP2, [field, value] pairs in RESP3 (as Redis 7.0).
  const bool nested = a->with && ctx.resp3();
  ctx.out.array(picked.size() * (a->with && !nested ? 2 : 1));
  for (const HashRef::Pair& f : picked) {
    if (nested) ctx.out.array(2);
    ctx.out.bulk(f.first);
    if (a->with) ctx.out.bulk(f.second);
  }
}

void hscan(CommandContext& ctx) {
  auto cursor = util::scan_cursor(ctx.args[2]);
  if (!cursor) return ctx.error(KvError::kInvalidCursor);
  auto [e, ok] = lookup_hash(ctx, true);
  if (!ok) return;
  if (e == nullptr) return util::reply_empty_scan(ctx);
  auto options = util::scan_args(ctx, 3);
  if (!options) return;
  const std::int64_t count = options->count;
  const HashRef h = e->value.hash();
  std::vector<HashRef::Pair> found;
  std::uint64_t next = 0;
  if (h.listpack()) {
    // Redis returns a small (listpack) hash whole, whatever the cursor and COUNT.
    h.for_each([&](std::string_view f, std::string_view v) { found.emplace_back(f, v); });
  } else {
    // Bounds the work when most buckets are empty.
    std::int64_t budget = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
    next = *cursor;
    do {
      next = h.scan(next, [&](const HashRef::Pair& f) { found.push_back(f); });
    } while (next != 0 && --budget > 0 && static_cast<std::int64_t>(found.size()) < count);
  }
  std::erase_if(found, [&](const HashRef::Pair& f) { return !options->matches(f.first); });
  ctx.out.array(2);
  ctx.out.bulk(std::to_string(next));
  ctx.out.array(found.size() * 2);
  for (const HashRef::Pair& f : found) {
    ctx.out.bulk(f.first);
    ctx.out.bulk(f.second);
  }
}

}  // namespace tcpkit::kv::cmd
