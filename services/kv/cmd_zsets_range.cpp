// Sorted-set range commands: ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES) ZRANGESTORE ZREVRANGE
// ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZCOUNT ZLEXCOUNT ZREMRANGEBYRANK
// ZREMRANGEBYSCORE ZREMRANGEBYLEX.
//
// Every range becomes a range of ranks first (O(log N) in a skiplist, a binary search in a
// listpack), so LIMIT's offset costs nothing: a reply of M elements is O(log N + M) whatever
// the offset, and so is a removal of M elements.
//
// Lex ranges assume all members have the same score, as Redis documents; with mixed scores the
// answer is some deterministic rank range (Redis's is unspecified too).

#include <algorithm>

#include "kv/cmd_zsets.hpp"

namespace tcpkit::kv::cmd {

using zsets::lookup_zset;

namespace {

enum class RangeKind { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

// A parsed ZRANGE-family request: which key, what range, how to reply.
struct RangeArgs {
  RangeKind kind = RangeKind::kRank;
  bool reverse = false;
  bool with_scores = false;
  std::int64_t offset = 0;
  std::int64_t limit = -1;  // negative: no limit
  std::int64_t start = 0, stop = 0;
  ScoreBound score_min, score_max;
  LexBound lex_min, lex_max;
};

// Parses the range at args[first] (min/start) and args[first + 1] (max/stop), then the options
// after them, as Redis's generic ZRANGE does for every variant: `kind` and `direction` preset by
// the command (kAuto: chosen by BYSCORE/BYLEX/REV), WITHSCORES refused when `store`.
std::optional<RangeArgs> parse_range(CommandContext& ctx, std::size_t first, RangeKind kind,
                                     Direction direction, bool store) {
  RangeArgs a;
  for (std::size_t j = first + 2; j < ctx.args.size(); ++j) {
    std::string_view opt = ctx.args[j];
    if (!store && iequals(opt, "withscores")) {
      a.with_scores = true;
    } else if (iequals(opt, "limit") && j + 2 < ctx.args.size()) {
      auto offset = util::int_arg(ctx, ctx.args[j + 1]);
      if (!offset) return std::nullopt;
      auto limit = util::int_arg(ctx, ctx.args[j + 2]);
      if (!limit) return std::nullopt;
      a.offset = *offset, a.limit = *limit;
      j += 2;
    } else if (direction == Direction::kAuto && iequals(opt, "rev")) {
      direction = Direction::kReverse;
    } else if (kind == RangeKind::kAuto && iequals(opt, "byscore")) {
      kind = RangeKind::kScore;
    } else if (kind == RangeKind::kAuto && iequals(opt, "bylex")) {
      kind = RangeKind::kLex;
    } else {
      return ctx.error(KvError::kSyntax), std::nullopt;
    }
  }
  if (kind == RangeKind::kAuto) kind = RangeKind::kRank;
  // Redis tells a LIMIT by its count alone: a rank range takes any "LIMIT offset -1" (and
  // ignores it).
  if (a.limit != -1 && kind == RangeKind::kRank) {
    return ctx.error(KvError::kLimitNeedsRange), std::nullopt;
  }
  if (a.with_scores && kind == RangeKind::kLex) {
    return ctx.error(KvError::kWithscoresBylex), std::nullopt;
  }
  a.kind = kind;
  a.reverse = direction == Direction::kReverse;
  std::string_view lo = ctx.args[first], hi = ctx.args[first + 1];
  if (a.reverse && kind != RangeKind::kRank) std::swap(lo, hi);  // REV takes max first
  if (kind == RangeKind::kRank) {
    auto start = util::int_arg(ctx, lo);
    if (!start) return std::nullopt;
    auto stop = util::int_arg(ctx, hi);
    if (!stop) return std::nullopt;
    a.start = *start, a.stop = *stop;
  } else if (kind == RangeKind::kScore) {
    auto min = parse_score_bound(lo), max = parse_score_bound(hi);
    if (!min || !max) return ctx.error(KvError::kMinMaxNotFloat), std::nullopt;
    a.score_min = *min, a.score_max = *max;
  } else {
    auto min = parse_lex_bound(lo), max = parse_lex_bound(hi);
    if (!min || !max) return ctx.error(KvError::kMinMaxNotLex), std::nullopt;
    a.lex_min = *min, a.lex_max = *max;
  }
  return a;
}

// Ranks [first, last) of an index range start..stop (negative from the end), clamped as Redis
// clamps them.
std::pair<std::size_t, std::size_t> index_ranks(std::int64_t start, std::int64_t stop,
                                                std::size_t size) {
  const auto n = static_cast<std::int64_t>(size);
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > stop || start >= n) return {0, 0};
  if (stop >= n) stop = n - 1;
  return {static_cast<std::size_t>(start), static_cast<std::size_t>(stop) + 1};
}

// The elements a parsed range selects, in reply order.
std::vector<SortedSet::Element> select_range(const SortedSet& z, const RangeArgs& a) {
  std::vector<SortedSet::Element> out;
  auto collect = [&](std::string_view member, double score) {
    out.push_back({score, std::string(member)});
  };
  if (a.kind == RangeKind::kRank) {
    auto [first, last] = index_ranks(a.start, a.stop, z.size());
    if (first == last) return out;
    // REV counts ranks from the highest element.
    out.reserve(last - first);
    z.for_ranks(a.reverse ? z.size() - 1 - first : first, last - first, a.reverse, collect);
    return out;
  }
  auto [first, last] = a.kind == RangeKind::kScore ? z.score_ranks(a.score_min, a.score_max)
                                                   : z.lex_ranks(a.lex_min, a.lex_max);
  const std::size_t span = last - first;
  if (a.offset < 0 || static_cast<std::uint64_t>(a.offset) >= span) return out;
  std::size_t count = span - static_cast<std::size_t>(a.offset);
  if (a.limit >= 0) count = std::min(count, static_cast<std::size_t>(a.limit));
  if (count == 0) return out;
  out.reserve(count);
  const std::size_t begin = a.reverse ? last - 1 - static_cast<std::size_t>(a.offset)
                                      : first + static_cast<std::size_t>(a.offset);
  z.for_ranks(begin, count, a.reverse, collect);
  return out;
}

// Redis 7.0's ZRANGESTORE adds the range one element at a time (in `emitted` order) to a
// listpack — for a score or lex range, or a rank range of at most zset-max-listpack-entries —
// which turns into a skiplist at the first element that does not fit (one too many, or a
// member too long). A listpack keeps a score of -0 as 0, so the elements added before that
// point lose the sign of a -0 score; those added after keep it. (When all of them fit, the
// result is a listpack and assign_sorted() clears every -0.)
void keep_listpack_zeros(std::vector<SortedSet::Element>& emitted, bool by_score_or_lex,
                         const EncodingLimits& limits) {
  const auto max_entries = static_cast<std::uint64_t>(limits.zset_max_listpack_entries);
  const auto max_value = static_cast<std::uint64_t>(limits.zset_max_listpack_value);
  if (!by_score_or_lex && emitted.size() > max_entries) return;  // a skiplist from the start
  for (std::size_t i = 0; i < emitted.size(); ++i) {
    if (i >= max_entries || emitted[i].member.size() > max_value) return;
    if (emitted[i].score == 0) emitted[i].score = 0;
  }
}

void range_generic(CommandContext& ctx, RangeKind kind, Direction direction) {
  auto a = parse_range(ctx, 2, kind, direction, false);
  if (!a) return;
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], true);
  if (!ok) return;
  if (e == nullptr) return ctx.out.array(0);
  zsets::reply_elements(ctx, select_range(e->value.zset(), *a), a->with_scores);
}

}  // namespace

