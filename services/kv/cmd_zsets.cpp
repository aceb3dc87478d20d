// Sorted-set commands on members: ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZCARD ZRANK ZREVRANK ZPOPMIN
// ZPOPMAX ZMPOP ZRANDMEMBER ZSCAN. Ranges are in cmd_zsets_range.cpp, ZUNION and friends in
// cmd_zsets_setops.cpp.
//
// A sorted set is created only when a member is about to be added, and one left empty deletes
// its key (Database::change). A write that would change nothing does not call change(), so it
// does not count as a modification for WATCH, as in Redis.

#include "kv/cmd_zsets.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace tcpkit::kv::cmd {

using zsets::lookup_zset;
using zsets::reply_score;

namespace {

// ZADD's arguments: the flags and the score/member pairs.
struct ZaddArgs {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
  std::vector<std::pair<double, std::string_view>> pairs;
};

std::optional<ZaddArgs> parse_zadd(CommandContext& ctx) {
  ZaddArgs a;
  std::size_t i = 2;
  for (; i < ctx.args.size(); ++i) {
    std::string_view f = ctx.args[i];
    bool* flag = iequals(f, "nx")     ? &a.nx
                 : iequals(f, "xx")   ? &a.xx
                 : iequals(f, "gt")   ? &a.gt
                 : iequals(f, "lt")   ? &a.lt
                 : iequals(f, "ch")   ? &a.ch
                 : iequals(f, "incr") ? &a.incr
                                      : nullptr;
    if (flag == nullptr) break;
    *flag = true;
  }
  const std::size_t elements = ctx.args.size() - i;
  if (elements == 0 || elements % 2 != 0) return ctx.error(KvError::kSyntax), std::nullopt;
  if (a.nx && a.xx) return ctx.error(KvError::kZaddXxAndNx), std::nullopt;
  if ((a.gt && a.lt) || (a.nx && (a.gt || a.lt))) {
    return ctx.error(KvError::kZaddGtLtNx), std::nullopt;
  }
  if (a.incr && elements > 2) return ctx.error(KvError::kZaddIncrSinglePair), std::nullopt;
  for (; i < ctx.args.size(); i += 2) {
    auto score = parse_score(ctx.args[i]);
    if (!score) return ctx.error(KvError::kNotFloat), std::nullopt;
    a.pairs.emplace_back(*score, ctx.args[i + 1]);
  }
  return a;
}

// What one pair of ZADD does to a set whose member currently has score `current`: skipped by
// NX/XX/GT/LT (INCR then replies nil), or applied (`write` when the set changes).
struct ZaddStep {
  bool applied = false;
  bool write = false;
  bool added = false;
  double score = 0;
};

// A member's score before the change (a plain pair: GCC misreads std::optional<double> here).
struct Current {
  bool present = false;
  double score = 0;
};

Current current_score(KeyEntry* e, std::string_view member) {
  if (e == nullptr) return {};
  auto score = e->value.zset().score(member);
  return score ? Current{true, *score} : Current{};
}

ZaddStep zadd_step(const ZaddArgs& a, Current current, double score) {
  if (!current.present) {
    if (a.xx) return {};
    return {true, true, true, score};
  }
  if (a.nx) return {};
  const double updated = a.incr ? current.score + score : score;
  if ((a.gt && !(updated > current.score)) || (a.lt && !(updated < current.score))) return {};
  return {true, updated != current.score, false, updated};
}

}  // namespace

