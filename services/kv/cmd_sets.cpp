// Set commands on one key: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER
// SMOVE SSCAN (the commands over several sets are in cmd_set_algebra.cpp).
//
// A set is created only when a member is about to be added, and a set left empty deletes its
// key (Database::change), so no command can leave an empty set behind.

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "kv/cmd_util.hpp"
#include "kv/set.hpp"

namespace tcpkit::kv::cmd {

namespace {

// SPOP with a count keeps popping one member at a time while the members left are more than
// this many times the count popped; otherwise it draws the few that stay into a new set and
// replies the rest (Redis's SPOP_MOVE_STRATEGY_MUL).
constexpr std::uint64_t kPopMoveFactor = 5;

util::Typed lookup_set(CommandContext& ctx, bool read) {
  return util::lookup_typed(ctx, ctx.args[1], ValueType::kSet, read);
}

// `as_set`: a RESP3 set (SMEMBERS, SPOP with a count), else an array (SRANDMEMBER, SSCAN), as
// Redis 7.0 replies them.
void reply_members(CommandContext& ctx, const std::vector<std::string>& members, bool as_set) {
  as_set ? ctx.out.set(members.size()) : ctx.out.array(members.size());
  for (const std::string& m : members) ctx.out.bulk(m);
}

void reply_whole(CommandContext& ctx, const Set& s, bool as_set) {
  as_set ? ctx.out.set(s.size()) : ctx.out.array(s.size());
  s.for_each([&](std::string_view m) { ctx.out.bulk(m); });
}

// `count` distinct members of `s` (count < size): a partial shuffle when many are wanted,
// otherwise random draws until enough distinct ones came.
std::vector<std::string> distinct_random(Set& s, std::size_t count, std::mt19937_64& rng) {
  std::vector<std::string> picked;
  if (count * 3 > s.size()) {
    picked.reserve(s.size());
    s.for_each([&](std::string_view m) { picked.emplace_back(m); });
    for (std::size_t i = 0; i < count; ++i) {
      std::swap(picked[i], picked[i + rng() % (picked.size() - i)]);
    }
    picked.resize(count);
    return picked;
  }
  std::unordered_set<std::string> seen;
  while (picked.size() < count) {
    std::string m = s.random_member(rng);
    if (seen.insert(m).second) picked.push_back(std::move(m));
  }
  return picked;
}

// Pops `count` members (0 < count < size) from the set at `e`; returns them.
std::vector<std::string> pop_some(CommandContext& ctx, KeyEntry* e, std::size_t count) {
  std::vector<std::string> popped;
  ctx.db().change(e, [&](Value& v) {
    Set& s = v.set();
    const std::size_t remaining = s.size() - count;
    if (remaining * kPopMoveFactor > count) {
      popped.reserve(count);
      while (popped.size() < count) popped.push_back(s.pop_random(ctx.store.rng()));
      return;
    }
    // Few stay: move them into a fresh set (built by the usual rules, so a hashtable of few
    // integers becomes an intset, as in Redis) and reply what is left of the old one.
    Value kept = Value::new_set();
    for (std::size_t i = 0; i < remaining; ++i)
      kept.set().add(s.pop_random(ctx.store.rng()), util::limits(ctx));
    popped.reserve(s.size());
    s.for_each([&](std::string_view m) { popped.emplace_back(m); });
    kept.expire_at_ms = v.expire_at_ms;
    v = std::move(kept);
  });
  return popped;
}

}  // namespace

void sadd(CommandContext& ctx) {
  auto [e, ok] = lookup_set(ctx, false);
  if (!ok) return;
  if (e == nullptr) e = ctx.db().add(ctx.args[1], Value::new_set());
  std::int64_t added = 0;
  ctx.db().change(e, [&](Value& v) {
    for (std::size_t i = 2; i < ctx.args.size(); ++i)
      added += v.set().add(ctx.args[i], util::limits(ctx)) ? 1 : 0;
  });
  ctx.out.integer(added);
  if (added > 0) util::notify(ctx, kNotifySet, "sadd", ctx.args[1]);
}

void srem(CommandContext& ctx) {
  auto [e, ok] = lookup_set(ctx, false);
  if (!ok) return;
  std::int64_t removed = 0;
  bool kept = true;
  if (e != nullptr) {
    kept = ctx.db().change(e, [&](Value& v) {
      for (std::size_t i = 2; i < ctx.args.size() && !v.set().empty(); ++i) {
        removed += v.set().erase(ctx.args[i]) ? 1 : 0;
      }
    });
  }
  ctx.out.integer(removed);
  if (removed == 0) return;
  util::notify_removed(ctx, kNotifySet, "srem", ctx.args[1], kept);
}

void smembers(CommandContext& ctx) {
  auto [e, ok] = lookup_set(ctx, true);
  if (!ok) return;
  if (e == nullptr) return ctx.out.set(0);
  reply_whole(ctx, e->value.set(), true);
}

void sismember(CommandContext& ctx) {
  auto [e, ok] = lookup_set(ctx, true);
  if (ok) ctx.out.integer(e && e->value.set().contains(ctx.args[2]) ? 1 : 0);
}

void smismember(CommandContext& ctx) {
  auto [e, ok] = lookup_set(ctx, true);
  if (!ok) return;
  ctx.out.array(ctx.args.size() - 2);
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.out.integer(e && e->value.set().contains(ctx.args[i]) ? 1 : 0);
  }
}

