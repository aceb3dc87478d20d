// Bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP (BITFIELD is in cmd_bitfield.cpp). A
// bitmap is a plain string value (bits.hpp draws the bit order); writes grow it with zero
// bytes and leave it raw-encoded, as Redis does.

#include <algorithm>

#include "kv/bits.hpp"
#include "kv/cmd_util.hpp"

namespace tcpkit::kv::cmd {

namespace {

std::optional<std::uint64_t> offset_arg(CommandContext& ctx, std::string_view s) {
  auto offset = bits::parse_offset(s, ctx.service.config().max_bulk_length);
  if (!offset) ctx.error(KvError::kBitOffset);
  return offset;
}

// BYTE (the default) or BIT; nullopt after replying the syntax error.
std::optional<bool> bit_mode_arg(CommandContext& ctx, std::string_view s) {
  if (iequals(s, "byte")) return false;
  if (iequals(s, "bit")) return true;
  ctx.error(KvError::kSyntax);
  return std::nullopt;
}

// The bit range [first, last] that a BYTE or BIT range selects in a string of `size` bytes.
bits::Range bit_range(std::int64_t start, std::int64_t end, bool bit_mode, std::size_t size) {
  const auto bytes = static_cast<std::int64_t>(size);
  bits::Range r = bits::clamp_range(start, end, bit_mode ? bytes * 8 : bytes);
  if (!bit_mode && !r.empty()) r = {r.first * 8, r.last * 8 + 7};
  return r;
}

}  // namespace

void setbit(CommandContext& ctx) {
  auto offset = offset_arg(ctx, ctx.args[2]);
  if (!offset) return;
  auto on = parse_int(ctx.args[3]);
  if (!on || (*on != 0 && *on != 1)) return ctx.error(KvError::kBitValue);
  Database& db = ctx.db();
  KeyEntry* e = db.find(ctx.args[1], ctx.now_ms);
  if (!util::is_string_or_reply(ctx, e)) return;
  // As Redis 7.0: a bit set to what it already is, in a string long enough, changes nothing
  // (no WATCH bump, no event); the string still turns raw.
  const std::uint64_t byte = *offset / 8;
  if (e != nullptr && byte < e->value.str.size() &&
      bits::get_bit(e->value.str, *offset) == (*on == 1)) {
    db.reencode(e, [](Value& v) { v.encoding = Encoding::kRaw; });
    return ctx.out.integer(*on);
  }
  if (e == nullptr) e = db.set(ctx.args[1], "", Encoding::kRaw, false);
  bool old = false;
  db.update(e, Encoding::kRaw, [&](CompactString& s) {
    if (s.size() <= byte) s.resize(byte + 1);
    old = bits::get_bit(s, *offset);
    bits::set_bit(s, *offset, *on == 1);
  });
  ctx.out.integer(old ? 1 : 0);
  util::notify(ctx, kNotifyString, "setbit", ctx.args[1]);
}

void getbit(CommandContext& ctx) {
  auto offset = offset_arg(ctx, ctx.args[2]);
  if (!offset) return;
  KeyEntry* e = util::lookup_read(ctx, ctx.args[1]);
  if (!util::is_string_or_reply(ctx, e)) return;
  ctx.out.integer(e != nullptr && bits::get_bit(e->value.str, *offset) ? 1 : 0);
}

// BITCOUNT key [start end [BYTE|BIT]]: Redis looks the key up before reading the range.
void bitcount(CommandContext& ctx) {
  KeyEntry* e = util::lookup_read(ctx, ctx.args[1]);
  if (e == nullptr) return ctx.out.integer(0);
  if (!util::is_string_or_reply(ctx, e)) return;
  const std::string_view s = e->value.str;
  const std::size_t argc = ctx.args.size();
  if (argc == 2) {
    if (s.empty()) return ctx.out.integer(0);
    return ctx.out.integer(static_cast<std::int64_t>(bits::count_bits(s, 0, s.size() * 8 - 1)));
  }
  if (argc != 4 && argc != 5) return ctx.error(KvError::kSyntax);
  auto start = util::int_arg(ctx, ctx.args[2]);
  if (!start) return;
  auto end = util::int_arg(ctx, ctx.args[3]);
  if (!end) return;
  // Both from the end and crossed: empty (before clamping could make them meet at 0, and
  // before Redis reads the mode).
  if (*start < 0 && *end < 0 && *start > *end) return ctx.out.integer(0);
  bool bit_mode = false;
  if (argc == 5) {
    auto mode = bit_mode_arg(ctx, ctx.args[4]);
    if (!mode) return;
    bit_mode = *mode;
  }
  const bits::Range r = bit_range(*start, *end, bit_mode, s.size());
  if (r.empty()) return ctx.out.integer(0);
  ctx.out.integer(static_cast<std::int64_t>(bits::count_bits(s, static_cast<std::uint64_t>(r.first),
                                                             static_cast<std::uint64_t>(r.last))));
}

// BITPOS key bit [start [end [BYTE|BIT]]]: the mode is read before the end, as Redis does.
void bitpos(CommandContext& ctx) {
  auto bit = util::int_arg(ctx, ctx.args[2]);
  if (!bit) return;
  if (*bit != 0 && *bit != 1) return ctx.error(KvError::kBitposBit);
  KeyEntry* e = util::lookup_read(ctx, ctx.args[1]);
  if (e == nullptr) return ctx.out.integer(*bit == 1 ? -1 : 0);
  if (!util::is_string_or_reply(ctx, e)) return;
  const std::string_view s = e->value.str;
  const std::size_t argc = ctx.args.size();
  if (argc > 6) return ctx.error(KvError::kSyntax);
  std::int64_t start = 0, end = -1;
  bool bit_mode = false;
  if (argc >= 4) {
    auto v = util::int_arg(ctx, ctx.args[3]);
    if (!v) return;
    start = *v;
  }
  if (argc == 6) {
    auto mode = bit_mode_arg(ctx, ctx.args[5]);
    if (!mode) return;
    bit_mode = *mode;
  }
  if (argc >= 5) {
    auto v = util::int_arg(ctx, ctx.args[4]);
    if (!v) return;
    end = *v;
  }
  const bits::Range r = bit_range(start, end, bit_mode, s.size());
  if (r.empty()) return ctx.out.integer(-1);
  const std::int64_t pos = bits::find_bit(s, *bit == 1, static_cast<std::uint64_t>(r.first),
                                          static_cast<std::uint64_t>(r.last));
  // Looking for a 0 without an end: the string is as if followed by zero bytes.
  if (pos < 0 && *bit == 0 && argc < 5)
    return ctx.out.integer(static_cast<std::int64_t>(s.size() * 8));
  ctx.out.integer(pos);
}

namespace {

enum class BitOp { kAnd, kOr, kXor, kNot };

std::optional<BitOp> bitop_arg(std::string_view s) {
  if (iequals(s, "and")) return BitOp::kAnd;
  if (iequals(s, "or")) return BitOp::kOr;
  if (iequals(s, "xor")) return BitOp::kXor;
  if (iequals(s, "not")) return BitOp::kNot;
  return std::nullopt;
}

// The result of `op` over `sources`, each read as if zero-padded to the longest one.
std::string combine(BitOp op, const std::vector<std::string_view>& sources) {
  std::size_t size = 0;
  for (std::string_view src : sources) size = std::max(size, src.size());
  std::string out(size, '\0');
  if (size == 0) return out;
  if (op == BitOp::kNot) {
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>(~sources[0][i]);
    return out;
  }
  std::copy(sources[0].begin(), sources[0].end(), out.begin());
  for (std::size_t k = 1; k < sources.size(); ++k) {
    std::string_view src = sources[k];
    for (std::size_t i = 0; i < size; ++i) {
      const char b = i < src.size() ? src[i] : '\0';
      if (op == BitOp::kAnd) out[i] = static_cast<char>(out[i] & b);
      if (op == BitOp::kOr) out[i] = static_cast<char>(out[i] | b);
      if (op == BitOp::kXor) out[i] = static_cast<char>(out[i] ^ b);
    }
  }
  return out;
}

}  // namespace

// BITOP op destkey key...: an empty result deletes destkey (Redis never stores it).
void bitop(CommandContext& ctx) {
  auto op = bitop_arg(ctx.args[1]);
  if (!op) return ctx.error(KvError::kSyntax);
  if (*op == BitOp::kNot && ctx.args.size() != 4) return ctx.error(KvError::kBitopNotOneKey);
  std::vector<std::string_view> sources;
  sources.reserve(ctx.args.size() - 3);
  for (std::size_t i = 3; i < ctx.args.size(); ++i) {
    KeyEntry* e = util::lookup_read(ctx, ctx.args[i]);
    if (!util::is_string_or_reply(ctx, e)) return;
    sources.push_back(e != nullptr ? std::string_view(e->value.str) : std::string_view());
  }
  std::string result = combine(*op, sources);
  Database& db = ctx.db();
  const bool existed = db.find(ctx.args[2], ctx.now_ms) != nullptr;
  if (result.empty()) {
    if (existed) db.erase(ctx.args[2]);
  } else {
    db.set(ctx.args[2], result, Encoding::kRaw, false);
  }
  ctx.out.integer(static_cast<std::int64_t>(result.size()));
  if (!result.empty()) {
    util::notify(ctx, kNotifyString, "set", ctx.args[2]);
  } else if (existed) {
    util::notify(ctx, kNotifyGeneric, "del", ctx.args[2]);
  }
}

}  // namespace tcpkit::kv::cmd
