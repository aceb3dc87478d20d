// KvSession: command dispatch — lookup, arity, auth, OOM, MULTI queueing (see kv_session.hpp).

#include "kv/kv_session.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kv/aof_propagate.hpp"
#include "kv/command_meta.hpp"
#include "kv/errors.hpp"
#include "kv/text.hpp"
#include "tcpkit/codec/resp.hpp"

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
  if (waiter_) {
    (void)waiter_->move(Waiter::kBlocked, Waiter::kGone);
    unblock();
  }
  if (!client_.watched.empty()) {
    ShardLock lock(service_.store().shards(), watched_shards());
    for (const WatchedKey& w : client_.watched) service_.store().db(w.db).unwatch(w.key);
  }
  leave_all_subscriptions(service_.pubsub(), client_);
  if (client_.monitor.load()) service_.monitors().remove(client_);
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
  // SHUTDOWN beside a busy script cannot have the shards: it runs without them (and may then
  // only stop the server at once with NOSAVE, cmd_persistence.cpp).
  if (spec.handler == cmd::shutdown && service_.script_busy()) return 0;
  // CONFIG SET may start the append-only file, whose base is the whole store.
  if (spec.handler == cmd::config && args.size() > 2 && iequals(args[1], "set")) return kAllShards;
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
  // An EXEC refused with BUSY may be served by the busy script's own thread (its loop serving
  // others, scripting.hpp): waiting there for the script's shards would never end, so the
  // watches stay (UNWATCH, the next EXEC or the close drops them) when the wait gives up.
  if (!client_.watched.empty() &&
      lock_.cover(service_.store().shards(), watched_shards(), script_busy_probe, &service_)) {
    for (const WatchedKey& w : client_.watched) service_.store().db(w.db).unwatch(w.key);
    client_.watched.clear();
  }
  if (text.starts_with("ERR ")) text.remove_prefix(4);
  out.error("EXECABORT Transaction discarded because of: " + std::string(text));
}

// Over maxmemory, every command first evicts keys as maxmemory-policy says (taking the shards
// it evicts from one at a time, so it lets go of any it holds first); a command that may add
// memory is refused while memory stays over the limit.
bool KvSession::out_of_memory(std::uint32_t flags) {
  const KvConfig& config = service_.config();
  const std::uint64_t limit = config.maxmemory;
  if (limit == 0 || trusted_) return false;
  Store& store = service_.store();
  if (store.used_memory() <= limit) return false;
  const EvictionPolicy policy = config.maxmemory_policy.load();
  if (policy != EvictionPolicy::kNoEviction) {
    lock_.unlock();
    // Evicted keys go to the append-only file as DEL, as expired ones do.
    Keyspace::ExpiryScope evicted(service_.aof().enabled() ? &service_.aof() : nullptr);
    if (store.evict(policy, limit, static_cast<int>(config.maxmemory_samples.load()))) return false;
  }
  return (flags & kDenyOom) != 0;
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
    reject(out,
           "ERR Can't execute '" + std::string(*client_.last_command.load()) +
               "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed "
               "in this context",
           spec);
    return false;
  }
  if (client_.tx && (flags & kNoMulti) != 0) {
    reject(out, error_text(KvError::kNotInTransaction));
    return false;
  }
  if (client_.monitor.load() && (flags & (kReadonly | kWrite)) != 0) {
    reject(out, "ERR Replica can't interact with the keyspace", spec);
    return false;
  }
  if (service_.script_busy() && !allowed_while_busy(*client_.last_command.load())) {
    reject(out, service_.busy_error(), spec);
    return false;
  }
  // Redis's writeCommandsDeniedByDiskError(): writes, and PING, while the disk fails us.
  if (((flags & kWrite) != 0 || spec->handler == cmd::ping ||
       (exec_with_writes && (client_.tx->flags & kWrite) != 0)) &&
      (service_.aof().write_failed() || !service_.snapshots().last_bgsave_ok())) {
    if (std::string why = service_.disk_error(); !why.empty()) {
      reject(out, why, spec);
      return false;
    }
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
    reject(out, service_.busy_error(), spec);
    return false;
  }
  // A connection that cannot be woken (no outlet, or the native protocol, which has no framing
  // for a reply written by another thread) answers blocking commands as if they timed out.
  const bool may_block = client_.outlet && service_.protocol() == Protocol::kResp;
  BlockRequest request;
  CommandContext ctx{
      args, out, service_, service_.store(), client_, now_ms, may_block ? &request : nullptr};
  {
    const KeyspaceEvents::Scope own_events({&client_, &out});
    // Keys found expired (and deleted) while this command runs are logged as DEL.
    Keyspace::ExpiryScope expiry(service_.aof().enabled() ? &service_.aof() : nullptr);
    if (service_.aof().enabled()) {
      // The records go to the log before the shards are let go: the log's order is the store's.
      // One batch per thread keeps its storage from command to command.
      thread_local AofBatch batch;
      ctx.aof = &batch;
      aof::run_and_log(*spec, ctx);
      if (!batch.empty()) aof_mark_ = service_.aof().append(batch);
      batch.clear();
    } else {
      spec->handler(ctx);
    }
  }
  route_memo() = RouteMemo{};
  if (request.active) block(spec, args, request);
  if (service_.monitors().any())
    service_.monitors().feed(client_, *client_.last_command.load(), args);
  if (!BlockedClients::ready().empty()) serve_ready_keys(now_ms);
  return client_.close_requested;
}