void scard(CommandContext& ctx) {
  auto [e, ok] = lookup_set(ctx, true);
  if (ok) ctx.out.integer(e ? static_cast<std::int64_t>(e->value.set().size()) : 0);
}

void spop(CommandContext& ctx) {
  if (ctx.args.size() > 3) return ctx.error(KvError::kSyntax);
  std::optional<std::int64_t> count;
  if (ctx.args.size() == 3) {
    count = parse_int(ctx.args[2]);
    if (!count || *count < 0) return ctx.error(KvError::kCountOutOfRange);
  }
  auto [e, ok] = lookup_set(ctx, false);
  if (!ok) return;
  if (!count) {
    if (e == nullptr) return ctx.out.null();
    std::string m;
    const bool kept =
        ctx.db().change(e, [&](Value& v) { m = v.set().pop_random(ctx.store.rng()); });
    ctx.out.bulk(m);
    util::notify_removed(ctx, kNotifySet, "spop", ctx.args[1], kept);
    return;
  }
  if (e == nullptr || *count == 0) return ctx.out.set(0);
  util::notify(ctx, kNotifySet, "spop", ctx.args[1]);
  if (static_cast<std::uint64_t>(*count) >= e->value.set().size()) {
    // The whole set: reply it, then delete the key.
    Value whole = ctx.db().extract(e);
    reply_whole(ctx, whole.set(), true);
    return util::notify(ctx, kNotifyGeneric, "del", ctx.args[1]);
  }
  reply_members(ctx, pop_some(ctx, e, static_cast<std::size_t>(*count)), true);
}

void srandmember(CommandContext& ctx) {
  if (ctx.args.size() > 3) return ctx.error(KvError::kSyntax);
  std::optional<std::int64_t> count;
  if (ctx.args.size() == 3) {
    count = util::int_arg(ctx, ctx.args[2]);
    if (!count) return;
    if (*count == INT64_MIN) return ctx.error(KvError::kOutOfLongRange);
  }
  auto [e, ok] = lookup_set(ctx, true);
  if (!ok) return;
  if (!count)
    return e ? ctx.out.bulk(e->value.set().random_member(ctx.store.rng())) : ctx.out.null();
  if (e == nullptr || *count == 0) return ctx.out.array(0);
  Set& s = e->value.set();
  if (*count < 0) {
    // Repetitions allowed: -count independent draws.
    const auto n = static_cast<std::uint64_t>(-*count);
    if (n > util::kMaxRandomDraws) return ctx.error(KvError::kOutOfRange);
    ctx.out.array(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) ctx.out.bulk(s.random_member(ctx.store.rng()));
    return;
  }
  if (static_cast<std::uint64_t>(*count) >= s.size()) return reply_whole(ctx, s, false);
  reply_members(ctx, distinct_random(s, static_cast<std::size_t>(*count), ctx.store.rng()), false);
}

void smove(CommandContext& ctx) {
  auto [src, src_ok] = lookup_set(ctx, false);
  if (!src_ok) return;
  if (src == nullptr) return ctx.out.integer(0);
  auto [dst, dst_ok] = util::lookup_typed(ctx, ctx.args[2], ValueType::kSet, false);
  if (!dst_ok) return;
  const std::string_view member = ctx.args[3];
  if (src == dst) return ctx.out.integer(src->value.set().contains(member) ? 1 : 0);
  bool moved = false;
  const bool kept = ctx.db().change(src, [&](Value& v) { moved = v.set().erase(member); });
  if (!moved) return ctx.out.integer(0);
  util::notify_removed(ctx, kNotifySet, "srem", ctx.args[1], kept);
  if (dst == nullptr) dst = ctx.db().add(ctx.args[2], Value::new_set());
  bool added = false;
  ctx.db().change(dst, [&](Value& v) { added = v.set().add(member, util::limits(ctx)); });
  ctx.out.integer(1);
  if (added) util::notify(ctx, kNotifySet, "sadd", ctx.args[2]);
}

void sscan(CommandContext& ctx) {
  auto cursor = util::scan_cursor(ctx.args[2]);
  if (!cursor) return ctx.error(KvError::kInvalidCursor);
  auto [e, ok] = lookup_set(ctx, true);
  if (!ok) return;
  if (e == nullptr) return util::reply_empty_scan(ctx);
  auto options = util::scan_args(ctx, 3);
  if (!options) return;
  const std::int64_t count = options->count;
  const Set& s = e->value.set();
  std::vector<std::string> found;
  const auto collect = [&](std::string_view m) {
    if (options->matches(m)) found.emplace_back(m);
  };
  std::uint64_t next = 0;
  if (s.intset()) {
    // Redis returns an intset whole (ascending), whatever the cursor and COUNT.
    s.for_each(collect);
  } else {
    // Bounds the work when most buckets are empty; COUNT counts members visited, matched or not.
    std::int64_t budget = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
    std::int64_t visited = 0;
    next = *cursor;
    do {
      next = s.scan(next, [&](std::string_view m) {
        ++visited;
        collect(m);
      });
    } while (next != 0 && --budget > 0 && visited < count);
  }
  ctx.out.array(2);
  ctx.out.bulk(std::to_string(next));
  reply_members(ctx, found, false);
}

}  // namespace tcpkit::kv::cmd
