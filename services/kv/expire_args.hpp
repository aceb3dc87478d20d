#pragma once
// The EX/PX/EXAT/PXAT arguments of SET, GETEX, SETEX and PSETEX, turned into an absolute
// Unix time in milliseconds with Redis's checks (getExpireMillisecondsOrReply).

#include <cstdint>
#include <optional>
#include <string_view>

#include "kv/command.hpp"
#include "kv/text.hpp"

namespace tcpkit::kv {

enum class ExpireUnit { kNone, kSeconds, kMilliseconds, kUnixSeconds, kUnixMilliseconds };

struct ExpireArgs {
  ExpireUnit unit = ExpireUnit::kNone;
  std::string_view value;
};

inline ExpireUnit expire_unit(std::string_view option) {
  if (iequals(option, "ex")) return ExpireUnit::kSeconds;
  if (iequals(option, "px")) return ExpireUnit::kMilliseconds;
  if (iequals(option, "exat")) return ExpireUnit::kUnixSeconds;
  if (iequals(option, "pxat")) return ExpireUnit::kUnixMilliseconds;
  return ExpireUnit::kNone;
}

// The absolute expiry, or nullopt after replying "ERR value is not an integer or out of range"
// or "ERR invalid expire time in '<command>' command" (zero, negative or overflowing).
inline std::optional<std::int64_t> expire_at_or_reply(CommandContext& ctx, ExpireArgs a,
                                                      std::string_view command) {
  auto v = parse_int(a.value);
  if (!v) return ctx.error(KvError::kNotInteger), std::nullopt;
  std::int64_t ms = *v;
  const bool seconds = a.unit == ExpireUnit::kSeconds || a.unit == ExpireUnit::kUnixSeconds;
  const bool relative = a.unit == ExpireUnit::kSeconds || a.unit == ExpireUnit::kMilliseconds;
  bool bad = ms <= 0 || (seconds && __builtin_mul_overflow(ms, 1000, &ms)) ||
             (relative && __builtin_add_overflow(ms, ctx.now_ms, &ms)) || ms <= 0;
  if (bad) return ctx.out.error(invalid_expire_error(command)), std::nullopt;
  return ms;
}

}  // namespace tcpkit::kv
