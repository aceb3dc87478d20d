// Sorted-set algebra: ZUNION ZINTER ZDIFF (WITHSCORES), ZUNIONSTORE ZINTERSTORE ZDIFFSTORE
// (WEIGHTS, AGGREGATE SUM|MIN|MAX), ZINTERCARD (LIMIT).
//
// As in Redis, the inputs of a union or an intersection are taken from the smallest to the
// largest (a stable sort by size), which decides the order in which floating-point sums are
// made; a sum that is NaN (inf + -inf) counts as 0, and so does a weighted score (0 * inf) in a
// union or the first input of an intersection (not the later ones: MIN/MAX then keep what they
// had, SUM makes NaN, so 0). An intersection
// walks its smallest input and looks each member up in the others: O(N*K) for N the smallest
// size and K inputs; a union is O(N) for N the total size, plus O(M log M) to sort its result.
//
// A plain set is read as a sorted set whose members all score 1, as Redis reads it (a copy,
// O(N) for its N members; see zset_input()); any other type is WRONGTYPE.

#include <algorithm>
#include <cmath>
#include <memory>
#include <unordered_map>

#include "kv/cmd_zsets.hpp"
#include "kv/set.hpp"

namespace tcpkit::kv::cmd {

namespace {

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

struct Input {
  SortedSet* zset = nullptr;            // nullptr: the key is absent (an empty input)
  std::shared_ptr<SortedSet> from_set;  // a plain set read as a sorted set (owns `zset`)
  double weight = 1;
  std::size_t size() const { return zset ? zset->size() : 0; }
};

struct SetOpArgs {
  std::vector<Input> inputs;
  Aggregate aggregate = Aggregate::kSum;
  bool with_scores = false;
  std::int64_t limit = 0;  // ZINTERCARD: 0 is no limit
};

// The input at `key`, false after WRONGTYPE. The one place that decides which types can be read
// as a sorted set.
bool zset_input(CommandContext& ctx, std::string_view key, Input& in) {
  KeyEntry* e = util::lookup_read(ctx, key);
  if (e == nullptr) return true;
  if (e->value.type == ValueType::kZset) {
    in.zset = &e->value.zset();
    return true;
  }
  if (e->value.type != ValueType::kSet) {
    ctx.error(KvError::kWrongType);
    return false;
  }
  // A set's members all score 1, as Redis reads them.
  std::vector<SortedSet::Element> members;
  members.reserve(e->value.set().size());
  e->value.set().for_each([&](std::string_view m) { members.push_back({1, std::string(m)}); });
  std::sort(
      members.begin(), members.end(),
      [](const SortedSet::Element& a, const SortedSet::Element& b) { return a.member < b.member; });
  in.from_set = std::make_shared<SortedSet>();
  in.from_set->assign_sorted(std::move(members), util::limits(ctx));
  in.zset = in.from_set.get();
  return true;
}

// Reads numkeys at args[at] and the keys after it; nullopt after replying an error.
std::optional<SetOpArgs> parse_keys(CommandContext& ctx, std::size_t at, std::string_view name) {
  auto numkeys = util::int_arg(ctx, ctx.args[at]);
  if (!numkeys) return std::nullopt;
  if (*numkeys < 1) return ctx.out.error(numkeys_needed_error(name)), std::nullopt;
  if (static_cast<std::uint64_t>(*numkeys) > ctx.args.size() - at - 1) {
    return ctx.error(KvError::kSyntax), std::nullopt;
  }
  SetOpArgs a;
  a.inputs.resize(static_cast<std::size_t>(*numkeys));
  for (std::size_t i = 0; i < a.inputs.size(); ++i) {
    if (!zset_input(ctx, ctx.args[at + 1 + i], a.inputs[i])) return std::nullopt;
  }
  return a;
}

std::optional<SetOpArgs> parse_setop(CommandContext& ctx, SetOp op, bool store,
                                     std::string_view name) {
  const std::size_t at = store ? 2 : 1;
  auto a = parse_keys(ctx, at, name);
  if (!a) return std::nullopt;
  const std::size_t n = a->inputs.size();
  for (std::size_t j = at + 1 + n; j < ctx.args.size(); ++j) {
    const std::size_t remaining = ctx.args.size() - j - 1;
    std::string_view opt = ctx.args[j];
    if (op != SetOp::kDiff && remaining >= n && iequals(opt, "weights")) {
      for (std::size_t i = 0; i < n; ++i) {
        auto w = parse_score(ctx.args[++j]);
        if (!w) return ctx.error(KvError::kWeightNotFloat), std::nullopt;
        a->inputs[i].weight = *w;
      }
    } else if (op != SetOp::kDiff && remaining >= 1 && iequals(opt, "aggregate")) {
      std::string_view how = ctx.args[++j];
      if (iequals(how, "sum")) {
        a->aggregate = Aggregate::kSum;
      } else if (iequals(how, "min")) {
        a->aggregate = Aggregate::kMin;
      } else if (iequals(how, "max")) {
        a->aggregate = Aggregate::kMax;
      } else {
        return ctx.error(KvError::kSyntax), std::nullopt;
      }
    } else if (!store && iequals(opt, "withscores")) {
      a->with_scores = true;
    } else {
      return ctx.error(KvError::kSyntax), std::nullopt;
    }
  }
  return a;
}

double weighted(double weight, double score) {
  const double v = weight * score;
  return std::isnan(v) ? 0 : v;
}

void aggregate_into(double& into, double v, Aggregate how) {
  switch (how) {
    case Aggregate::kSum:
      into += v;
      if (std::isnan(into)) into = 0;
      break;
    case Aggregate::kMin:
      into = std::min(into, v);
      break;
    case Aggregate::kMax:
      into = std::max(into, v);
      break;
  }
}

// Calls fn(member, score) for every element of `in`, ascending.
template <class Fn>
void for_each_element(const Input& in, Fn&& fn) {
  if (in.zset != nullptr && !in.zset->empty()) in.zset->for_ranks(0, in.zset->size(), false, fn);
}

std::vector<SortedSet::Element> compute_union(std::vector<Input>& inputs, Aggregate how) {
  std::unordered_map<std::string_view, double> acc;
  for (const Input& in : inputs) {
    for_each_element(in, [&](std::string_view member, double score) {
      const double v = weighted(in.weight, score);
      auto [it, fresh] = acc.try_emplace(member, v);
      if (!fresh) aggregate_into(it->second, v, how);
    });
  }
  std::vector<SortedSet::Element> out;
  out.reserve(acc.size());
  for (const auto& [member, score] : acc) out.push_back({score, std::string(member)});
  return out;
}

std::vector<SortedSet::Element> compute_inter(std::vector<Input>& inputs, Aggregate how) {
  std::vector<SortedSet::Element> out;
  if (inputs[0].size() == 0) return out;
  for_each_element(inputs[0], [&](std::string_view member, double score) {
    double acc = weighted(inputs[0].weight, score);
    for (std::size_t j = 1; j < inputs.size(); ++j) {
      auto other = inputs[j].zset ? inputs[j].zset->score(member) : std::nullopt;
      if (!other) return;
      // Unlike a union, Redis does not turn these products' NaN (0 * inf) into 0.
      aggregate_into(acc, inputs[j].weight * *other, how);
    }
    out.push_back({acc, std::string(member)});
  });
  return out;
}

std::vector<SortedSet::Element> compute_diff(std::vector<Input>& inputs) {
  std::vector<SortedSet::Element> out;
  for_each_element(inputs[0], [&](std::string_view member, double score) {
    for (std::size_t j = 1; j < inputs.size(); ++j) {
      if (inputs[j].zset && inputs[j].zset->score(member)) return;
    }
    out.push_back({score, std::string(member)});
  });
  return out;
}

// The result of `op`, sorted as a sorted set orders it.
std::vector<SortedSet::Element> compute(SetOpArgs& a, SetOp op) {
  std::vector<SortedSet::Element> out;
  if (op == SetOp::kDiff) {
    out = compute_diff(a.inputs);
  } else {
    std::stable_sort(a.inputs.begin(), a.inputs.end(),
                     [](const Input& x, const Input& y) { return x.size() < y.size(); });
    out = op == SetOp::kUnion ? compute_union(a.inputs, a.aggregate)
                              : compute_inter(a.inputs, a.aggregate);
  }
  std::sort(out.begin(), out.end(), [](const SortedSet::Element& x, const SortedSet::Element& y) {
    return zset_less(x.score, x.member, y.score, y.member);
  });
  return out;
}

void setop_reply(CommandContext& ctx, SetOp op, std::string_view name) {
  auto a = parse_setop(ctx, op, false, name);
  if (!a) return;
  zsets::reply_elements(ctx, compute(*a, op), a->with_scores);
}

void setop_store(CommandContext& ctx, SetOp op, std::string_view name) {
  auto a = parse_setop(ctx, op, true, name);
  if (!a) return;
  zsets::store_sorted(ctx, ctx.args[1], compute(*a, op),
                      op == SetOp::kUnion   ? "zunionstore"
                      : op == SetOp::kInter ? "zinterstore"
                                            : "zdiffstore");
}

}  // namespace

void zunion(CommandContext& ctx) { setop_reply(ctx, SetOp::kUnion, "zunion"); }
void zinter(CommandContext& ctx) { setop_reply(ctx, SetOp::kInter, "zinter"); }
void zdiff(CommandContext& ctx) { setop_reply(ctx, SetOp::kDiff, "zdiff"); }
void zunionstore(CommandContext& ctx) { setop_store(ctx, SetOp::kUnion, "zunionstore"); }
void zinterstore(CommandContext& ctx) { setop_store(ctx, SetOp::kInter, "zinterstore"); }
void zdiffstore(CommandContext& ctx) { setop_store(ctx, SetOp::kDiff, "zdiffstore"); }

void zintercard(CommandContext& ctx) {
  auto a = parse_keys(ctx, 1, "zintercard");
  if (!a) return;
  for (std::size_t j = 2 + a->inputs.size(); j < ctx.args.size(); ++j) {
    if (j + 1 < ctx.args.size() && iequals(ctx.args[j], "limit")) {
      auto limit = parse_int(ctx.args[++j]);
      if (!limit || *limit < 0) return ctx.error(KvError::kLimitNegative);
      a->limit = *limit;
    } else {
      return ctx.error(KvError::kSyntax);
    }
  }
  std::vector<Input>& inputs = a->inputs;
  std::stable_sort(inputs.begin(), inputs.end(),
                   [](const Input& x, const Input& y) { return x.size() < y.size(); });
  std::int64_t count = 0;
  if (inputs[0].size() > 0) {
    const SortedSet& smallest = *inputs[0].zset;
    for (std::size_t r = 0; r < smallest.size(); ++r) {
      // Walked by rank: O(log N) each in a skiplist, so the walk can stop at LIMIT.
      std::string_view member = smallest.at(r).first;
      bool everywhere = true;
      for (std::size_t j = 1; j < inputs.size() && everywhere; ++j) {
        everywhere = inputs[j].zset && inputs[j].zset->score(member);
      }
      if (everywhere && ++count == a->limit) break;
    }
  }
  ctx.out.integer(count);
}

}  // namespace tcpkit::kv::cmd
