#pragma once
// Small helpers shared by the command handlers: argument parsing that replies the right error,
// and typed key lookups. Each returns nullopt/nullptr/false after replying the error.

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "kv/command.hpp"
#include "kv/glob.hpp"
#include "kv/kv_service.hpp"
#include "kv/notify.hpp"
#include "kv/text.hpp"

namespace tcpkit::kv::util {

// An integer argument, or nullopt after replying "ERR value is not an integer or out of range".
inline std::optional<std::int64_t> int_arg(CommandContext& ctx, std::string_view s) {
  auto v = parse_int(s);
  if (!v) ctx.error(KvError::kNotInteger);
  return v;
}

// A SCAN/HSCAN cursor, or nullopt: Redis's parseScanCursorOrReply, which is strtoul's rule
// (a sign is accepted, "-1" wraps to 2^64-1) minus leading spaces and trailing characters.
inline std::optional<std::uint64_t> scan_cursor(std::string_view s) {
  if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0])) != 0) return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(copy.c_str(), &end, 10);
  if (errno == ERANGE || end != copy.c_str() + copy.size()) return std::nullopt;
  return static_cast<std::uint64_t>(v);
}

// Publishes keyspace event `event` of class `type` about `key` in the client's database
// (notify.hpp; nothing unless notify-keyspace-events asks for the class).
inline void notify(CommandContext& ctx, std::uint32_t type, std::string_view event,
                   std::string_view key) {
  ctx.store.events().notify(type, event, key, ctx.client.db.load());
}

// A command removed elements of the collection `key` (event `event` of class `type`); `kept`
// is false when that emptied and deleted it, which is also a "del" event, as Redis publishes.
inline void notify_removed(CommandContext& ctx, std::uint32_t type, std::string_view event,
                           std::string_view key, bool kept) {
  notify(ctx, type, event, key);
  if (!kept) notify(ctx, kNotifyGeneric, "del", key);
}

// The live entry of `key` for reading, counted as a keyspace hit or miss (a miss is the
// "keymiss" event), as Redis's lookupKeyRead. `touch` false: the key's LRU clock stays
// (Redis's LOOKUP_NOTOUCH: EXISTS, TYPE).
inline KeyEntry* lookup_read(CommandContext& ctx, std::string_view key, bool touch = true) {
  KeyEntry* e = ctx.db().find(key, ctx.now_ms, touch);
  ctx.service.count_lookup(e != nullptr);
  if (e == nullptr) notify(ctx, kNotifyKeyMiss, "keymiss", key);
  return e;
}

// False after replying WRONGTYPE when `e` holds something other than a string.
inline bool is_string_or_reply(CommandContext& ctx, const KeyEntry* e) {
  if (e == nullptr || e->value.type == ValueType::kString) return true;
  ctx.error(KvError::kWrongType);
  return false;
}

// A key looked up for a command on one type: `entry` is nullptr when the key is absent; `ok`
// is false after WRONGTYPE was replied (the key holds another type).
struct Typed {
  KeyEntry* entry = nullptr;
  bool ok = true;
};

// Looks `key` up for a command on `type`; `read` counts a keyspace hit or miss as Redis's
// lookupKeyRead does.
inline Typed lookup_typed(CommandContext& ctx, std::string_view key, ValueType type, bool read) {
  KeyEntry* e = read ? lookup_read(ctx, key) : ctx.db().find(key, ctx.now_ms);
  if (e == nullptr || e->value.type == type) return {e, true};
  ctx.error(KvError::kWrongType);
  return {nullptr, false};
}

// HSCAN / SSCAN / ZSCAN's options after the cursor: COUNT n (n >= 1) and MATCH pattern, in any
// order, as Redis parses them.
struct ScanArgs {
  std::int64_t count = 10;
  std::string_view pattern;  // empty: no MATCH
  bool matches(std::string_view s) const {
    return pattern.empty() || pattern == "*" || glob_match(pattern, s);
  }
};

// The options from args[first] on, or nullopt after replying the error.
inline std::optional<ScanArgs> scan_args(CommandContext& ctx, std::size_t first) {
  ScanArgs a;
  for (std::size_t i = first; i < ctx.args.size(); i += 2) {
    if (i + 1 >= ctx.args.size()) return ctx.error(KvError::kSyntax), std::nullopt;
    if (iequals(ctx.args[i], "count")) {
      auto n = int_arg(ctx, ctx.args[i + 1]);
      if (!n) return std::nullopt;
      if (*n < 1) return ctx.error(KvError::kSyntax), std::nullopt;
      a.count = *n;
    } else if (iequals(ctx.args[i], "match")) {
      a.pattern = ctx.args[i + 1];
    } else {
      return ctx.error(KvError::kSyntax), std::nullopt;
    }
  }
  return a;
}

