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

// The live entry of `key` for reading, counted as a keyspace hit or miss.
inline KeyEntry* lookup_read(CommandContext& ctx, std::string_view key) {
  KeyEntry* e = ctx.db().find(key, ctx.now_ms);
  ctx.service.count_lookup(e != nullptr);
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

}  // namespace tcpkit::kv::util