void zrange(CommandContext& ctx) { range_generic(ctx, RangeKind::kAuto, Direction::kAuto); }
void zrevrange(CommandContext& ctx) { range_generic(ctx, RangeKind::kRank, Direction::kReverse); }
void zrangebyscore(CommandContext& ctx) {
  range_generic(ctx, RangeKind::kScore, Direction::kForward);
}
void zrevrangebyscore(CommandContext& ctx) {
  range_generic(ctx, RangeKind::kScore, Direction::kReverse);
}
void zrangebylex(CommandContext& ctx) { range_generic(ctx, RangeKind::kLex, Direction::kForward); }
void zrevrangebylex(CommandContext& ctx) {
  range_generic(ctx, RangeKind::kLex, Direction::kReverse);
}

void zrangestore(CommandContext& ctx) {
  auto a = parse_range(ctx, 3, RangeKind::kAuto, Direction::kAuto, true);
  if (!a) return;
  auto [e, ok] = lookup_zset(ctx, ctx.args[2], true);
  if (!ok) return;
  std::vector<SortedSet::Element> selected;
  if (e != nullptr) selected = select_range(e->value.zset(), *a);
  keep_listpack_zeros(selected, a->kind != RangeKind::kRank, util::limits(ctx));
  if (a->reverse) std::reverse(selected.begin(), selected.end());
  zsets::store_sorted(ctx, ctx.args[1], std::move(selected), "zrangestore");
}

