// Commands over several sets: SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF
// SDIFFSTORE.
//
// Every source key is looked up (and type-checked: one WRONGTYPE fails the command) before any
// work; a missing key is an empty set. Redis's algorithm choices are kept because they decide
// what is replied and stored, not only the cost:
//
//   SINTER     iterates the smallest set and looks each member up in the others: O(N·K), N the
//              smallest set's size, K the number of keys. Its reply comes in that set's order
//              (ascending when it is an intset). SINTERCARD stops counting at LIMIT.
//   SUNION     adds every member of every set to a fresh set: O(total members).
//   SDIFF      algorithm 1 checks each member of the first set against the others (cost N·K/2,
//              the others sorted largest first); algorithm 2 copies the first set and removes the
//              others' members (cost: total members). The cheaper one runs, as in Redis; which
//              one ran decides whether the result is an intset.
//
// A result is built as a new set would be (intset until a non-integer or the 513th member), and
// SUNION/SDIFF reply in the result's order, so an intset result is ascending as in Redis.

#include <algorithm>
#include <optional>
#include <vector>

#include "kv/cmd_util.hpp"
#include "kv/set.hpp"

namespace tcpkit::kv::cmd {

namespace {

// The sets named by args[first, last); a missing key is nullptr. nullopt after WRONGTYPE, which
// stops the lookups at the first key of another type, as in Redis (later keys are not looked
// up: no "keymiss" for them).
std::optional<std::vector<Set*>> lookup_sets(CommandContext& ctx, std::size_t first,
                                             std::size_t last) {
  std::vector<Set*> sets;
  sets.reserve(last - first);
  for (std::size_t i = first; i < last; ++i) {
    KeyEntry* e = util::lookup_read(ctx, ctx.args[i]);
    if (e != nullptr && e->value.type != ValueType::kSet) {
      ctx.error(KvError::kWrongType);
      return std::nullopt;
    }
    sets.push_back(e != nullptr ? &e->value.set() : nullptr);
  }
  return sets;
}

bool any_missing(const std::vector<Set*>& sets) {
  return std::find(sets.begin(), sets.end(), nullptr) != sets.end();
}

// Calls fn(member) for every member of the intersection, in the smallest set's order, until fn
// returns false. `sets` has no nullptr.
template <class Fn>
void for_each_common(std::vector<Set*> sets, Fn&& fn) {
  std::stable_sort(sets.begin(), sets.end(),
                   [](const Set* a, const Set* b) { return a->size() < b->size(); });
  bool go_on = true;
  sets.front()->for_each([&](std::string_view m) {
    if (!go_on) return;
    for (std::size_t j = 1; j < sets.size(); ++j) {
      // The same key twice is the same set: it holds m, and a lookup must not rehash the set
      // being iterated.
      if (sets[j] != sets.front() && !sets[j]->contains(m)) return;
    }
    go_on = fn(m);
  });
}

Value intersection(const std::vector<Set*>& sets, const EncodingLimits& limits) {
  Value result = Value::new_set();
  if (any_missing(sets)) return result;
  for_each_common(sets, [&](std::string_view m) { return result.set().add(m, limits), true; });
  return result;
}

Value set_union(const std::vector<Set*>& sets, const EncodingLimits& limits) {
  Value result = Value::new_set();
  for (const Set* s : sets) {
    if (s != nullptr) s->for_each([&](std::string_view m) { result.set().add(m, limits); });
  }
  return result;
}

// Algorithm 1: the members of the first set found in none of the others.
void diff_by_lookup(std::vector<Set*> others, const Set& first, Set& result,
                    const EncodingLimits& limits) {
  std::stable_sort(others.begin(), others.end(),
                   [](const Set* a, const Set* b) { return a->size() > b->size(); });
  first.for_each([&](std::string_view m) {
    for (Set* s : others) {
      if (s == &first || s->contains(m)) return;
    }
    result.add(m, limits);
  });
}

// Algorithm 2: a copy of the first set minus the others' members.
void diff_by_removal(const std::vector<Set*>& others, const Set& first, Set& result,
                     const EncodingLimits& limits) {
  first.for_each([&](std::string_view m) { result.add(m, limits); });
  for (const Set* s : others) {
    if (result.empty()) return;
    s->for_each([&](std::string_view m) { result.erase(m); });
  }
}

Value difference(const std::vector<Set*>& sets, const EncodingLimits& limits) {
  Value result = Value::new_set();
  if (sets.front() == nullptr) return result;
  const Set& first = *sets.front();
  std::vector<Set*> others;
  std::uint64_t lookup_work = 0, removal_work = 0;
  for (std::size_t j = 0; j < sets.size(); ++j) {
    if (sets[j] == nullptr) continue;
    lookup_work += first.size();
    removal_work += sets[j]->size();
    if (j > 0) others.push_back(sets[j]);
  }
  if (lookup_work / 2 <= removal_work) {
    diff_by_lookup(others, first, result.set(), limits);
  } else {
    diff_by_removal(others, first, result.set(), limits);
  }
  return result;
}

void reply_set(CommandContext& ctx, const Value& result) {
  const Set& s = result.set();
  ctx.out.set(s.size());
  s.for_each([&](std::string_view m) { ctx.out.bulk(m); });
}

// Replaces args[1] by `result` (deletes it when the result is empty); replies the size.
// `event`: the command's keyspace event ("sinterstore", ...).
void store(CommandContext& ctx, Value result, const char* event) {
  const auto size = static_cast<std::int64_t>(result.set().size());
  if (size > 0) {
    ctx.db().replace(ctx.args[1], std::move(result));
    ctx.out.integer(size);
    return util::notify(ctx, kNotifySet, event, ctx.args[1]);
  }
  const bool deleted = ctx.db().erase(ctx.args[1]);
  ctx.out.integer(0);
  if (deleted) util::notify(ctx, kNotifyGeneric, "del", ctx.args[1]);
}

using Operation = Value (*)(const std::vector<Set*>&, const EncodingLimits&);

void read_generic(CommandContext& ctx, Operation op) {
  auto sets = lookup_sets(ctx, 1, ctx.args.size());
  if (sets) reply_set(ctx, op(*sets, util::limits(ctx)));
}

void store_generic(CommandContext& ctx, Operation op, const char* event) {
  auto sets = lookup_sets(ctx, 2, ctx.args.size());
  if (sets) store(ctx, op(*sets, util::limits(ctx)), event);
}

}  // namespace

void sinter(CommandContext& ctx) {
  auto sets = lookup_sets(ctx, 1, ctx.args.size());
  if (!sets) return;
  if (any_missing(*sets)) return ctx.out.set(0);
  // Straight from the smallest set, in its order (a result set would reorder a hashtable's).
  std::vector<std::string> common;
  for_each_common(*sets, [&](std::string_view m) { return common.emplace_back(m), true; });
  ctx.out.set(common.size());
  for (const std::string& m : common) ctx.out.bulk(m);
}

void sintercard(CommandContext& ctx) {
  auto numkeys = parse_int(ctx.args[1]);
  if (!numkeys || *numkeys <= 0) return ctx.error(KvError::kNumkeysNotPositive);
  if (static_cast<std::uint64_t>(*numkeys) > ctx.args.size() - 2) {
    return ctx.error(KvError::kNumkeysTooMany);
  }
  const std::size_t last = 2 + static_cast<std::size_t>(*numkeys);
  std::uint64_t limit = 0;  // 0: no limit
  for (std::size_t i = last; i < ctx.args.size(); i += 2) {
    if (!iequals(ctx.args[i], "limit") || i + 1 >= ctx.args.size()) {
      return ctx.error(KvError::kSyntax);
    }
    auto v = parse_int(ctx.args[i + 1]);
    if (!v || *v < 0) return ctx.error(KvError::kLimitNegative);
    limit = static_cast<std::uint64_t>(*v);
  }
  auto sets = lookup_sets(ctx, 2, last);
  if (!sets) return;
  std::uint64_t count = 0;
  if (!any_missing(*sets)) {
    for_each_common(*sets, [&](std::string_view) { return ++count != limit; });
  }
  ctx.out.integer(static_cast<std::int64_t>(count));
}

void sunion(CommandContext& ctx) { read_generic(ctx, set_union); }
void sdiff(CommandContext& ctx) { read_generic(ctx, difference); }
void sinterstore(CommandContext& ctx) { store_generic(ctx, intersection, "sinterstore"); }
void sunionstore(CommandContext& ctx) { store_generic(ctx, set_union, "sunionstore"); }
void sdiffstore(CommandContext& ctx) { store_generic(ctx, difference, "sdiffstore"); }

}  // namespace tcpkit::kv::cmd
