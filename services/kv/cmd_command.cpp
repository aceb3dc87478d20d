// COMMAND, COMMAND COUNT / INFO / DOCS / LIST / HELP: the command table as clients see it.
// INFO entries have Redis 7.0's ten fields; DOCS answers an empty map (redis-cli then simply
// shows no hints).

#include "kv/cmd_util.hpp"

namespace tcpkit::kv::cmd {

namespace {

constexpr std::pair<CommandFlag, std::string_view> kFlagNames[] = {
    {kWrite, "write"},       {kReadonly, "readonly"},
    {kDenyOom, "denyoom"},   {kAdmin, "admin"},
    {kNoScript, "noscript"}, {kLoading, "loading"},
    {kStale, "stale"},       {kFast, "fast"},
    {kNoAuth, "no_auth"},    {kMovableKeys, "movablekeys"},
};

void write_flags(codec::ReplyWriter& out, std::uint32_t flags) {
  std::size_t n = 0;
  for (const auto& [flag, name] : kFlagNames) n += (flags & flag) ? 1 : 0;
  out.array(n);
  for (const auto& [flag, name] : kFlagNames) {
    if (flags & flag) out.simple(name);
  }
}

void write_categories(codec::ReplyWriter& out, std::uint32_t flags) {
  std::string_view cats[5];
  std::size_t n = 0;
  if (flags & kWrite) cats[n++] = "@write";
  if (flags & kReadonly) cats[n++] = "@read";
  if (flags & kCategoryList) cats[n++] = "@list";
  if (flags & kCategoryHash) cats[n++] = "@hash";
  if (flags & kCategoryZset) cats[n++] = "@sortedset";
  cats[n++] = (flags & kFast) ? "@fast" : "@slow";
  if (flags & kAdmin) cats[n++] = "@admin";
  out.array(n);
  for (std::size_t i = 0; i < n; ++i) out.simple(cats[i]);
}

// One COMMAND INFO entry: name, arity, flags, first key, last key, step, ACL categories,
// tips, key specs, subcommands.
void write_entry(codec::ReplyWriter& out, std::string_view name, int arity, std::uint32_t flags,
                 int first, int last, int step, std::span<const SubcommandSpec> subs) {
  out.array(10);
  out.bulk(name);
  out.integer(arity);
  write_flags(out, flags);
  out.integer(first);
  out.integer(last);
  out.integer(step);
  write_categories(out, flags);
  out.array(0);
  out.array(0);
  out.array(subs.size());
  for (const SubcommandSpec& sub : subs) {
    write_entry(out, sub.full_name, sub.arity, sub.flags, 0, 0, 0, {});
  }
}

void write_entry(codec::ReplyWriter& out, const CommandSpec& spec) {
  write_entry(out, spec.name, spec.arity, spec.flags, spec.first_key, spec.last_key, spec.key_step,
              spec.subcommands);
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
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
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
  if (iequals(sub, "docs")) return ctx.out.array(0);
  if (iequals(sub, "list")) {
    ctx.out.array(commands.size());
    for (const CommandSpec& spec : commands) ctx.out.bulk(spec.name);
    return;
  }
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
