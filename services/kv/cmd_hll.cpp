// HyperLogLog commands: PFADD PFCOUNT PFMERGE over sketches stored in string values (hll.hpp
// has the algorithm and the layout). A string that is not a sketch gets Redis's
// "WRONGTYPE Key is not a valid HyperLogLog string value."; another type the usual WRONGTYPE.

#include <memory>

#include "kv/cmd_util.hpp"
#include "kv/hll.hpp"

namespace tcpkit::kv::cmd {

namespace {

// False after replying the error when `e` (present) is not a valid sketch.
bool is_hll_or_reply(CommandContext& ctx, const KeyEntry* e) {
  if (!util::is_string_or_reply(ctx, e)) return false;
  switch (hll::check(e->value.str)) {
    case hll::Check::kOk:
      return true;
    case hll::Check::kNotHll:
      ctx.error(KvError::kHllWrongType);
      return false;
    case hll::Check::kCorrupt:
      ctx.error(KvError::kHllInvalid);
      return false;
  }
  return false;
}

// The registers of every existing key among args[first..], merged; nullptr after replying.
std::unique_ptr<hll::Registers> merge_keys(CommandContext& ctx, std::size_t first, bool read) {
  auto regs = std::make_unique<hll::Registers>();
  regs->fill(0);
  for (std::size_t i = first; i < ctx.args.size(); ++i) {
    KeyEntry* e =
        read ? util::lookup_read(ctx, ctx.args[i]) : ctx.db().find(ctx.args[i], ctx.now_ms);
    if (e == nullptr) continue;
    if (!is_hll_or_reply(ctx, e)) return nullptr;
    hll::merge_into(e->value.str, *regs);
  }
  return regs;
}

}  // namespace

// PFADD key [element ...]: 1 when the key was created or a register rose. Registers are
// compared first, so an add that changes nothing is no write (WATCH sees nothing).
void pfadd(CommandContext& ctx) {
  Database& db = ctx.db();
  KeyEntry* e = db.find(ctx.args[1], ctx.now_ms);
  if (e == nullptr) {
    std::string sketch = hll::make_empty();
    for (std::size_t i = 2; i < ctx.args.size(); ++i) hll::raise(sketch, hll::slot_of(ctx.args[i]));
    db.set(ctx.args[1], sketch, Encoding::kRaw, false);
    ctx.out.integer(1);
    return util::notify(ctx, kNotifyString, "pfadd", ctx.args[1]);
  }
  if (!is_hll_or_reply(ctx, e)) return;
  std::vector<hll::Slot> rises;
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    const hll::Slot slot = hll::slot_of(ctx.args[i]);
    if (hll::get(e->value.str, slot.index) < slot.count) rises.push_back(slot);
  }
  if (rises.empty()) return ctx.out.integer(0);
  db.update(e, Encoding::kRaw, [&](CompactString& s) {
    // raise() may insert into a sparse sketch or make it dense: it works on a std::string.
    std::string sketch(s.view());
    for (const hll::Slot& slot : rises) hll::raise(sketch, slot);
    s.assign(sketch);
  });
  ctx.out.integer(1);
  util::notify(ctx, kNotifyString, "pfadd", ctx.args[1]);
}

// PFCOUNT key [key ...]: one key answers from, or refreshes, its cached count (a refresh is a
// change, as in Redis: WATCH sees it); several keys are merged into a temporary sketch.
void pfcount(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    auto regs = merge_keys(ctx, 1, true);
    if (regs) ctx.out.integer(static_cast<std::int64_t>(hll::estimate(*regs)));
    return;
  }
  KeyEntry* e = util::lookup_read(ctx, ctx.args[1]);
  if (e == nullptr) return ctx.out.integer(0);
  if (!is_hll_or_reply(ctx, e)) return;
  if (auto cached = hll::cached_count(e->value.str)) {
    return ctx.out.integer(static_cast<std::int64_t>(*cached));
  }
  const std::uint64_t count = hll::estimate(e->value.str);
  ctx.db().update(e, Encoding::kRaw,
                  [count](CompactString& s) { hll::set_cached_count(s, count); });
  ctx.out.integer(static_cast<std::int64_t>(count));
}

// PFMERGE destkey [sourcekey ...]: the union of every sketch named, destkey's included.
void pfmerge(CommandContext& ctx) {
  auto regs = merge_keys(ctx, 1, true);  // read lookups, destination included, as Redis
  if (!regs) return;
  Database& db = ctx.db();
  KeyEntry* e = db.find(ctx.args[1], ctx.now_ms);
  const std::string sketch = hll::from_registers(*regs);
  if (e == nullptr) {
    db.set(ctx.args[1], sketch, Encoding::kRaw, false);
  } else {
    db.update(e, Encoding::kRaw, [&](CompactString& s) { s.assign(sketch); });
  }
  ctx.ok();
  util::notify(ctx, kNotifyString, "pfadd", ctx.args[1]);
}

}  // namespace tcpkit::kv::cmd
