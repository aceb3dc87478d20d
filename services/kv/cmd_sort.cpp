// SORT and SORT_RO: sort the elements of a list, set or sorted set, numerically or ALPHA,
// optionally by the values of other keys (BY pattern), returning them or other keys' values
// (GET pattern), a LIMIT window of the result, or a list stored at another key (STORE).
//
// Redis 7.0's rules, checked against redis-server:
// - Options are parsed before the key is looked up, so a syntax error wins over WRONGTYPE.
// - A pattern's first '*' in its key part is replaced by the element; "key->field" reads a
//   hash field; "#" is the element itself. A GET pattern without '*' yields nil; a BY pattern
//   without '*' ("nosort" by convention) means "do not sort": the elements keep their natural
//   order (list order, sorted-set order), reversed by DESC. A set sorted with STORE is sorted
//   ALPHA anyway, so the stored list is deterministic.
// - Numeric sorting parses each element (or its BY value) as strtod does, the whole string;
//   a missing BY value counts as 0; equal scores order by the elements' bytes.
// - ALPHA compares as strcoll does in the C locale (bytes up to the first NUL; equal strings
//   keep their order, as glibc's qsort keeps it), or by all the bytes with STORE; with BY, a
//   missing value sorts first. (Redis collates in the locale it was started in.)
//
// Cost: O(N + N log N) for N elements, plus one key lookup per element per pattern.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

#include "kv/cmd_util.hpp"
#include "kv/hash.hpp"
#include "kv/list.hpp"
#include "kv/set.hpp"
#include "kv/zset.hpp"