void zadd(CommandContext& ctx) {
  auto a = parse_zadd(ctx);
  if (!a) return;
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], false);
  if (!ok) return;
  if (a->incr) {
    // One pair: its outcome decides the reply, and a NaN result changes nothing.
    auto [score, member] = a->pairs[0];
    const Current current = current_score(e, member);
    if (current.present && std::isnan(current.score + score)) {
      return ctx.error(KvError::kScoreNan);
    }
    ZaddStep step = zadd_step(*a, current, score);
    if (!step.applied) return ctx.out.null();
    if (step.write) {
      if (e == nullptr) e = ctx.db().add(ctx.args[1], Value::new_zset());
      ctx.db().change(e, [&](Value& v) { v.zset().set(member, step.score, util::limits(ctx)); });
    }
    reply_score(ctx, step.score);
    if (step.write) util::notify(ctx, kNotifyZset, "zincr", ctx.args[1]);
    return;
  }
  // Nothing changes unless some pair would change the set as it is now.
  bool any = false;
  for (auto [score, member] : a->pairs) {
    any = any || zadd_step(*a, current_score(e, member), score).write;
  }
  std::int64_t added = 0, updated = 0;
  if (any) {
    if (e == nullptr) e = ctx.db().add(ctx.args[1], Value::new_zset());
    ctx.db().change(e, [&](Value& v) {
      SortedSet& z = v.zset();
      for (auto [score, member] : a->pairs) {
        auto now = z.score(member);
        ZaddStep step = zadd_step(*a, now ? Current{true, *now} : Current{}, score);
        if (!step.write) continue;
        z.set(member, step.score, util::limits(ctx));
        (step.added ? added : updated) += 1;
      }
    });
  }
  ctx.out.integer(added + (a->ch ? updated : 0));
  if (added + updated > 0) util::notify(ctx, kNotifyZset, "zadd", ctx.args[1]);
}

void zincrby(CommandContext& ctx) {
  auto delta = parse_score(ctx.args[2]);
  if (!delta) return ctx.error(KvError::kNotFloat);
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], false);
  if (!ok) return;
  const std::string_view member = ctx.args[3];
  std::optional<double> current = e ? e->value.zset().score(member) : std::nullopt;
  const double score = current ? *current + *delta : *delta;
  if (std::isnan(score)) return ctx.error(KvError::kScoreNan);
  const bool write = !current || score != *current;
  if (write) {
    if (e == nullptr) e = ctx.db().add(ctx.args[1], Value::new_zset());
    ctx.db().change(e, [&](Value& v) { v.zset().set(member, score, util::limits(ctx)); });
  }
  reply_score(ctx, score);
  if (write) util::notify(ctx, kNotifyZset, "zincr", ctx.args[1]);
}

void zrem(CommandContext& ctx) {
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], false);
  if (!ok) return;
  std::int64_t removed = 0;
  if (e == nullptr) return ctx.out.integer(0);
  bool any = false;
  for (std::size_t i = 2; i < ctx.args.size() && !any; ++i) {
    any = e->value.zset().score(ctx.args[i]).has_value();
  }
  bool kept = true;
  if (any) {
    kept = ctx.db().change(e, [&](Value& v) {
      for (std::size_t i = 2; i < ctx.args.size(); ++i) removed += v.zset().erase(ctx.args[i]);
    });
  }
  ctx.out.integer(removed);
  if (removed == 0) return;
  util::notify_removed(ctx, kNotifyZset, "zrem", ctx.args[1], kept);
}

void zscore(CommandContext& ctx) {
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], true);
  if (!ok) return;
  auto score = e ? e->value.zset().score(ctx.args[2]) : std::nullopt;
  score ? reply_score(ctx, *score) : ctx.out.null();
}

void zmscore(CommandContext& ctx) {
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], true);
  if (!ok) return;
  ctx.out.array(ctx.args.size() - 2);
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    auto score = e ? e->value.zset().score(ctx.args[i]) : std::nullopt;
    score ? reply_score(ctx, *score) : ctx.out.null();
  }
}

void zcard(CommandContext& ctx) {
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], true);
  if (ok) ctx.out.integer(e ? static_cast<std::int64_t>(e->value.zset().size()) : 0);
}

namespace {

void rank_generic(CommandContext& ctx, bool reverse) {
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], true);
  if (!ok) return;
  if (e == nullptr) return ctx.out.null();
  SortedSet& z = e->value.zset();
  auto rank = z.rank(ctx.args[2]);
  if (!rank) return ctx.out.null();
  ctx.out.integer(static_cast<std::int64_t>(reverse ? z.size() - 1 - *rank : *rank));
}