void KvSession::block(const CommandSpec* spec, std::span<const std::string_view> args,
                      const BlockRequest& r) {
  auto w = std::make_shared<Waiter>();
  w->client_id = client_.id;
  w->db = client_.db.load();
  w->resp = client_.resp.load();
  w->spec = spec;
  w->args.assign(args.begin(), args.end());
  for (std::string_view k : r.keys) {
    if (std::find(w->keys.begin(), w->keys.end(), k) == w->keys.end()) w->keys.emplace_back(k);
  }
  w->type = r.type;
  if (r.destination) w->destination = std::string(*r.destination);
  w->deadline = r.deadline;
  w->zero_on_timeout = r.zero_on_timeout;
  w->outlet = client_.outlet;
  service_.store().blocked().add(w);
  waiter_ = std::move(w);
  client_.blocked = true;
}

void KvSession::unblock() {
  service_.store().blocked().remove(*waiter_);
  waiter_.reset();
  client_.blocked = false;
}

std::optional<std::chrono::steady_clock::time_point> KvSession::postponed(
    std::span<const std::string_view> args) {
  const std::int64_t end = service_.pause().end_ms.load();
  if (end == 0) return std::nullopt;
  const std::int64_t now = service_.store().clock().now_ms();
  if (now >= end) return std::nullopt;
  if (!service_.pause().all.load()) {
    // WRITE: only what writes or may replicate (PUBLISH, EVAL), and an EXEC of such commands.
    const CommandSpec* spec = find_command(args[0]);
    if (spec == nullptr) return std::nullopt;
    std::string_view name = spec->name;
    if (!spec->subcommands.empty() && args.size() >= 2) {
      if (const SubcommandSpec* sub = find_subcommand(*spec, args[1])) name = sub->full_name;
    }
    // Redis's may_replicate commands (its COMMAND INFO does not show that flag).
    static constexpr std::string_view kMayReplicate[] = {"eval",    "evalsha",  "fcall",
                                                         "publish", "spublish", "pfcount"};
    const CommandMeta* meta = find_command_meta(name);
    const bool writes =
        (meta != nullptr && (meta->flags & kFlagWrite) != 0) ||
        std::find(std::begin(kMayReplicate), std::end(kMayReplicate), name) !=
            std::end(kMayReplicate) ||
        (spec->handler == cmd::exec && client_.tx && (client_.tx->flags & kWrite) != 0);
    if (!writes) return std::nullopt;
  }
  if (client_.outlet) service_.pause().wait(client_.outlet);
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(end - now);
}

std::optional<std::chrono::steady_clock::time_point> KvSession::block_deadline() const {
  return waiter_ ? waiter_->deadline : std::nullopt;
}