namespace tcpkit::kv::cmd {

namespace {

struct SortOptions {
  bool desc = false;
  bool alpha = false;
  bool dontsort = false;
  std::optional<std::string_view> by;
  std::vector<std::string_view> gets;
  std::int64_t offset = 0;
  std::int64_t count = -1;
  std::optional<std::string_view> store;
};

// Parses SORT's options; nullopt after replying the error.
std::optional<SortOptions> parse_sort_options(CommandContext& ctx, bool read_only) {
  SortOptions o;
  const auto& args = ctx.args;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::size_t left = args.size() - i - 1;
    std::string_view a = args[i];
    if (iequals(a, "asc")) {
      o.desc = false;
    } else if (iequals(a, "desc")) {
      o.desc = true;
    } else if (iequals(a, "alpha")) {
      o.alpha = true;
    } else if (iequals(a, "limit") && left >= 2) {
      auto offset = util::int_arg(ctx, args[i + 1]);
      if (!offset) return std::nullopt;
      auto count = util::int_arg(ctx, args[i + 2]);
      if (!count) return std::nullopt;
      o.offset = *offset;
      o.count = *count;
      i += 2;
    } else if (iequals(a, "store") && left >= 1 && !read_only) {
      o.store = args[++i];
    } else if (iequals(a, "by") && left >= 1) {
      o.by = args[++i];
      if (o.by->find('*') == std::string_view::npos) o.dontsort = true;
    } else if (iequals(a, "get") && left >= 1) {
      o.gets.push_back(args[++i]);
    } else {
      ctx.error(KvError::kSyntax);
      return std::nullopt;
    }
  }
  return o;
}

// The value a BY or GET pattern names for `element`, or nullopt (Redis's nil): "#" is the
// element; otherwise the first '*' of the key part is replaced by it and the key read as a
// string, or, for "key->field", as a hash's field.
std::optional<std::string_view> lookup_pattern(CommandContext& ctx, std::string_view pattern,
                                               std::string_view element) {
  if (pattern == "#") return element;
  const std::size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view key_part = pattern;
  std::string_view field;
  const std::size_t arrow = pattern.find("->", star + 1);
  if (arrow != std::string_view::npos && arrow + 2 < pattern.size()) {
    key_part = pattern.substr(0, arrow);
    field = pattern.substr(arrow + 2);
  }
  std::string key;
  key.reserve(key_part.size() + element.size());
  key.append(key_part.substr(0, star)).append(element).append(key_part.substr(star + 1));
  KeyEntry* e = util::lookup_read(ctx, key);
  if (e == nullptr) return std::nullopt;
  if (field.empty()) {
    if (e->value.type != ValueType::kString) return std::nullopt;
    return std::string_view(e->value.str);
  }
  if (e->value.type != ValueType::kHash) return std::nullopt;
  return e->value.hash().find(field);
}

// strtod over the whole string as Redis's SORT parses a score (its strings end at a NUL, so
// the parse ends there too); nullopt for a non-number, an out-of-range value or NaN.
std::optional<double> sort_score(std::string_view s) {
  const std::string copy(s);
  char* end = nullptr;
  errno = 0;
  const double d = std::strtod(copy.c_str(), &end);
  if (*end != '\0' || errno == ERANGE || std::isnan(d)) return std::nullopt;
  return d;
}

int compare_bytes(std::string_view a, std::string_view b) {
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// strcoll in the C locale, as Redis compares ALPHA without STORE: bytes up to the first NUL.
int compare_collated(std::string_view a, std::string_view b) {
  return compare_bytes(a.substr(0, a.find('\0')), b.substr(0, b.find('\0')));
}

struct SortItem {
  std::string element;
  double score = 0;
  std::optional<std::string_view> by;  // ALPHA with BY: the value compared
};

// The elements of a list, set or sorted set, in their natural order (a set's: an intset's
// ascending, a hashtable's bucket order; a sorted set's by score); false after WRONGTYPE for
// another type.
bool collect_elements(CommandContext& ctx, const Value& v, std::vector<SortItem>& items) {
  switch (v.type) {
    case ValueType::kList: {
      const List& l = v.list();
      items.reserve(l.size());
      l.scan(0, false, [&](std::size_t, std::string_view s) {
        items.push_back({std::string(s), 0, std::nullopt});
        return true;
      });
      return true;
    }
    case ValueType::kSet:
      items.reserve(v.set().size());
      v.set().for_each([&](std::string_view m) { items.push_back({std::string(m), 0, {}}); });
      return true;
    case ValueType::kZset: {
      const SortedSet& z = v.zset();
      items.reserve(z.size());
      if (!z.empty()) {
        z.for_ranks(0, z.size(), false, [&](std::string_view m, double) {
          items.push_back({std::string(m), 0, {}});
        });
      }
      return true;
    }
    default:
      break;
  }
  ctx.error(KvError::kWrongType);
  return false;
}

void sort_generic(CommandContext& ctx, bool read_only) {
  auto parsed = parse_sort_options(ctx, read_only);
  if (!parsed) return;
  SortOptions& o = *parsed;

  std::vector<SortItem> items;
  if (KeyEntry* e = util::lookup_read(ctx, ctx.args[1])) {
    // Redis converts a sorted set it sorts to the skiplist encoding, SORT_RO too.
    if (e->value.type == ValueType::kZset) {
      ctx.db().reencode(e, [](Value& v) { v.zset().convert_to_skiplist(); });
    }
    if (!collect_elements(ctx, e->value, items)) return;
    // A set is sorted before it is stored, so the stored list does not depend on hash order.
    if (o.dontsort && o.store && e->value.type == ValueType::kSet) {
      o.dontsort = false;
      o.alpha = true;
      o.by.reset();
    }
  }

  if (!o.dontsort) {
    const bool by_pattern = o.by.has_value();
    for (SortItem& item : items) {
      std::optional<std::string_view> by =
          by_pattern ? lookup_pattern(ctx, *o.by, item.element) : item.element;
      if (o.alpha) {
        if (by_pattern) item.by = by;
        continue;
      }
      if (!by) continue;  // a missing BY value scores 0
      auto score = sort_score(*by);
      if (!score) return ctx.error(KvError::kSortNotDouble);
      item.score = *score;
    }
    // ALPHA collates (strcoll) unless the result is stored, where bytes decide.
    const auto alpha_compare = o.store ? compare_bytes : compare_collated;
    auto less = [&](const SortItem& a, const SortItem& b) {
      int c = 0;
      if (!o.alpha) {
        c = a.score < b.score ? -1 : (a.score > b.score ? 1 : 0);
        if (c == 0) c = compare_bytes(a.element, b.element);
      } else if (by_pattern) {
        if (!a.by || !b.by) {
          c = a.by.has_value() == b.by.has_value() ? 0 : (a.by ? 1 : -1);
        } else {
          c = alpha_compare(*a.by, *b.by);
        }
      } else {
        c = alpha_compare(a.element, b.element);
      }
      return o.desc ? c > 0 : c < 0;
    };
    std::stable_sort(items.begin(), items.end(), less);
  } else if (o.desc) {
    std::reverse(items.begin(), items.end());
  }

  // The LIMIT window, clamped as Redis clamps it (offset and count first to [0, n] and
  // [-1, n], so that no sum overflows).
  const auto n = static_cast<std::int64_t>(items.size());
  std::int64_t start = std::min(std::max<std::int64_t>(o.offset, 0), n);
  const std::int64_t count = std::min(std::max<std::int64_t>(o.count, -1), n);
  std::int64_t end = count < 0 ? n - 1 : start + count - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;
  const std::size_t first = static_cast<std::size_t>(std::max<std::int64_t>(start, 0));
  const std::size_t taken = end >= start ? static_cast<std::size_t>(end - start + 1) : 0;
  const std::size_t per_item = o.gets.empty() ? 1 : o.gets.size();

  if (!o.store) {
    ctx.out.array(taken * per_item);
    for (std::size_t i = first; i < first + taken; ++i) {
      if (o.gets.empty()) {
        ctx.out.bulk(items[i].element);
        continue;
      }
      for (std::string_view pattern : o.gets) {
        auto v = lookup_pattern(ctx, pattern, items[i].element);
        v ? ctx.out.bulk(*v) : ctx.out.null();
      }
    }
    return;
  }

  Value list = Value::new_list();
  for (std::size_t i = first; i < first + taken; ++i) {
    if (o.gets.empty()) {
      list.list().push_back(items[i].element, util::limits(ctx));
      continue;
    }
    for (std::string_view pattern : o.gets) {
      auto v = lookup_pattern(ctx, pattern, items[i].element);
      list.list().push_back(v ? *v : std::string_view(), util::limits(ctx));
    }
  }
  Database& db = ctx.db();
  const bool stored = !list.empty_collection();
  bool deleted = false;
  if (stored) {
    db.replace(*o.store, std::move(list));
  } else {
    deleted = db.find(*o.store, ctx.now_ms) != nullptr && db.erase(*o.store);
  }
  ctx.out.integer(static_cast<std::int64_t>(taken * per_item));
  if (stored) util::notify(ctx, kNotifyList, "sortstore", *o.store);
  if (deleted) util::notify(ctx, kNotifyGeneric, "del", *o.store);
}

}  // namespace

void sort(CommandContext& ctx) { sort_generic(ctx, false); }
void sort_ro(CommandContext& ctx) { sort_generic(ctx, true); }

void touch(CommandContext& ctx) {
  std::int64_t n = 0;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    if (util::lookup_read(ctx, ctx.args[i]) != nullptr) ++n;
  }
  ctx.out.integer(n);
}

}  // namespace tcpkit::kv::cmd
