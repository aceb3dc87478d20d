// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common subsequence
// of two string values (lcs.hpp has the algorithm and its cost). A missing key is an empty
// string.

#include "kv/cmd_util.hpp"
#include "kv/lcs.hpp"

namespace tcpkit::kv::cmd {

namespace {

struct LcsOptions {
  bool len = false, idx = false, with_match_len = false;
  std::uint64_t min_match_len = 0;
};

std::optional<LcsOptions> parse_lcs_options(CommandContext& ctx) {
  LcsOptions opts;
  for (std::size_t i = 3; i < ctx.args.size(); ++i) {
    const std::string_view a = ctx.args[i];
    if (iequals(a, "idx")) {
      opts.idx = true;
    } else if (iequals(a, "len")) {
      opts.len = true;
    } else if (iequals(a, "withmatchlen")) {
      opts.with_match_len = true;
    } else if (iequals(a, "minmatchlen") && i + 1 < ctx.args.size()) {
      auto n = util::int_arg(ctx, ctx.args[++i]);
      if (!n) return std::nullopt;
      opts.min_match_len = *n < 0 ? 0 : static_cast<std::uint64_t>(*n);
    } else {
      return ctx.error(KvError::kSyntax), std::nullopt;
    }
  }
  if (opts.len && opts.idx) return ctx.error(KvError::kLcsLenAndIdx), std::nullopt;
  return opts;
}

// The values of LCS's two keys ("" when missing); false after replying when either holds
// another type. Both are looked up before either is checked, as in Redis (a missing second key
// is a "keymiss" even when the first is of the wrong type).
bool lcs_operands(CommandContext& ctx, std::string_view& a, std::string_view& b) {
  KeyEntry* ea = util::lookup_read(ctx, ctx.args[1]);
  KeyEntry* eb = util::lookup_read(ctx, ctx.args[2]);
  for (KeyEntry* e : {ea, eb}) {
    if (e != nullptr && e->value.type != ValueType::kString) {
      ctx.error(KvError::kLcsNotStrings);
      return false;
    }
  }
  a = ea != nullptr ? std::string_view(ea->value.str) : std::string_view();
  b = eb != nullptr ? std::string_view(eb->value.str) : std::string_view();
  return true;
}

void reply_matches(CommandContext& ctx, const lcs::Result& r, bool with_match_len) {
  ctx.out.map(2);
  ctx.out.bulk("matches");
  ctx.out.array(r.matches.size());
  for (const lcs::Match& m : r.matches) {
    ctx.out.array(with_match_len ? 3 : 2);
    ctx.out.array(2);
    ctx.out.integer(static_cast<std::int64_t>(m.a_first));
    ctx.out.integer(static_cast<std::int64_t>(m.a_last));
    ctx.out.array(2);
    ctx.out.integer(static_cast<std::int64_t>(m.b_first));
    ctx.out.integer(static_cast<std::int64_t>(m.b_last));
    if (with_match_len) ctx.out.integer(static_cast<std::int64_t>(m.size()));
  }
  ctx.out.bulk("len");
  ctx.out.integer(static_cast<std::int64_t>(r.length));
}

}  // namespace

void lcs(CommandContext& ctx) {
  std::string_view a, b;
  if (!lcs_operands(ctx, a, b)) return;
  auto opts = parse_lcs_options(ctx);
  if (!opts) return;
  if (!lcs::fits(a.size(), b.size(), ctx.service.config().max_bulk_length)) {
    return ctx.error(KvError::kLcsTooBig);
  }
  if (opts->len) return ctx.out.integer(static_cast<std::int64_t>(lcs::length(a, b)));
  const lcs::Result r = lcs::compute(a, b, opts->min_match_len);
  if (opts->idx) return reply_matches(ctx, r, opts->with_match_len);
  ctx.out.bulk(r.common);
}

}  // namespace tcpkit::kv::cmd
