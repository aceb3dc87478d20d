#pragma once
// Helpers shared by the sorted-set command files (cmd_zsets.cpp, cmd_zsets_range.cpp,
// cmd_zsets_setops.cpp): typed lookup, score replies, storing a result.

#include <string_view>
#include <vector>

#include "kv/cmd_util.hpp"
#include "kv/zset.hpp"

namespace tcpkit::kv::cmd::zsets {

inline util::Typed lookup_zset(CommandContext& ctx, std::string_view key, bool read) {
  return util::lookup_typed(ctx, key, ValueType::kZset, read);
}

// A score as Redis's addReplyDouble: a "%.17g" bulk string in RESP2, a double in RESP3.
inline void reply_score(CommandContext& ctx, double score) { ctx.out.double_value(score); }

// Replies `elements`: member, or member and score when `with_scores` — flat in RESP2, and in
// RESP3 (unless `flat`, ZPOPMIN/ZPOPMAX without a count) as [member, score] pairs, as Redis 7.0.
inline void reply_elements(CommandContext& ctx, const std::vector<SortedSet::Element>& elements,
                           bool with_scores, bool flat = false) {
  const bool nested = with_scores && !flat && ctx.resp3();
  ctx.out.array(elements.size() * (with_scores && !nested ? 2 : 1));
  for (const SortedSet::Element& e : elements) {
    if (nested) ctx.out.array(2);
    ctx.out.bulk(e.member);
    if (with_scores) reply_score(ctx, e.score);
  }
}

// Replaces `dst` (any type, TTL dropped) by a sorted set of `sorted` (ascending, distinct
// members), or deletes it when `sorted` is empty; replies the new size. `event`: the command's
// keyspace event ("zunionstore", ...; "del" when it deleted `dst`).
inline void store_sorted(CommandContext& ctx, std::string_view dst,
                         std::vector<SortedSet::Element> sorted, const char* event) {
  const auto size = static_cast<std::int64_t>(sorted.size());
  const bool existed = ctx.db().find(dst, ctx.now_ms) != nullptr;
  if (sorted.empty()) {
    if (existed) ctx.db().erase(dst);
    ctx.out.integer(0);
    if (existed) util::notify(ctx, kNotifyGeneric, "del", dst);
    return;
  }
  Value v = Value::new_zset();
  v.zset().assign_sorted(std::move(sorted), util::limits(ctx));
  ctx.db().replace(dst, std::move(v));
  ctx.out.integer(size);
  util::notify(ctx, kNotifyZset, event, dst);
}

}  // namespace tcpkit::kv::cmd::zsets
