// KvSession: command dispatch — lookup, arity, auth, OOM, MULTI queueing (see kv_session.hpp).

#include "kv/kv_session.hpp"

#include <vector>

#include "kv/command_meta.hpp"
#include "kv/errors.hpp"

namespace tcpkit::kv {

namespace {

bool arity_ok(int arity, std::size_t argc) {
  const auto n = static_cast<std::size_t>(arity < 0 ? -arity : arity);
  return arity < 0 ? argc >= n : argc == n;
}

// What a RESP2 client may run while subscribed (Redis's processCommand).
bool allowed_while_subscribed(const CommandSpec& spec) {
  const Handler h = spec.handler;
  return h == cmd::ping || h == cmd::subscribe || h == cmd::ssubscribe || h == cmd::unsubscribe ||
         h == cmd::sunsubscribe || h == cmd::psubscribe || h == cmd::punsubscribe ||
         h == cmd::quit || h == cmd::reset;
}

// While a script runs past busy-reply-threshold only Redis's allow-busy commands run (SCRIPT
// KILL, AUTH, HELLO, ...); the others get BUSY, and a session waiting for the script's shards
// stops waiting (the probe below).
constexpr std::string_view kBusyError =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
bool allowed_while_busy(std::string_view full_name) {
  const CommandMeta* meta = find_command_meta(full_name);
  return meta != nullptr && (meta->flags & kFlagAllowBusy) != 0;
}
bool script_busy_probe(const void* service) {
  return static_cast<const KvService*>(service)->script_busy();
}

// Redis's client-output-buffer-limit for the pubsub class (32 MiB hard, 8 MiB for 60 s).
constexpr server::OutputLimitSet kPubSubOutputLimits{32u << 20, 8u << 20, std::chrono::seconds(60)};

}  // namespace

KvSession::KvSession(KvService& service, const server::SessionInfo& info) : service_(service) {
  client_.id = info.id != 0 ? info.id : service.clients().next_local_id();
  client_.peer = info.peer;
  client_.local = info.local;
  client_.fd = info.fd;
  client_.outlet = info.outlet;
  client_.created_ms = service.store().clock().now_ms();
  client_.last_ms = client_.created_ms;
  const bool no_password = !service.password_required();
  client_.authenticated = no_password;
  rejected_ = service.clients().size() >= service.config().max_clients;
  denied_ = service.config().protected_mode && no_password && !info.peer_is_local;
  service.clients().add(&client_);
}

KvSession::~KvSession() {
  lock_.unlock();
  if (!client_.watched.empty()) {
    ShardLock lock(service_.store().shards(), watched_shards());
    for (const WatchedKey& w : client_.watched) service_.store().db(w.db).unwatch(w.key);
  }
  leave_all_subscriptions(service_.pubsub(), client_);
  service_.clients().remove(&client_);
}

std::optional<server::OutputLimitSet> KvSession::output_limits() const {
  if (client_.subscribed()) return kPubSubOutputLimits;
  return std::nullopt;
}

std::optional<std::string_view> KvSession::refusal() const {
  if (rejected_) return error_text(KvError::kMaxClients);
  if (denied_) return error_text(KvError::kProtectedMode);
  return std::nullopt;
}

bool KvSession::execute(std::span<const std::string_view> args, codec::ReplyWriter& out) {
  const bool close = dispatch(args, out);
  release_shards();
  return close;
}

ShardMask KvSession::watched_shards() const {
  ShardMask mask = 0;
  for (const WatchedKey& w : client_.watched) mask |= shard_bit(w.key);
  return mask;
}

ShardMask KvSession::shards_for(const CommandSpec& spec,
                                std::span<const std::string_view> args) const {
  // The common case first: one key at argument 1 (GET, SET, HSET, ...).
  if (spec.first_key == 1 && spec.last_key == 1 && (spec.flags & kMovableKeys) == 0) {
    const std::size_t shard = shard_of(args[1]);
    route_memo() = RouteMemo{args[1].data(), args[1].size(), shard};
    return ShardMask{1} << shard;
  }
  if (spec.handler == cmd::discard || spec.handler == cmd::unwatch || spec.handler == cmd::reset) {
    return watched_shards();
  }
  if (spec.handler != cmd::exec) return command_shards(spec, args);
  ShardMask mask = watched_shards();
  if (!client_.tx) return mask;
  std::vector<std::string_view> queued_args;
  for (const QueuedCommand& q : client_.tx->queued) {
    queued_args.assign(q.args.begin(), q.args.end());
    mask |= command_shards(*q.spec, queued_args);
    if (mask == kAllShards) break;
  }
  return mask;
}

void KvSession::reject(codec::ReplyWriter& out, std::string_view text, const CommandSpec* spec) {
  if (spec == nullptr || spec->handler != cmd::exec) {
    if (client_.tx) client_.tx->failed = true;
    return out.error(text);
  }
  // EXEC itself refused (in a transaction or not): any transaction is discarded, as Redis's
  // execCommandAbort() does, with the reason after EXECABORT ("ERR " dropped, other codes
  // kept).
  client_.tx.reset();
  client_.multi = -1;
  if (!client_.watched.empty()) {
    lock_.cover(service_.store().shards(), watched_shards());
    for (const WatchedKey& w : client_.watched) service_.store().db(w.db).unwatch(w.key);
    client_.watched.clear();
  }
  if (text.starts_with("ERR ")) text.remove_prefix(4);
  out.error("EXECABORT Transaction discarded because of: " + std::string(text));
}

bool KvSession::out_of_memory(std::uint32_t flags) {
  const std::uint64_t limit = service_.config().maxmemory;
  if (limit == 0) return false;
  const bool denyoom = (flags & kDenyOom) != 0;
  return denyoom && service_.store().used_memory() > limit;
}

// Finds the command (and subcommand) and checks their arity; nullptr after replying the error.
// `flags` receives the flags that apply (the subcommand's for a container).
const CommandSpec* KvSession::resolve(std::span<const std::string_view> args,
                                      codec::ReplyWriter& out, std::uint32_t& flags) {
  const CommandSpec* spec = find_command(args[0]);
  if (spec == nullptr) {
    reject(out, unknown_command_error(args));
    return nullptr;
  }
  client_.last_command = &spec->name;
  if (!arity_ok(spec->arity, args.size())) {
    reject(out, arity_error(spec->name));
    return nullptr;
  }
  flags = spec->flags;
  if (spec->subcommands.empty() || args.size() < 2) return spec;
  const SubcommandSpec* sub = find_subcommand(*spec, args[1]);
  if (sub == nullptr) {
    reject(out, unknown_subcommand_error(spec->name, args[1]));
    return nullptr;
  }
  client_.last_command = &sub->full_name;
  if (!arity_ok(sub->arity, args.size())) {
    reject(out, arity_error(sub->full_name));
    return nullptr;
  }
  flags = sub->flags;
  return spec;
}

bool KvSession::dispatch(std::span<const std::string_view> args, codec::ReplyWriter& out) {
  service_.count_command();
  const std::int64_t now_ms = service_.store().clock().now_ms();
  client_.last_ms = now_ms;
  std::uint32_t flags = 0;
  const CommandSpec* spec = resolve(args, out, flags);
  if (spec == nullptr) return false;
  if (auth_required() && (flags & kNoAuth) == 0) {
    reject(out, error_text(KvError::kNoAuth), spec);
    return false;
  }
  // EXEC is refused when over maxmemory if any queued command could add memory.
  const bool exec_with_writes = spec->handler == cmd::exec && client_.tx;
  if (out_of_memory(exec_with_writes ? client_.tx->flags : flags)) {
    reject(out, error_text(KvError::kOom), spec);
    return false;
  }
  if (client_.resp.load() == 2 && client_.subscribed() && !allowed_while_subscribed(*spec)) {
    reject(out, "ERR Can't execute '" + std::string(*client_.last_command.load()) +
                    "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed "
                    "in this context",
           spec);
    return false;
  }
  if (service_.script_busy() && !allowed_while_busy(*client_.last_command.load())) {
    reject(out, kBusyError, spec);
    return false;
  }
  if (client_.tx && (flags & kNoMultiQueue) == 0) {
    QueuedCommand& queued = client_.tx->queued.emplace_back(QueuedCommand{spec, {}});
    queued.args.assign(args.begin(), args.end());
    client_.tx->flags |= flags;
    client_.multi = static_cast<std::int64_t>(client_.tx->queued.size());
    out.simple("QUEUED");
    return false;
  }
  if (!lock_.cover(service_.store().shards(), shards_for(*spec, args), script_busy_probe,
                   &service_)) {
    reject(out, kBusyError, spec);
    return false;
  }
  CommandContext ctx{args, out, service_, service_.store(), client_, now_ms};
  spec->handler(ctx);
  route_memo() = RouteMemo{};
  return client_.close_requested;
}

}  // namespace tcpkit::kv