// Removes up to `count` elements from the low (or high) end of the set `key` at `e`; returns
// them in pop order.
std::vector<SortedSet::Element> pop_elements(CommandContext& ctx, KeyEntry* e, std::string_view key,
                                             std::uint64_t count, bool max) {
  std::vector<SortedSet::Element> popped;
  const bool kept = ctx.db().change(e, [&](Value& v) {
    SortedSet& z = v.zset();
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(count, z.size()));
    const std::size_t start = max ? z.size() - 1 : 0;
    popped.reserve(n);
    z.for_ranks(start, n, max, [&](std::string_view member, double score) {
      popped.push_back({score, std::string(member)});
    });
    z.erase_ranks(max ? z.size() - n : 0, n);
  });
  util::notify_removed(ctx, kNotifyZset, max ? "zpopmax" : "zpopmin", key, kept);
  return popped;
}

void pop_generic(CommandContext& ctx, bool max) {
  if (ctx.args.size() > 3) return ctx.error(KvError::kSyntax);
  std::int64_t count = 1;
  if (ctx.args.size() == 3) {
    auto n = parse_int(ctx.args[2]);
    if (!n || *n < 0) return ctx.error(KvError::kCountOutOfRange);
    count = *n;
  }
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], false);
  if (!ok) return;
  if (e == nullptr || count == 0) return ctx.out.array(0);
  zsets::reply_elements(ctx,
                        pop_elements(ctx, e, ctx.args[1], static_cast<std::uint64_t>(count), max),
                        true, ctx.args.size() < 3);
}

}  // namespace

void zrank(CommandContext& ctx) { rank_generic(ctx, false); }
void zrevrank(CommandContext& ctx) { rank_generic(ctx, true); }
void zpopmin(CommandContext& ctx) { pop_generic(ctx, false); }
void zpopmax(CommandContext& ctx) { pop_generic(ctx, true); }

namespace {

// ZMPOP numkeys key... MIN|MAX [COUNT n] with numkeys at args[first]; BZMPOP has its timeout
// before it (first = 2) and blocks when every set is empty.
void mpop_generic(CommandContext& ctx, std::size_t first,
                  std::optional<std::chrono::steady_clock::time_point> deadline) {
  const auto a = util::parse_mpop(
      ctx, first, [](std::string_view w) { return iequals(w, "min") || iequals(w, "max"); });
  if (!a) return;
  const bool max = iequals(a->where, "max");
  const auto count = a->count;
  auto keys = a->keys;
  if (ctx.serving != nullptr) keys = {ctx.serving, 1};
  for (std::string_view key : keys) {
    auto [e, ok] = lookup_zset(ctx, key, false);
    if (!ok) return;
    if (e == nullptr) continue;
    auto popped = pop_elements(ctx, e, key, static_cast<std::uint64_t>(count.value_or(1)), max);
    ctx.out.array(2);
    ctx.out.bulk(key);
    ctx.out.array(popped.size());
    for (const SortedSet::Element& p : popped) {
      ctx.out.array(2);
      ctx.out.bulk(p.member);
      reply_score(ctx, p.score);
    }
    return;
  }
  if (ctx.serving != nullptr) return;
  if (first == 1) return ctx.out.null_array();  // ZMPOP never blocks
  block_or_null(ctx, keys, ValueType::kZset, deadline, false);
}

// BZPOPMIN/BZPOPMAX key... timeout: [key, member, score].
void blocking_pop(CommandContext& ctx, bool max) {
  std::string error;
  const auto deadline = parse_block_timeout(ctx.args.back(), error);
  if (!deadline) return ctx.out.error(error);
  auto keys = ctx.args.subspan(1, ctx.args.size() - 2);
  if (ctx.serving != nullptr) keys = {ctx.serving, 1};
  for (std::string_view key : keys) {
    auto [e, ok] = lookup_zset(ctx, key, false);
    if (!ok) return;
    if (e == nullptr) continue;
    const SortedSet::Element popped = pop_elements(ctx, e, key, 1, max).front();
    ctx.out.array(3);
    ctx.out.bulk(key);
    ctx.out.bulk(popped.member);
    return reply_score(ctx, popped.score);
  }
  if (ctx.serving != nullptr) return;
  block_or_null(ctx, keys, ValueType::kZset, *deadline, false);
}

}  // namespace

void zmpop(CommandContext& ctx) { mpop_generic(ctx, 1, std::nullopt); }

void bzmpop(CommandContext& ctx) {
  std::string error;
  const auto deadline = parse_block_timeout(ctx.args[1], error);
  if (!deadline) return ctx.out.error(error);
  mpop_generic(ctx, 2, *deadline);
}

