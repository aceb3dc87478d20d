// List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM LTRIM
// LPOS LMOVE RPOPLPUSH LMPOP.
//
// Indexes follow Redis: a negative index counts from the tail (-1 is the last element). The
// handlers normalize them (element_index, element_range), so List only sees valid positions.
// The order of the checks (arguments, then the key's type, or the reverse) is Redis 7.0's for
// each command, because it decides which error a client sees.

#include <algorithm>
#include <vector>

#include "kv/cmd_util.hpp"
#include "kv/list.hpp"

namespace tcpkit::kv::cmd {

namespace {

enum class End { kLeft, kRight };

std::optional<End> parse_end(std::string_view s) {
  if (iequals(s, "left")) return End::kLeft;
  if (iequals(s, "right")) return End::kRight;
  return std::nullopt;
}

void push(List& l, End end, std::string_view s, const EncodingLimits& limits) {
  end == End::kLeft ? l.push_front(s, limits) : l.push_back(s, limits);
}
std::string pop(List& l, End end) { return end == End::kLeft ? l.pop_front() : l.pop_back(); }
std::int64_t length(const List& l) { return static_cast<std::int64_t>(l.size()); }

// LINDEX/LSET: a negative index counts from the tail; nullopt when out of range.
std::optional<std::size_t> element_index(std::int64_t index, std::size_t size) {
  const auto n = static_cast<std::int64_t>(size);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return std::nullopt;
  return static_cast<std::size_t>(index);
}

// LRANGE/LTRIM: [start, end] with negative ends from the tail, clamped; nullopt when empty.
struct Range {
  std::size_t first, last;
};
std::optional<Range> element_range(std::int64_t start, std::int64_t end, std::size_t size) {
  const auto n = static_cast<std::int64_t>(size);
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (start > end || start >= n) return std::nullopt;
  if (end >= n) end = n - 1;
  return Range{static_cast<std::size_t>(start), static_cast<std::size_t>(end)};
}

void reply_strings(CommandContext& ctx, const std::vector<std::string>& items) {
  ctx.out.array(items.size());
  for (const std::string& s : items) ctx.out.bulk(s);
}

const char* pop_event(End end) { return end == End::kLeft ? "lpop" : "rpop"; }
const char* push_event(End end) { return end == End::kLeft ? "lpush" : "rpush"; }

// Pops up to `count` elements from one end of the list `key` at `e` (deleting an emptied key).
std::vector<std::string> pop_many(CommandContext& ctx, KeyEntry* e, std::string_view key, End end,
                                  std::int64_t count) {
  std::vector<std::string> popped;
  const bool kept = ctx.db().change(e, [&](Value& v) {
    List& l = v.list();
    const auto n = std::min(static_cast<std::size_t>(count), l.size());
    popped.reserve(n);
    for (std::size_t i = 0; i < n; ++i) popped.push_back(pop(l, end));
  });
  util::notify_removed(ctx, kNotifyList, pop_event(end), key, kept);
  return popped;
}

void push_generic(CommandContext& ctx, End end, bool only_existing) {
  auto [e, ok] = util::lookup_typed(ctx, ctx.args[1], ValueType::kList, false);
  if (!ok) return;
  if (e == nullptr) {
    if (only_existing) return ctx.out.integer(0);
    e = ctx.db().add(ctx.args[1], Value::new_list());
  }
  std::int64_t len = 0;
  ctx.db().change(e, [&](Value& v) {
    for (std::size_t i = 2; i < ctx.args.size(); ++i)
      push(v.list(), end, ctx.args[i], util::limits(ctx));
    len = length(v.list());
  });
  ctx.out.integer(len);
  util::notify(ctx, kNotifyList, push_event(end), ctx.args[1]);
}

void pop_generic(CommandContext& ctx, End end) {
  if (ctx.args.size() > 3) return ctx.out.error(arity_error(end == End::kLeft ? "lpop" : "rpop"));
  std::optional<std::int64_t> count;
  if (ctx.args.size() == 3) {
    count = parse_int(ctx.args[2]);
    if (!count || *count < 0) return ctx.error(KvError::kCountOutOfRange);
  }
  auto [e, ok] = util::lookup_typed(ctx, ctx.args[1], ValueType::kList, false);
  if (!ok) return;
  if (e == nullptr) return count ? ctx.out.null_array() : ctx.out.null();
  if (!count) return ctx.out.bulk(pop_many(ctx, e, ctx.args[1], end, 1).front());
  if (*count == 0) return ctx.out.array(0);
  reply_strings(ctx, pop_many(ctx, e, ctx.args[1], end, *count));
}

// LMOVE and RPOPLPUSH: the destination's type is checked before anything is popped.
void move_generic(CommandContext& ctx, End from, End to) {
  Database& db = ctx.db();
  auto [src, ok] = util::lookup_typed(ctx, ctx.args[1], ValueType::kList, false);
  if (!ok) return;
  if (src == nullptr) return ctx.out.null();
  auto [dst, dst_ok] = util::lookup_typed(ctx, ctx.args[2], ValueType::kList, false);
  if (!dst_ok) return;
  std::string moved;
  if (src == dst) {
    db.change(src, [&](Value& v) {
      moved = pop(v.list(), from);
      push(v.list(), to, moved, util::limits(ctx));
    });
    ctx.out.bulk(moved);
    util::notify(ctx, kNotifyList, push_event(to), ctx.args[2]);
    return util::notify(ctx, kNotifyList, pop_event(from), ctx.args[1]);
  }
  const bool kept = db.change(src, [&](Value& v) { moved = pop(v.list(), from); });
  if (dst == nullptr) dst = db.add(ctx.args[2], Value::new_list());
  db.change(dst, [&](Value& v) { push(v.list(), to, moved, util::limits(ctx)); });
  ctx.out.bulk(moved);
  // Redis's order: the push on the destination, then the pop on the source.
  util::notify(ctx, kNotifyList, push_event(to), ctx.args[2]);
  util::notify_removed(ctx, kNotifyList, pop_event(from), ctx.args[1], kept);
}

}  // namespace

void lpush(CommandContext& ctx) { push_generic(ctx, End::kLeft, false); }
void rpush(CommandContext& ctx) { push_generic(ctx, End::kRight, false); }
void lpushx(CommandContext& ctx) { push_generic(ctx, End::kLeft, true); }
void rpushx(CommandContext& ctx) { push_generic(ctx, End::kRight, true); }
void lpop(CommandContext& ctx) { pop_generic(ctx, End::kLeft); }
void rpop(CommandContext& ctx) { pop_generic(ctx, End::kRight); }

void llen(CommandContext& ctx) {
  auto [e, ok] = util::lookup_typed(ctx, ctx.args[1], ValueType::kList, true);
  if (ok) ctx.out.integer(e ? length(e->value.list()) : 0);
}

void lrange(CommandContext& ctx) {
  auto start = util::int_arg(ctx, ctx.args[2]);
  if (!start) return;
  auto end = util::int_arg(ctx, ctx.args[3]);
  if (!end) return;
  auto [e, ok] = util::lookup_typed(ctx, ctx.args[1], ValueType::kList, true);
  if (!ok) return;
  if (e == nullptr) return ctx.out.array(0);
  const List& l = e->value.list();
  auto range = element_range(*start, *end, l.size());
  if (!range) return ctx.out.array(0);
  ctx.out.array(range->last - range->first + 1);
  l.scan(range->first, false, [&](std::size_t i, std::string_view s) {
    ctx.out.bulk(s);
    return i < range->last;
  });
}

void lindex(CommandContext& ctx) {
  auto [e, ok] = util::lookup_typed(ctx, ctx.args[1], ValueType::kList, true);
  if (!ok) return;
  if (e == nullptr) return ctx.out.null();
  auto index = util::int_arg(ctx, ctx.args[2]);
  if (!index) return;
  const List& l = e->value.list();
  auto i = element_index(*index, l.size());
  i ? ctx.out.bulk(l.at(*i)) : ctx.out.null();
}

void lset(CommandContext& ctx) {
  auto [e, ok] = util::lookup_typed(ctx, ctx.args[1], ValueType::kList, false);
  if (!ok) return;
  if (e == nullptr) return ctx.error(KvError::kNoSuchKey);
  auto index = util::int_arg(ctx, ctx.args[2]);
  if (!index) return;
  auto i = element_index(*index, e->value.list().size());
  if (!i) return ctx.error(KvError::kIndexOutOfRange);
  ctx.db().change(e, [&](Value& v) { v.list().set(*i, ctx.args[3], util::limits(ctx)); });
  ctx.ok();
  util::notify(ctx, kNotifyList, "lset", ctx.args[1]);
}

void linsert(CommandContext& ctx) {
  const bool after = iequals(ctx.args[2], "after");
  if (!after && !iequals(ctx.args[2], "before")) return ctx.error(KvError::kSyntax);
  auto [e, ok] = util::lookup_typed(ctx, ctx.args[1], ValueType::kList, false);
  if (!ok) return;
  if (e == nullptr) return ctx.out.integer(0);
  const List& l = e->value.list();
  std::size_t pivot = l.size();
  l.scan(0, false, [&](std::size_t i, std::string_view s) {
    if (s == ctx.args[3]) pivot = i;
    return s != ctx.args[3];
  });
  if (pivot == l.size()) return ctx.out.integer(-1);
  std::int64_t len = 0;
  ctx.db().change(e, [&](Value& v) {
    v.list().insert(pivot + (after ? 1 : 0), ctx.args[4], util::limits(ctx));
    len = length(v.list());
  });
  ctx.out.integer(len);
  util::notify(ctx, kNotifyList, "linsert", ctx.args[1]);
}

void lrem(CommandContext& ctx) {
  auto count = util::int_arg(ctx, ctx.args[2]);
  if (!count) return;
  auto [e, ok] = util::lookup_typed(ctx, ctx.args[1], ValueType::kList, false);
  if (!ok) return;
  if (e == nullptr) return ctx.out.integer(0);
  const bool from_tail = *count < 0;
  const std::uint64_t magnitude =
      from_tail ? 0 - static_cast<std::uint64_t>(*count) : static_cast<std::uint64_t>(*count);
  std::size_t removed = 0;
  const bool kept = ctx.db().change(e, [&](Value& v) {
    removed = v.list().remove(ctx.args[3], static_cast<std::size_t>(magnitude), from_tail);
  });
  ctx.out.integer(static_cast<std::int64_t>(removed));
  if (removed > 0) util::notify_removed(ctx, kNotifyList, "lrem", ctx.args[1], kept);
}

void ltrim(CommandContext& ctx) {
  auto start = util::int_arg(ctx, ctx.args[2]);
  if (!start) return;
  auto end = util::int_arg(ctx, ctx.args[3]);
  if (!end) return;
  auto [e, ok] = util::lookup_typed(ctx, ctx.args[1], ValueType::kList, false);
  if (!ok) return;
  if (e != nullptr) {
    auto range = element_range(*start, *end, e->value.list().size());
    const bool kept = ctx.db().change(e, [&](Value& v) {
      range ? v.list().keep_range(range->first, range->last) : v.list().clear();
    });
    ctx.ok();
    return util::notify_removed(ctx, kNotifyList, "ltrim", ctx.args[1], kept);
  }
  ctx.ok();
}

namespace {

// LPOS's options; count is absent unless COUNT was given (it changes the reply's shape).
struct LposArgs {
  std::int64_t rank = 1;
  std::optional<std::int64_t> count;
  std::int64_t maxlen = 0;
};

std::optional<LposArgs> parse_lpos(CommandContext& ctx) {
  LposArgs a;
  for (std::size_t i = 3; i < ctx.args.size(); ++i) {
    const std::string_view opt = ctx.args[i];
    const bool more = i + 1 < ctx.args.size();
    if (iequals(opt, "rank") && more) {
      auto rank = util::int_arg(ctx, ctx.args[++i]);
      if (!rank) return std::nullopt;
      if (*rank == 0) return ctx.error(KvError::kRankZero), std::nullopt;
      a.rank = *rank;
    } else if ((iequals(opt, "count") || iequals(opt, "maxlen")) && more) {
      const bool is_count = iequals(opt, "count");
      auto n = parse_int(ctx.args[++i]);
      if (!n || *n < 0) {
        return ctx.error(is_count ? KvError::kCountNegative : KvError::kMaxlenNegative),
               std::nullopt;
      }
      is_count ? a.count = *n : a.maxlen = *n;
    } else {
      return ctx.error(KvError::kSyntax), std::nullopt;
    }
  }
  return a;
}

// The indexes (from the head) of the matches LPOS reports, scanning from the tail when the
// rank is negative, comparing at most maxlen elements.
std::vector<std::int64_t> lpos_matches(const List& l, std::string_view element, const LposArgs& a) {
  const bool from_tail = a.rank < 0;
  // RANK -9223372036854775808 behaves as -1 in Redis 7.0 (its negation overflows).
  const std::uint64_t skip =
      from_tail ? (a.rank == INT64_MIN ? 0 : static_cast<std::uint64_t>(-a.rank) - 1)
                : static_cast<std::uint64_t>(a.rank) - 1;
  const std::uint64_t wanted = a.count ? static_cast<std::uint64_t>(*a.count) : 1;
  const std::size_t n = l.size();
  const std::size_t limit = a.maxlen == 0 ? n : std::min(n, static_cast<std::size_t>(a.maxlen));
  std::vector<std::int64_t> found;
  if (n == 0) return found;
  std::uint64_t matches = 0;
  std::size_t compared = 0;
  l.scan(from_tail ? n - 1 : 0, from_tail, [&](std::size_t i, std::string_view s) {
    if (compared++ == limit) return false;
    if (s != element || ++matches <= skip) return true;
    found.push_back(static_cast<std::int64_t>(i));
    return wanted == 0 || found.size() < wanted;
  });
  return found;
}

}  // namespace

void lpos(CommandContext& ctx) {
  auto a = parse_lpos(ctx);
  if (!a) return;
  auto [e, ok] = util::lookup_typed(ctx, ctx.args[1], ValueType::kList, true);
  if (!ok) return;
  if (e == nullptr) return a->count ? ctx.out.array(0) : ctx.out.null();
  const std::vector<std::int64_t> found = lpos_matches(e->value.list(), ctx.args[2], *a);
  if (!a->count) return found.empty() ? ctx.out.null() : ctx.out.integer(found.front());
  ctx.out.array(found.size());
  for (std::int64_t i : found) ctx.out.integer(i);
}

void lmove(CommandContext& ctx) {
  auto from = parse_end(ctx.args[3]);
  auto to = parse_end(ctx.args[4]);
  if (!from || !to) return ctx.error(KvError::kSyntax);
  move_generic(ctx, *from, *to);
}

void rpoplpush(CommandContext& ctx) { move_generic(ctx, End::kRight, End::kLeft); }

namespace {

// LMPOP numkeys key... LEFT|RIGHT [COUNT n] with numkeys at args[first]; BLMPOP has its
// timeout before it (first = 2) and blocks when every list is empty.
void mpop_generic(CommandContext& ctx, std::size_t first,
                  std::optional<std::chrono::steady_clock::time_point> deadline) {
  const auto a =
      util::parse_mpop(ctx, first, [](std::string_view w) { return parse_end(w).has_value(); });
  if (!a) return;
  const End end = *parse_end(a->where);
  const auto count = a->count;
  auto keys = a->keys;
  if (ctx.serving != nullptr) keys = {ctx.serving, 1};
  for (std::string_view key : keys) {
    auto [e, ok] = util::lookup_typed(ctx, key, ValueType::kList, false);
    if (!ok) return;
    if (e == nullptr) continue;
    ctx.out.array(2);
    ctx.out.bulk(key);
    return reply_strings(ctx, pop_many(ctx, e, key, end, count.value_or(1)));
  }
  if (ctx.serving != nullptr) return;
  if (first == 1) return ctx.out.null_array();  // LMPOP never blocks
  block_or_null(ctx, keys, ValueType::kList, deadline, false);
}

// BLPOP/BRPOP key... timeout.
void blocking_pop(CommandContext& ctx, End end) {
  std::string error;
  const auto deadline = parse_block_timeout(ctx.args.back(), error);
  if (!deadline) return ctx.out.error(error);
  auto keys = ctx.args.subspan(1, ctx.args.size() - 2);
  if (ctx.serving != nullptr) keys = {ctx.serving, 1};
  for (std::string_view key : keys) {
    auto [e, ok] = util::lookup_typed(ctx, key, ValueType::kList, false);
    if (!ok) return;
    if (e == nullptr) continue;
    ctx.out.array(2);
    ctx.out.bulk(key);
    return ctx.out.bulk(pop_many(ctx, e, key, end, 1).front());
  }
  if (ctx.serving != nullptr) return;
  block_or_null(ctx, keys, ValueType::kList, *deadline, false);
}

// BLMOVE/BRPOPLPUSH source destination ... timeout.
void blocking_move(CommandContext& ctx, End from, End to) {
  std::string error;
  const auto deadline = parse_block_timeout(ctx.args.back(), error);
  if (!deadline) return ctx.out.error(error);
  auto [src, ok] = util::lookup_typed(ctx, ctx.args[1], ValueType::kList, false);
  if (!ok) return;
  if (src != nullptr) return move_generic(ctx, from, to);
  if (ctx.serving != nullptr) return;
  block_or_null(ctx, ctx.args.subspan(1, 1), ValueType::kList, *deadline, true, ctx.args[2]);
}

}  // namespace

void lmpop(CommandContext& ctx) { mpop_generic(ctx, 1, std::nullopt); }

void blmpop(CommandContext& ctx) {
  std::string error;
  const auto deadline = parse_block_timeout(ctx.args[1], error);
  if (!deadline) return ctx.out.error(error);
  mpop_generic(ctx, 2, *deadline);
}

void blpop(CommandContext& ctx) { blocking_pop(ctx, End::kLeft); }
void brpop(CommandContext& ctx) { blocking_pop(ctx, End::kRight); }
void brpoplpush(CommandContext& ctx) { blocking_move(ctx, End::kRight, End::kLeft); }

void blmove(CommandContext& ctx) {
  auto from = parse_end(ctx.args[3]);
  auto to = parse_end(ctx.args[4]);
  if (!from || !to) return ctx.error(KvError::kSyntax);
  blocking_move(ctx, *from, *to);
}

}  // namespace tcpkit::kv::cmd
