// COMMAND, COMMAND COUNT / INFO / DOCS / LIST / HELP: the command table as clients see it.
// INFO entries have Redis 7.0's ten fields; DOCS answers an empty map (redis-cli then simply
// shows no hints).

#include <bit>

#include "kv/cmd_util.hpp"
#include "kv/command_meta.hpp"

namespace tcpkit::kv::cmd {

namespace {

void write_names(codec::ReplyWriter& out, std::uint32_t bits,
                 std::span<const std::string_view> names, std::string_view prefix) {
  out.set(static_cast<std::size_t>(std::popcount(bits)));
  for (std::size_t i = 0; i < names.size(); ++i) {
    if ((bits & (1u << i)) == 0) continue;
    if (prefix.empty()) {
      out.simple(names[i]);
    } else {
      out.simple(std::string(prefix) + std::string(names[i]));
    }
  }
}

void write_key_spec(codec::ReplyWriter& out, const KeySpec& spec) {
  out.map(spec.notes.empty() ? 3 : 4);
  if (!spec.notes.empty()) {
    out.bulk("notes");
    out.bulk(spec.notes);
  }
  out.bulk("flags");
  write_names(out, spec.flags, key_spec_flag_names(), "");
  out.bulk("begin_search");
  out.map(2);
  out.bulk("type");
  switch (spec.begin.type) {
    case BeginSearch::Type::kIndex:
      out.bulk("index");
      out.bulk("spec");
      out.map(1);
      out.bulk("index");
      out.integer(spec.begin.index);
      break;
    case BeginSearch::Type::kKeyword:
      out.bulk("keyword");
      out.bulk("spec");
      out.map(2);
      out.bulk("keyword");
      out.bulk(spec.begin.keyword);
      out.bulk("startfrom");
      out.integer(spec.begin.startfrom);
      break;
    case BeginSearch::Type::kUnknown:
      out.bulk("unknown");
      out.bulk("spec");
      out.map(0);
      break;
  }
  out.bulk("find_keys");
  out.map(2);
  out.bulk("type");
  switch (spec.find.type) {
    case FindKeys::Type::kRange:
      out.bulk("range");
      out.bulk("spec");
      out.map(3);
      out.bulk("lastkey");
      out.integer(spec.find.lastkey);
      out.bulk("keystep");
      out.integer(spec.find.keystep);
      out.bulk("limit");
      out.integer(spec.find.limit);
      break;
    case FindKeys::Type::kKeynum:
      out.bulk("keynum");
      out.bulk("spec");
      out.map(3);
      out.bulk("keynumidx");
      out.integer(spec.find.keynumidx);
      out.bulk("firstkey");
      out.integer(spec.find.firstkey);
      out.bulk("keystep");
      out.integer(spec.find.numkeystep);
      break;
    case FindKeys::Type::kUnknown:
      out.bulk("unknown");
      out.bulk("spec");
      out.map(0);
      break;
  }
}

// The metadata of a name Redis 7.0 lacks (kNewerThanRedis70), from the table's own flags.
CommandMeta meta_from_table(std::string_view name, std::uint32_t flags) {
  std::uint32_t acl = (flags & kFast) ? kAclFast : kAclSlow;
  if (flags & kWrite) acl |= kAclWrite;
  if (flags & kReadonly) acl |= kAclRead;
  if (flags & kAdmin) acl |= kAclAdmin;
  return {name, redis_flags_from_table(flags), acl, {}, {}};
}

// One COMMAND INFO entry: name, arity, flags, first key, last key, step, ACL categories,
// tips, key specs, subcommands. Arity and key positions come from the command table (what kv
// enforces); flags, categories, tips and key specs from Redis's metadata (command_meta.hpp).
void write_entry(codec::ReplyWriter& out, std::string_view name, int arity, std::uint32_t flags,
                 int first, int last, int step, std::span<const SubcommandSpec> subs) {
  const CommandMeta* found = find_command_meta(name);
  const CommandMeta meta = found ? *found : meta_from_table(name, flags);
  out.array(10);
  out.bulk(name);
  out.integer(arity);
  write_names(out, meta.flags, redis_flag_names(), "");
  out.integer(first);
  out.integer(last);
  out.integer(step);
  write_names(out, meta.acl, acl_category_names(), "@");
  out.set(meta.tips.size());
  for (std::string_view tip : meta.tips) out.bulk(tip);
  out.set(meta.key_specs.size());
  for (const KeySpec& spec : meta.key_specs) write_key_spec(out, spec);
  // Redis 7.0 says "no subcommands" as an empty set but lists them in an array.
  subs.empty() ? out.set(0) : out.array(subs.size());
  for (const SubcommandSpec& sub : subs) {
    // Redis reports a subcommand's key positions from its first key spec.
    int sub_first = 0, sub_last = 0, sub_step = 0;
    if (const CommandMeta* m = find_command_meta(sub.full_name); m && !m->key_specs.empty()) {
      const KeySpec& k = m->key_specs.front();
      if (k.begin.type == BeginSearch::Type::kIndex && k.find.type == FindKeys::Type::kRange) {
        sub_first = k.begin.index;
        sub_last = k.find.lastkey >= 0 ? sub_first + k.find.lastkey : k.find.lastkey;
        sub_step = k.find.keystep;
      }
    }
    write_entry(out, sub.full_name, sub.arity, sub.flags, sub_first, sub_last, sub_step, {});
  }
}

void write_entry(codec::ReplyWriter& out, const CommandSpec& spec) {
  write_entry(out, spec.name, spec.arity, spec.flags, spec.first_key, spec.last_key, spec.key_step,
              spec.subcommands);
}

// COMMAND GETKEYS / GETKEYSANDFLAGS command arg...: the keys the command would touch (and
// the flags of the key spec that found each).
void command_getkeys(CommandContext& ctx, bool with_flags) {
  std::span<const std::string_view> args = ctx.args.subspan(2);
  const CommandSpec* spec = find_command(args[0]);
  if (spec == nullptr) return ctx.out.error("ERR Invalid command specified");
  std::string_view name = spec->name;
  int arity = spec->arity;
  if (!spec->subcommands.empty() && args.size() >= 2) {
    if (const SubcommandSpec* sub = find_subcommand(*spec, args[1])) {
      name = sub->full_name;
      arity = sub->arity;
    }
  }
  const auto argc = static_cast<int>(args.size());
  if ((arity > 0 && argc != arity) || argc < -arity) {
    return ctx.out.error("ERR Invalid number of arguments specified for command");
  }
  const CommandMeta* meta = find_command_meta(name);
  std::optional<std::vector<KeyPosition>> keys;
  if (name == "sort" || name == "sort_ro") {
    keys = sort_keys(args);
  } else if (meta != nullptr) {
    keys = keys_by_specs(meta->key_specs, args);
  }
  if (keys && name == "set") {
    // SET's key spec has variable flags: with GET it reads the old value.
    bool get = false;
    for (std::size_t i = 3; i < args.size(); ++i) get = get || iequals(args[i], "get");
    for (KeyPosition& k : *keys) k.flags = get ? kKsRW | kKsAccess | kKsUpdate : kKsOW | kKsUpdate;
  }
  const bool keys_optional = meta != nullptr && (meta->flags & kFlagNoMandatoryKeys) != 0;
  if ((!keys || keys->empty()) && keys_optional) return ctx.out.array(0);  // EVAL ... 0
  if (!keys) return ctx.out.error("ERR Invalid arguments specified for command");
  if (keys->empty()) return ctx.out.error("ERR The command has no key arguments");
  ctx.out.array(keys->size());
  for (const KeyPosition& k : *keys) {
    if (!with_flags) {
      ctx.out.bulk(args[k.index]);
      continue;
    }
    ctx.out.array(2);
    ctx.out.bulk(args[k.index]);
    write_names(ctx.out, k.flags, key_spec_flag_names(), "");
  }
}

void command_help(CommandContext& ctx) {
  static constexpr std::string_view kHelp[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "GETKEYSANDFLAGS <full-command>",
      "    Return the keys and the access flags from a full Redis command.",
      "HELP",
      "    Prints this help."};
  ctx.out.array(std::size(kHelp));
  for (std::string_view line : kHelp) ctx.out.simple(line);
}

}  // namespace

void command(CommandContext& ctx) {
  const auto commands = all_commands();
  const bool all = ctx.args.size() == 1 || (ctx.args.size() == 2 && iequals(ctx.args[1], "info"));
  if (all) {
    ctx.out.array(commands.size());
    for (const CommandSpec& spec : commands) write_entry(ctx.out, spec);
    return;
  }
  std::string_view sub = ctx.args[1];
  if (iequals(sub, "count")) return ctx.out.integer(static_cast<std::int64_t>(commands.size()));
  if (iequals(sub, "docs")) return ctx.out.map(0);
  if (iequals(sub, "list")) {
    ctx.out.array(commands.size());
    for (const CommandSpec& spec : commands) ctx.out.bulk(spec.name);
    return;
  }
  if (iequals(sub, "getkeys")) return command_getkeys(ctx, false);
  if (iequals(sub, "getkeysandflags")) return command_getkeys(ctx, true);
  if (iequals(sub, "info")) {
    ctx.out.array(ctx.args.size() - 2);
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
      const CommandSpec* spec = find_command(ctx.args[i]);
      spec ? write_entry(ctx.out, *spec) : ctx.out.null_array();
    }
    return;
  }
  command_help(ctx);
}

}  // namespace tcpkit::kv::cmd
