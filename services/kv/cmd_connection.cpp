// Connection commands: PING ECHO QUIT SELECT HELLO AUTH RESET (CLIENT is in cmd_client.cpp).

#include "kv/cmd_util.hpp"
#include "tcpkit/codec/resp.hpp"

namespace tcpkit::kv::cmd {

namespace {

constexpr std::string_view kRedisVersion = "7.0.15";  // what clients are told they talk to

// AUTH's check: the only user is "default", with requirepass as its password (or any
// password when requirepass is empty, like Redis's "nopass" default user).
bool credentials_ok(CommandContext& ctx, std::string_view user, std::string_view password) {
  const std::string required = ctx.service.requirepass();
  return user == "default" && (required.empty() || password == required);
}

// Switches the connection to RESP `version` (2 or 3), effective at once: the reply being
// written (HELLO's own, or the rest of an EXEC's) is already in the new version, as in Redis.
// A RESP session's writer is a RespWriter; the native protocol's (TypedWriter) has no version.
void switch_protocol(CommandContext& ctx, int version) {
  ctx.client.resp = version;
  if (auto* resp = dynamic_cast<codec::RespWriter*>(&ctx.out)) {
    resp->set_version(version == 3 ? codec::RespVersion::kResp3 : codec::RespVersion::kResp2);
  }
}

}  // namespace

// Redis's rule for client names and (7.2) CLIENT SETINFO values: printable ASCII, no space,
// so that CLIENT LIST splits on spaces. A plain char is signed: bytes >= 0x80 fail too.
bool valid_client_name(std::string_view name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

void ping(CommandContext& ctx) {
  if (ctx.args.size() > 2) return ctx.out.error(arity_error("ping"));
  if (ctx.client.subscribed() && ctx.client.resp.load() == 2) {  // RESP2's subscriber context
    ctx.out.array(2);
    ctx.out.bulk("pong");
    return ctx.out.bulk(ctx.args.size() == 2 ? ctx.args[1] : std::string_view());
  }
  ctx.args.size() == 2 ? ctx.out.bulk(ctx.args[1]) : ctx.out.simple("PONG");
}

void echo(CommandContext& ctx) { ctx.out.bulk(ctx.args[1]); }

void quit(CommandContext& ctx) {
  ctx.client.close_requested = true;
  ctx.ok();
}

void select(CommandContext& ctx) {
  auto index = util::db_index(ctx, ctx.args[1], KvError::kNotInteger);
  if (!index) return;
  ctx.client.db = *index;
  ctx.ok();
}

void auth(CommandContext& ctx) {
  if (ctx.args.size() > 3) return ctx.error(KvError::kSyntax);
  if (ctx.args.size() == 2 && !ctx.service.password_required()) {
    return ctx.error(KvError::kAuthWithoutPassword);
  }
  const bool ok = ctx.args.size() == 2 ? credentials_ok(ctx, "default", ctx.args[1])
                                       : credentials_ok(ctx, ctx.args[1], ctx.args[2]);
  if (!ok) return ctx.error(KvError::kWrongPass);
  ctx.client.authenticated = true;
  ctx.ok();
}

void hello(CommandContext& ctx) {
  std::size_t i = 1;
  std::int64_t protover = 0;  // 0: keep the current protocol
  if (ctx.args.size() >= 2) {
    auto version = parse_int(ctx.args[i++]);
    if (!version) return ctx.error(KvError::kProtocolVersion);
    // The native protocol has one encoding (typed values): it speaks only "version 2".
    const bool native = ctx.service.protocol() == Protocol::kNative;
    if (*version != 2 && (*version != 3 || native)) return ctx.error(KvError::kNoProto);
    protover = *version;
  }
  std::string_view user, password, name;
  bool has_auth = false, has_name = false;
  for (; i < ctx.args.size(); ++i) {
    const std::size_t more = ctx.args.size() - 1 - i;
    if (iequals(ctx.args[i], "auth") && more >= 2) {
      user = ctx.args[i + 1], password = ctx.args[i + 2], has_auth = true;
      i += 2;
    } else if (iequals(ctx.args[i], "setname") && more >= 1) {
      name = ctx.args[++i], has_name = true;
      if (!valid_client_name(name)) return ctx.error(KvError::kBadClientName);
    } else {
      return ctx.out.error(hello_option_error(ctx.args[i]));
    }
  }
  if (has_auth) {
    if (!credentials_ok(ctx, user, password)) return ctx.error(KvError::kWrongPass);
    ctx.client.authenticated = true;
  }
  if (!ctx.client.authenticated) return ctx.error(KvError::kHelloNoAuth);
  if (has_name) ctx.client.set_name(name);
  if (protover != 0) switch_protocol(ctx, static_cast<int>(protover));
  ctx.out.map(7);  // a flat array of 14 in RESP2
  ctx.out.bulk("server"), ctx.out.bulk("redis");
  ctx.out.bulk("version"), ctx.out.bulk(kRedisVersion);
  ctx.out.bulk("proto"), ctx.out.integer(ctx.client.resp);
  ctx.out.bulk("id"), ctx.out.integer(static_cast<std::int64_t>(ctx.client.id));
  ctx.out.bulk("mode"), ctx.out.bulk("standalone");
  ctx.out.bulk("role"), ctx.out.bulk("master");
  ctx.out.bulk("modules"), ctx.out.array(0);
}

// MONITOR: from now on every command of every client is pushed to this one (monitor.hpp). A
// second MONITOR answers nothing, as in Redis; inside MULTI (or where the connection cannot
// be pushed to) it is refused.
void monitor(CommandContext& ctx) {
  if (ctx.block == nullptr) {
    return ctx.out.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  }
  if (ctx.client.monitor.load()) return;
  ctx.service.monitors().add(ctx.client);
  ctx.client.monitor = true;
  ctx.ok();
}

void reset(CommandContext& ctx) {
  leave_all_subscriptions(ctx.service.pubsub(), ctx.client);
  if (ctx.client.monitor.load()) {
    ctx.service.monitors().remove(ctx.client);
    ctx.client.monitor = false;
  }
  ctx.client.tx.reset();
  ctx.client.multi = -1;
  unwatch_all(ctx);
  ctx.client.db = 0;
  ctx.client.set_name("");
  ctx.client.authenticated = !ctx.service.password_required();
  switch_protocol(ctx, 2);
  ctx.out.simple("RESET");
}

void client_setname(CommandContext& ctx) {
  if (!valid_client_name(ctx.args[2])) return ctx.error(KvError::kBadClientName);
  ctx.client.set_name(ctx.args[2]);
  ctx.ok();
}

}  // namespace tcpkit::kv::cmd
