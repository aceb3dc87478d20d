// Pub/sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH,
// SPUBLISH and PUBSUB (see pubsub.hpp for delivery and locking).

#include "kv/command.hpp"
#include "kv/kv_service.hpp"
#include "kv/pubsub.hpp"
#include "kv/text.hpp"

namespace tcpkit::kv {

namespace {

std::unordered_set<std::string>& names_of(ClientState::Subscriptions& s, SubKind kind) {
  return kind == SubKind::kChannel   ? s.channels
         : kind == SubKind::kPattern ? s.patterns
                                     : s.shard_channels;
}

Relaxed<std::int32_t>& count_of(ClientState& c, SubKind kind) {
  return kind == SubKind::kChannel ? c.sub : kind == SubKind::kPattern ? c.psub : c.ssub;
}

// The count a subscription reply shows: channels and patterns together, shard channels alone.
std::int64_t shown_count(const ClientState& c, SubKind kind) {
  return kind == SubKind::kShard ? c.ssub.load() : std::int64_t{c.sub.load()} + c.psub.load();
}

void subscribe(CommandContext& ctx, SubKind kind, std::string_view action) {
  if (ctx.service.protocol() != Protocol::kResp || !ctx.client.outlet) {
    return ctx.out.error("ERR pub/sub needs a RESP connection that can receive pushed messages");
  }
  if (!ctx.client.subscriptions) {
    ctx.client.subscriptions = std::make_unique<ClientState::Subscriptions>();
  }
  auto& names = names_of(*ctx.client.subscriptions, kind);
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    auto [it, added] = names.emplace(ctx.args[i]);
    if (added) {
      ctx.service.pubsub().subscribe(kind, ctx.client, *it);
      count_of(ctx.client, kind) = static_cast<std::int32_t>(names.size());
    }
    write_subscription(ctx.out, action, &*it, shown_count(ctx.client, kind));
  }
}

// Leaves one name (its reply written when `action` is not empty).
void leave(CommandContext* ctx, PubSub& pubsub, ClientState& client, SubKind kind,
           const std::string& name, std::string_view action) {
  pubsub.unsubscribe(kind, client, name);
  auto& names = names_of(*client.subscriptions, kind);
  count_of(client, kind) = static_cast<std::int32_t>(names.size() - 1);
  if (ctx != nullptr) write_subscription(ctx->out, action, &name, shown_count(client, kind));
  names.erase(name);
}

void unsubscribe(CommandContext& ctx, SubKind kind, std::string_view action) {
  ClientState& client = ctx.client;
  PubSub& pubsub = ctx.service.pubsub();
  if (ctx.args.size() == 1) {  // every name of this kind; a null name when there is none
    if (!client.subscriptions || names_of(*client.subscriptions, kind).empty()) {
      return write_subscription(ctx.out, action, nullptr, shown_count(client, kind));
    }
    auto& names = names_of(*client.subscriptions, kind);
    while (!names.empty()) {
      const std::string name = *names.begin();
      leave(&ctx, pubsub, client, kind, name, action);
    }
  } else {
    for (std::size_t i = 1; i < ctx.args.size(); ++i) {
      const std::string name(ctx.args[i]);
      if (client.subscriptions && names_of(*client.subscriptions, kind).contains(name)) {
        leave(&ctx, pubsub, client, kind, name, action);
      } else {
        write_subscription(ctx.out, action, &name, shown_count(client, kind));
      }
    }
  }
  if (!client.subscribed()) client.subscriptions.reset();
}

// The publisher's own message goes where its command's output goes: the session's target
// (inside a script, the caller's reply stream, not the script's), else this context's.
void publish_kind(CommandContext& ctx, SubKind kind) {
  NotifyTarget own = KeyspaceEvents::target();
  if (own.out == nullptr) own = {&ctx.client, &ctx.out};
  ctx.out.integer(ctx.service.pubsub().publish(kind, ctx.args[1], ctx.args[2], own.self, own.out));
}

void write_names(CommandContext& ctx, SubKind kind) {
  if (ctx.args.size() > 3) return ctx.out.error(subcommand_syntax_error("pubsub", ctx.args[1]));
  const std::string_view* pattern = ctx.args.size() == 3 ? &ctx.args[2] : nullptr;
  const auto names = ctx.service.pubsub().channels(kind, pattern);
  ctx.out.array(names.size());
  for (const auto& n : names) ctx.out.bulk(n);
}

void write_numsub(CommandContext& ctx, SubKind kind) {
  // A flat array of name, count pairs under RESP3 too (Redis 7.0 does not make it a map).
  ctx.out.array(2 * (ctx.args.size() - 2));
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.out.bulk(ctx.args[i]);
    ctx.out.integer(static_cast<std::int64_t>(ctx.service.pubsub().subscribers(kind, ctx.args[i])));
  }
}

void pubsub_help(CommandContext& ctx) {
  static constexpr std::string_view kHelp[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help."};
  ctx.out.array(std::size(kHelp));
  for (std::string_view line : kHelp) ctx.out.simple(line);
}

}  // namespace

void leave_all_subscriptions(PubSub& pubsub, ClientState& client) {
  if (!client.subscriptions) return;
  for (SubKind kind : {SubKind::kChannel, SubKind::kPattern, SubKind::kShard}) {
    auto& names = names_of(*client.subscriptions, kind);
    for (const std::string& name : names) pubsub.unsubscribe(kind, client, name);
    names.clear();
    count_of(client, kind) = 0;
  }
  client.subscriptions.reset();
}

namespace cmd {

void subscribe(CommandContext& ctx) { kv::subscribe(ctx, SubKind::kChannel, "subscribe"); }
void psubscribe(CommandContext& ctx) { kv::subscribe(ctx, SubKind::kPattern, "psubscribe"); }
void ssubscribe(CommandContext& ctx) { kv::subscribe(ctx, SubKind::kShard, "ssubscribe"); }
void unsubscribe(CommandContext& ctx) { kv::unsubscribe(ctx, SubKind::kChannel, "unsubscribe"); }
void punsubscribe(CommandContext& ctx) { kv::unsubscribe(ctx, SubKind::kPattern, "punsubscribe"); }
void sunsubscribe(CommandContext& ctx) { kv::unsubscribe(ctx, SubKind::kShard, "sunsubscribe"); }
void publish(CommandContext& ctx) { publish_kind(ctx, SubKind::kChannel); }
void spublish(CommandContext& ctx) { publish_kind(ctx, SubKind::kShard); }

void pubsub(CommandContext& ctx) {
  const std::string_view sub = ctx.args[1];
  if (iequals(sub, "channels")) return write_names(ctx, SubKind::kChannel);
  if (iequals(sub, "shardchannels")) return write_names(ctx, SubKind::kShard);
  if (iequals(sub, "numsub")) return write_numsub(ctx, SubKind::kChannel);
  if (iequals(sub, "shardnumsub")) return write_numsub(ctx, SubKind::kShard);
  if (iequals(sub, "numpat")) {
    return ctx.out.integer(static_cast<std::int64_t>(ctx.service.pubsub().pattern_count()));
  }
  pubsub_help(ctx);
}

}  // namespace cmd
}  // namespace tcpkit::kv
