// CommandMeta lookups and key finding by key specs (see command_meta.hpp).

#include "kv/command_meta.hpp"

#include <algorithm>

#include "kv/command.hpp"
#include "kv/text.hpp"

namespace tcpkit::kv {

std::span<const std::string_view> redis_flag_names() {
  static constexpr std::string_view kNames[] = {"write",
                                                "readonly",
                                                "denyoom",
                                                "module",
                                                "admin",
                                                "pubsub",
                                                "noscript",
                                                "blocking",
                                                "loading",
                                                "stale",
                                                "skip_monitor",
                                                "skip_slowlog",
                                                "asking",
                                                "fast",
                                                "no_auth",
                                                "may_replicate",
                                                "sentinel",
                                                "only_sentinel",
                                                "no_mandatory_keys",
                                                "protected",
                                                "no_async_loading",
                                                "no_multi",
                                                "movablekeys",
                                                "allow_busy"};
  return kNames;
}

std::span<const std::string_view> acl_category_names() {
  static constexpr std::string_view kNames[] = {
      "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
      "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
      "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
  return kNames;
}

std::span<const std::string_view> key_spec_flag_names() {
  static constexpr std::string_view kNames[] = {
      "RO",     "RW",     "OW",      "RM",         "access",        "update",
      "insert", "delete", "not_key", "incomplete", "variable_flags"};
  return kNames;
}

std::uint32_t redis_flags_from_table(std::uint32_t table_flags) {
  static constexpr std::pair<std::uint32_t, std::uint32_t> kSame[] = {
      {kWrite, kFlagWrite},       {kReadonly, kFlagReadonly},
      {kDenyOom, kFlagDenyoom},   {kAdmin, kFlagAdmin},
      {kNoScript, kFlagNoscript}, {kLoading, kFlagLoading},
      {kStale, kFlagStale},       {kFast, kFlagFast},
      {kNoAuth, kFlagNoAuth},     {kMovableKeys, kFlagMovablekeys},
  };
  std::uint32_t redis = 0;
  for (auto [table, bit] : kSame) {
    if ((table_flags & table) != 0) redis |= bit;
  }
  return redis;
}

const CommandMeta* find_command_meta(std::string_view full_name) {
  const auto meta = all_command_meta();
  auto it = std::lower_bound(meta.begin(), meta.end(), full_name,
                             [](const CommandMeta& m, std::string_view n) { return m.name < n; });
  return it != meta.end() && it->name == full_name ? &*it : nullptr;
}

namespace {

// The index where a spec's keys start, or nullopt when its keyword is absent or its search is
// unknown.
std::optional<std::size_t> begin_search(const BeginSearch& b,
                                        std::span<const std::string_view> args) {
  const auto argc = static_cast<int>(args.size());
  switch (b.type) {
    case BeginSearch::Type::kIndex:
      return static_cast<std::size_t>(b.index);
    case BeginSearch::Type::kKeyword: {
      const int start = b.startfrom >= 0 ? b.startfrom : argc + b.startfrom;
      const int end = b.startfrom >= 0 ? argc - 1 : 0;
      const int step = b.startfrom >= 0 ? 1 : -1;
      for (int i = start; i >= 0 && i < argc; i += step) {
        if (iequals(args[static_cast<std::size_t>(i)], b.keyword)) {
          return static_cast<std::size_t>(i + 1);
        }
        if (i == end) break;
      }
      return std::nullopt;
    }
    case BeginSearch::Type::kUnknown:
      break;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<KeyPosition>> keys_by_specs(std::span<const KeySpec> specs,
                                                      std::span<const std::string_view> args) {
  const auto argc = static_cast<std::int64_t>(args.size());
  std::vector<KeyPosition> keys;
  for (const KeySpec& spec : specs) {
    auto begin = begin_search(spec.begin, args);
    if (!begin) continue;
    auto first = static_cast<std::int64_t>(*begin);
    std::int64_t last = 0, step = 1;
    switch (spec.find.type) {
      case FindKeys::Type::kRange:
        step = spec.find.keystep;
        if (spec.find.lastkey >= 0) {
          last = first + spec.find.lastkey;
        } else if (spec.find.limit == 0) {
          last = argc + spec.find.lastkey;
        } else {
          last = first + ((argc - first) / spec.find.limit + spec.find.lastkey);
        }
        break;
      case FindKeys::Type::kKeynum: {
        const std::int64_t at = first + spec.find.keynumidx;
        if (at >= argc) return std::nullopt;
        auto numkeys = parse_int(args[static_cast<std::size_t>(at)]);
        if (!numkeys || *numkeys < 1 || *numkeys > argc) return std::nullopt;
        step = spec.find.numkeystep;
        first += spec.find.firstkey;
        last = first + (*numkeys - 1) * step;
        break;
      }
      case FindKeys::Type::kUnknown:
        continue;
    }
    if (step <= 0 || last < first) return std::nullopt;
    for (std::int64_t i = first; i <= last; i += step) {
      if (i >= argc || i < 1) return std::nullopt;
      keys.push_back({static_cast<std::size_t>(i), spec.flags});
    }
  }
  return keys;
}

}  // namespace tcpkit::kv