KvSession::Resumed KvSession::resume_blocked() {
  Waiter& w = *waiter_;
  const auto now = std::chrono::steady_clock::now();
  int state = w.state.load(std::memory_order_acquire);
  if (state == Waiter::kBlocked && w.deadline && now >= *w.deadline) {
    state = w.move(Waiter::kBlocked, Waiter::kTimedOut) ? int{Waiter::kTimedOut}
                                                        : w.state.load(std::memory_order_acquire);
  }
  Resumed r;
  switch (state) {
    case Waiter::kBlocked:
      r.wake_at = w.deadline;
      return r;
    case Waiter::kClaimed:  // being served right now: its server wakes us when done
      r.wake_at = now + std::chrono::milliseconds(1);
      return r;
    case Waiter::kServed:
      r.kind = Resumed::kServed;
      r.reply = std::move(w.reply);
      aof_mark_ = std::max(aof_mark_, w.aof_mark);
      break;
    case Waiter::kUnblockError:
      r.kind = Resumed::kUnblockError;
      break;
    case Waiter::kRetry:
      r.kind = Resumed::kRetry;
      r.args = std::move(w.args);
      break;
    default:  // timed out, or CLIENT UNBLOCK ... TIMEOUT: a null array, BLMOVE's too (Redis 7.0)
      r.kind = w.zero_on_timeout ? Resumed::kZero : Resumed::kNull;
      break;
  }
  unblock();
  return r;
}

void KvSession::serve_ready_keys(std::int64_t now_ms) {
  // Events of the pops made for waiters reach this client, if subscribed, through its outlet:
  // after its own reply, as Redis serves blocked clients after the command.
  const KeyspaceEvents::Scope no_own_events({});
  auto& ready = BlockedClients::ready();
  // Serving may make more keys ready (BLMOVE's destination): they are served in turn.
  for (std::size_t i = 0; i < ready.size(); ++i) {
    const BlockedClients::ReadyKey k = ready[i];
    serve_key(k.db, k.key, now_ms);
  }
  ready.clear();
}

void KvSession::serve_key(int db, const std::string& key, std::int64_t now_ms) {
  Store& store = service_.store();
  if ((lock_.held() & shard_bit(key)) == 0) return;  // not written under this lock
  for (const std::shared_ptr<Waiter>& w : store.blocked().waiters(db, key)) {
    KeyEntry* e = store.db(db).find(key, now_ms, false);
    if (e == nullptr) return;                // nothing left to serve
    if (e->value.type != w->type) continue;  // waits for another type: stays blocked
    if (w->destination && !lock_.try_add(shard_bit(*w->destination))) {
      // Its destination's shard is busy and not ours to wait for: it serves itself.
      if (w->move(Waiter::kBlocked, Waiter::kRetry)) w->outlet->wake();
      continue;
    }
    if (!w->move(Waiter::kBlocked, Waiter::kClaimed)) continue;  // timed out, gone, served
    io::Buffer reply;
    codec::RespWriter writer(
        reply, w->resp == 3 ? codec::RespVersion::kResp3 : codec::RespVersion::kResp2);
    ClientState stand_in;  // the waiter's own state belongs to its thread
    stand_in.id = w->client_id;
    stand_in.db = db;
    stand_in.resp = w->resp;
    std::vector<std::string_view> args(w->args.begin(), w->args.end());
    const std::string_view serving = key;
    CommandContext ctx{args, writer, service_, store, stand_in, now_ms, nullptr, &serving};
    w->spec->handler(ctx);
    route_memo() = RouteMemo{};
    if (reply.empty()) {  // nothing to pop after all
      w->state.store(Waiter::kBlocked, std::memory_order_release);
      return;
    }
    w->reply.assign(reply.view());
    if (service_.aof().enabled()) {
      AofBatch batch;
      aof::log_served(batch, *w->spec, w->args, db, key);
      w->aof_mark = service_.aof().append(batch);
    }
    w->state.store(Waiter::kServed, std::memory_order_release);
    w->outlet->wake();
  }
}

}  // namespace tcpkit::kv