// A scan of a missing key: cursor 0, nothing found.
inline void reply_empty_scan(CommandContext& ctx) {
  ctx.out.array(2);
  ctx.out.bulk("0");
  ctx.out.array(0);
}

// HRANDFIELD / ZRANDMEMBER with a negative count draw -count elements: more than this many is
// refused (Redis would build the reply until memory runs out; here memory and time stay
// bounded). SRANDMEMBER too.
inline constexpr std::uint64_t kMaxRandomDraws = std::uint64_t{1} << 24;

// HRANDFIELD / ZRANDMEMBER's arguments: no count (one element as a bulk), or a count and maybe
// `with_word` (WITHVALUES, WITHSCORES), parsed and checked in Redis's order.
struct RandomArgs {
  std::optional<std::int64_t> count;
  bool with = false;
};

inline std::optional<RandomArgs> random_args(CommandContext& ctx, std::string_view with_word) {
  RandomArgs a;
  if (ctx.args.size() < 3) return a;
  a.count = parse_int(ctx.args[2]);
  if (!a.count) return ctx.error(KvError::kNotInteger), std::nullopt;
  if (*a.count == INT64_MIN) return ctx.error(KvError::kOutOfLongRange), std::nullopt;
  if (ctx.args.size() > 4 || (ctx.args.size() == 4 && !iequals(ctx.args[3], with_word))) {
    return ctx.error(KvError::kSyntax), std::nullopt;
  }
  a.with = ctx.args.size() == 4;
  if (a.with && (*a.count < -INT64_MAX / 2 || *a.count > INT64_MAX / 2)) {
    return ctx.error(KvError::kOutOfRange), std::nullopt;
  }
  return a;
}

// The encoding thresholds CONFIG SET may have changed (collections read them as they grow).
inline const EncodingLimits& limits(CommandContext& ctx) { return ctx.service.config().encodings; }

// False after replying the error when a string would grow past proto-max-bulk-len.
inline bool size_ok_or_reply(CommandContext& ctx, std::uint64_t size) {
  if (size <= ctx.service.config().max_bulk_length) return true;
  ctx.error(KvError::kStringTooLong);
  return false;
}

// Reads a database index argument, replying `not_integer` or the range error.
inline std::optional<int> db_index(CommandContext& ctx, std::string_view s, KvError not_integer) {
  auto v = parse_int(s);
  if (!v) {
    ctx.error(not_integer);
    return std::nullopt;
  }
  if (*v < 0 || *v >= Store::kDatabases) {
    ctx.error(KvError::kDbIndexOutOfRange);
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

// LMPOP/ZMPOP's arguments (BLMPOP/BZMPOP's after the timeout): numkeys at args[first], the
// keys, a WHERE token (LEFT/RIGHT, MIN/MAX: `where_ok` says), [COUNT n]. nullopt after
// writing Redis's error, checked in Redis's order.
struct MpopArgs {
  std::span<const std::string_view> keys;
  std::string_view where;
  std::optional<std::int64_t> count;
};
inline std::optional<MpopArgs> parse_mpop(CommandContext& ctx, std::size_t first,
                                          bool (*where_ok)(std::string_view)) {
  const auto fail = [&ctx](KvError e) {
    ctx.error(e);
    return std::optional<MpopArgs>();
  };
  auto numkeys = parse_int(ctx.args[first]);
  if (!numkeys || *numkeys < 1) return fail(KvError::kNumkeysNotPositive);
  if (static_cast<std::uint64_t>(*numkeys) >= ctx.args.size() - first - 1) {
    return fail(KvError::kSyntax);
  }
  const std::size_t where = static_cast<std::size_t>(*numkeys) + first + 1;
  if (!where_ok(ctx.args[where])) return fail(KvError::kSyntax);
  MpopArgs a{ctx.args.subspan(first + 1, where - first - 1), ctx.args[where], std::nullopt};
  for (std::size_t i = where + 1; i < ctx.args.size(); ++i) {
    if (a.count || !iequals(ctx.args[i], "count") || i + 1 == ctx.args.size()) {
      return fail(KvError::kSyntax);
    }
    a.count = parse_int(ctx.args[++i]);
    if (!a.count || *a.count < 1) return fail(KvError::kCountNotPositive);
  }
  return std::optional<MpopArgs>(a);
}

}  // namespace tcpkit::kv::util