void bzpopmin(CommandContext& ctx) { blocking_pop(ctx, false); }
void bzpopmax(CommandContext& ctx) { blocking_pop(ctx, true); }

namespace {

// `count` distinct ranks below `size` (count < size): a partial shuffle when many are wanted,
// otherwise random draws until enough distinct ones came.
std::vector<std::size_t> distinct_ranks(std::size_t size, std::size_t count, std::mt19937_64& rng) {
  std::vector<std::size_t> picked;
  if (count * 3 > size) {
    picked.resize(size);
    for (std::size_t i = 0; i < size; ++i) picked[i] = i;
    for (std::size_t i = 0; i < count; ++i) std::swap(picked[i], picked[i + rng() % (size - i)]);
    picked.resize(count);
    return picked;
  }
  std::unordered_set<std::size_t> seen;
  while (picked.size() < count) {
    const std::size_t r = static_cast<std::size_t>(rng() % size);
    if (seen.insert(r).second) picked.push_back(r);
  }
  return picked;
}

}  // namespace

void zrandmember(CommandContext& ctx) {
  auto a = util::random_args(ctx, "withscores");
  if (!a) return;
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], true);
  if (!ok) return;
  std::mt19937_64& rng = ctx.store.rng();
  if (!a->count) {
    if (e == nullptr) return ctx.out.null();
    const SortedSet& z = e->value.zset();
    return ctx.out.bulk(z.at(static_cast<std::size_t>(rng() % z.size())).first);
  }
  if (e == nullptr || *a->count == 0) return ctx.out.array(0);
  const SortedSet& z = e->value.zset();
  std::vector<SortedSet::Element> picked;
  auto pick = [&](std::size_t r) {
    auto [member, score] = z.at(r);
    picked.push_back({score, std::string(member)});
  };
  if (*a->count < 0) {
    // Repetitions allowed: -count independent draws.
    const auto n = static_cast<std::uint64_t>(-*a->count);
    if (n > util::kMaxRandomDraws) return ctx.error(KvError::kOutOfRange);
    picked.reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) pick(static_cast<std::size_t>(rng() % z.size()));
  } else if (static_cast<std::uint64_t>(*a->count) >= z.size()) {
    // The whole set, highest first, as Redis replies it.
    z.for_ranks(z.size() - 1, z.size(), true, [&](std::string_view member, double score) {
      picked.push_back({score, std::string(member)});
    });
  } else {
    for (std::size_t r : distinct_ranks(z.size(), static_cast<std::size_t>(*a->count), rng)) {
      pick(r);
    }
  }
  zsets::reply_elements(ctx, picked, a->with);
}

void zscan(CommandContext& ctx) {
  auto cursor = util::scan_cursor(ctx.args[2]);
  if (!cursor) return ctx.error(KvError::kInvalidCursor);
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], true);
  if (!ok) return;
  if (e == nullptr) return util::reply_empty_scan(ctx);
  auto options = util::scan_args(ctx, 3);
  if (!options) return;
  const std::int64_t count = options->count;
  const SortedSet& z = e->value.zset();
  std::vector<SortedSet::Element> found;
  std::uint64_t next = 0;
  auto collect = [&](std::string_view member, double score) {
    found.push_back({score, std::string(member)});
  };
  if (z.listpack()) {
    // Redis returns a small (listpack) set whole and in order, whatever the cursor and COUNT.
    z.for_ranks(0, z.size(), false, collect);
  } else {
    // Bounds the work when most buckets are empty.
    std::int64_t budget = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
    next = *cursor;
    do {
      next = z.scan(next, collect);
    } while (next != 0 && --budget > 0 && static_cast<std::int64_t>(found.size()) < count);
  }
  std::erase_if(found, [&](const SortedSet::Element& f) { return !options->matches(f.member); });
  ctx.out.array(2);
  ctx.out.bulk(std::to_string(next));
  ctx.out.array(found.size() * 2);
  for (const SortedSet::Element& f : found) {
    ctx.out.bulk(f.member);
    // A listpack's scores come as the listpack stores them (see format_packed_score).
    ctx.out.bulk(z.listpack() ? format_packed_score(f.score) : format_score(f.score));
  }
}

}  // namespace tcpkit::kv::cmd
