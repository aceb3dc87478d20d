// BITFIELD and BITFIELD_RO: integer fields of any width (i1..i64, u1..u63) at any bit offset of
// a string. The whole argument list is parsed (and every error found) before the key is
// touched; then the operations run in order, each seeing the previous ones' writes.

#include <algorithm>
#include <vector>

#include "kv/bits.hpp"
#include "kv/cmd_util.hpp"

namespace tcpkit::kv::cmd {

namespace {

enum class FieldOp { kGet, kSet, kIncrBy };

struct FieldCommand {
  FieldOp op = FieldOp::kGet;
  bits::FieldType type;
  std::uint64_t offset = 0;
  std::int64_t arg = 0;  // SET's value, INCRBY's increment
  bits::Overflow overflow = bits::Overflow::kWrap;
};

struct FieldCommands {
  std::vector<FieldCommand> ops;
  bool writes = false;            // any SET or INCRBY
  std::uint64_t write_bytes = 0;  // the string size the writes need
};

std::optional<FieldOp> field_op(std::string_view s) {
  if (iequals(s, "get")) return FieldOp::kGet;
  if (iequals(s, "set")) return FieldOp::kSet;
  if (iequals(s, "incrby")) return FieldOp::kIncrBy;
  return std::nullopt;
}

std::optional<bits::Overflow> overflow_arg(std::string_view s) {
  if (iequals(s, "wrap")) return bits::Overflow::kWrap;
  if (iequals(s, "sat")) return bits::Overflow::kSat;
  if (iequals(s, "fail")) return bits::Overflow::kFail;
  return std::nullopt;
}

// Parses "GET type offset", "SET type offset value", "INCRBY type offset incr" and
// "OVERFLOW WRAP|SAT|FAIL" in any number; nullopt after replying the first error.
std::optional<FieldCommands> parse_fields(CommandContext& ctx) {
  FieldCommands parsed;
  bits::Overflow overflow = bits::Overflow::kWrap;
  const std::uint64_t max_bytes = ctx.service.config().max_bulk_length;
  for (std::size_t i = 2; i < ctx.args.size();) {
    const std::size_t left = ctx.args.size() - i - 1;
    if (iequals(ctx.args[i], "overflow") && left >= 1) {
      auto o = overflow_arg(ctx.args[i + 1]);
      if (!o) return ctx.error(KvError::kBitfieldOverflowType), std::nullopt;
      overflow = *o;
      i += 2;
      continue;
    }
    auto op = field_op(ctx.args[i]);
    const std::size_t needs = op == FieldOp::kGet ? 2 : 3;
    if (!op || left < needs) return ctx.error(KvError::kSyntax), std::nullopt;
    auto type = bits::parse_field_type(ctx.args[i + 1]);
    if (!type) return ctx.error(KvError::kBitfieldType), std::nullopt;
    auto offset = bits::parse_offset(ctx.args[i + 2], max_bytes, type->bits);
    if (!offset) return ctx.error(KvError::kBitOffset), std::nullopt;
    FieldCommand fc{*op, *type, *offset, 0, overflow};
    if (*op != FieldOp::kGet) {
      auto v = util::int_arg(ctx, ctx.args[i + 3]);
      if (!v) return std::nullopt;
      fc.arg = *v;
      parsed.writes = true;
      parsed.write_bytes = std::max(parsed.write_bytes, (*offset + type->bits - 1) / 8 + 1);
    }
    parsed.ops.push_back(fc);
    i += 1 + needs;
  }
  return parsed;
}

// The value a SET or INCRBY would store at `fc` in `s`, or nullopt when OVERFLOW FAIL refuses.
std::optional<std::int64_t> field_result(std::string_view s, const FieldCommand& fc) {
  const std::int64_t old = bits::get_field(s, fc.offset, fc.type);
  return fc.op == FieldOp::kSet ? bits::fit_set(fc.type, fc.overflow, fc.arg)
                                : bits::fit_incr(fc.type, fc.overflow, old, fc.arg);
}

// Whether any write will succeed. Until the first one does the string is unchanged (a refused
// write writes nothing), so checking each against the original string in order is exact.
bool any_write_succeeds(std::string_view s, const FieldCommands& parsed) {
  for (const FieldCommand& fc : parsed.ops) {
    if (fc.op != FieldOp::kGet && field_result(s, fc)) return true;
  }
  return false;
}

// Runs the operations in order on `s` (grown to cover the writes), replying each result;
// returns how many writes changed a field's value.
std::size_t run_fields(CommandContext& ctx, CompactString& s, const FieldCommands& parsed) {
  std::size_t changed = 0;
  for (const FieldCommand& fc : parsed.ops) {
    const std::int64_t old = bits::get_field(s, fc.offset, fc.type);
    if (fc.op == FieldOp::kGet) {
      ctx.out.integer(old);
      continue;
    }
    auto stored = field_result(s, fc);
    if (!stored) {
      ctx.out.null();
      continue;
    }
    bits::set_field(s, fc.offset, fc.type, *stored);
    if (*stored != old) ++changed;
    ctx.out.integer(fc.op == FieldOp::kSet ? old : *stored);
  }
  return changed;
}

void bitfield_generic(CommandContext& ctx, bool read_only) {
  auto parsed = parse_fields(ctx);
  if (!parsed) return;
  if (read_only && parsed->writes) return ctx.error(KvError::kBitfieldReadOnly);
  Database& db = ctx.db();
  KeyEntry* e =
      parsed->writes ? db.find(ctx.args[1], ctx.now_ms) : util::lookup_read(ctx, ctx.args[1]);
  if (!util::is_string_or_reply(ctx, e)) return;
  ctx.out.array(parsed->ops.size());
  if (!parsed->writes) {
    std::string_view s = e != nullptr ? std::string_view(e->value.str) : std::string_view();
    for (const FieldCommand& fc : parsed->ops) {
      ctx.out.integer(bits::get_field(s, fc.offset, fc.type));
    }
    return;
  }
  // As in Redis: the key is created and grown to cover every write, and turns raw, even when
  // OVERFLOW FAIL then refuses the writes; only a write that happens counts as a change for
  // WATCH, so a fully refused BITFIELD (on a string long enough) bumps nothing.
  // The "setbit" event, as Redis 7.0: when the key was created or grown, or a field changed.
  const bool grows = e == nullptr || e->value.str.size() < parsed->write_bytes;
  if (e == nullptr) e = db.set(ctx.args[1], "", Encoding::kRaw, false);
  const auto grow = [&](CompactString& s) {
    if (s.size() < parsed->write_bytes) s.resize(parsed->write_bytes);
  };
  if (any_write_succeeds(e->value.str, *parsed)) {
    std::size_t changed = 0;
    db.update(e, Encoding::kRaw, [&](CompactString& s) {
      grow(s);
      changed = run_fields(ctx, s, *parsed);
    });
    if (grows || changed > 0) util::notify(ctx, kNotifyString, "setbit", ctx.args[1]);
    return;
  }
  if (e->value.str.size() < parsed->write_bytes) db.update(e, Encoding::kRaw, grow);
  e->value.encoding = Encoding::kRaw;            // a representation change only: no WATCH bump
  (void)run_fields(ctx, e->value.str, *parsed);  // every write is refused: reads only
}

}  // namespace

void bitfield(CommandContext& ctx) { bitfield_generic(ctx, false); }
void bitfield_ro(CommandContext& ctx) { bitfield_generic(ctx, true); }

}  // namespace tcpkit::kv::cmd