void zcount(CommandContext& ctx) {
  auto min = parse_score_bound(ctx.args[2]), max = parse_score_bound(ctx.args[3]);
  if (!min || !max) return ctx.error(KvError::kMinMaxNotFloat);
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], true);
  if (!ok) return;
  if (e == nullptr) return ctx.out.integer(0);
  auto [first, last] = e->value.zset().score_ranks(*min, *max);
  ctx.out.integer(static_cast<std::int64_t>(last - first));
}

void zlexcount(CommandContext& ctx) {
  auto min = parse_lex_bound(ctx.args[2]), max = parse_lex_bound(ctx.args[3]);
  if (!min || !max) return ctx.error(KvError::kMinMaxNotLex);
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], true);
  if (!ok) return;
  if (e == nullptr) return ctx.out.integer(0);
  auto [first, last] = e->value.zset().lex_ranks(*min, *max);
  ctx.out.integer(static_cast<std::int64_t>(last - first));
}

namespace {

// Removes ranks [first, last) of the set at `e` and replies how many went; `event` names the
// command ("zremrangebyrank", ...).
void remove_ranks(CommandContext& ctx, KeyEntry* e, std::size_t first, std::size_t last,
                  const char* event) {
  bool kept = true;
  if (first < last) {
    kept = ctx.db().change(e, [&](Value& v) { v.zset().erase_ranks(first, last - first); });
  }
  ctx.out.integer(static_cast<std::int64_t>(last - first));
  if (first == last) return;
  util::notify_removed(ctx, kNotifyZset, event, ctx.args[1], kept);
}

}  // namespace

void zremrangebyrank(CommandContext& ctx) {
  auto start = util::int_arg(ctx, ctx.args[2]);
  if (!start) return;
  auto stop = util::int_arg(ctx, ctx.args[3]);
  if (!stop) return;
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], false);
  if (!ok) return;
  if (e == nullptr) return ctx.out.integer(0);
  auto [first, last] = index_ranks(*start, *stop, e->value.zset().size());
  remove_ranks(ctx, e, first, last, "zremrangebyrank");
}

void zremrangebyscore(CommandContext& ctx) {
  auto min = parse_score_bound(ctx.args[2]), max = parse_score_bound(ctx.args[3]);
  if (!min || !max) return ctx.error(KvError::kMinMaxNotFloat);
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], false);
  if (!ok) return;
  if (e == nullptr) return ctx.out.integer(0);
  auto [first, last] = e->value.zset().score_ranks(*min, *max);
  remove_ranks(ctx, e, first, last, "zremrangebyscore");
}

void zremrangebylex(CommandContext& ctx) {
  auto min = parse_lex_bound(ctx.args[2]), max = parse_lex_bound(ctx.args[3]);
  if (!min || !max) return ctx.error(KvError::kMinMaxNotLex);
  auto [e, ok] = lookup_zset(ctx, ctx.args[1], false);
  if (!ok) return;
  if (e == nullptr) return ctx.out.integer(0);
  auto [first, last] = e->value.zset().lex_ranks(*min, *max);
  remove_ranks(ctx, e, first, last, "zremrangebylex");
}

}  // namespace tcpkit::kv::cmd
