// CLIENT ID / SETNAME / GETNAME / LIST / INFO / SETINFO / HELP.

#include <algorithm>
#include <string>
#include <vector>

#include "kv/cmd_util.hpp"

namespace tcpkit::kv::cmd {

// cmd_connection.cpp, beside HELLO's SETNAME.
void client_setname(CommandContext& ctx);
bool valid_client_name(std::string_view name);

namespace {

// One CLIENT LIST line, in Redis 7.0's field order; buffer figures kv does not track are 0.
void append_client_line(std::string& out, const ClientState& c, std::int64_t now_ms) {
  auto field = [&out](std::string_view name, std::string_view value) {
    out += name, out += '=', out += value, out += ' ';
  };
  auto number = [&out](std::string_view name, std::int64_t value) {
    out += name, out += '=', append_int(out, value), out += ' ';
  };
  number("id", static_cast<std::int64_t>(c.id));
  field("addr", c.peer);
  field("laddr", c.local);
  number("fd", c.fd);
  field("name", c.name_copy());
  number("age", (now_ms - c.created_ms) / 1000);
  number("idle", (now_ms - c.last_ms) / 1000);
  const std::int64_t multi = c.multi;
  // Redis's flag letters, in its order: P subscribed, x in MULTI; N for none.
  std::string flags;
  if (c.monitor.load()) flags += 'O';
  if (c.subscribed()) flags += 'P';
  if (multi >= 0) flags += 'x';
  if (c.blocked.load()) flags += 'b';
  if (c.no_evict.load()) flags += 'e';
  field("flags", flags.empty() ? "N" : flags);
  number("db", c.db);
  number("sub", c.sub);
  number("psub", c.psub);
  number("ssub", c.ssub);
  number("multi", multi);
  out += "qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 ";
  field("events", "r");
  field("cmd", *c.last_command.load());
  out += "user=default redir=-1 ";
  number("resp", c.resp);
  out.back() = '\n';
}

void client_list(CommandContext& ctx) {
  std::vector<std::uint64_t> ids;
  // TYPE: normal or pubsub (a subscribed client); master and replica match nobody here.
  enum class Type { kAny, kNormal, kPubSub, kNone } type = Type::kAny;
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    if (iequals(ctx.args[i], "type") && i + 1 < ctx.args.size()) {
      const std::string_view t = ctx.args[++i];
      if (iequals(t, "normal")) {
        type = Type::kNormal;
      } else if (iequals(t, "pubsub")) {
        type = Type::kPubSub;
      } else if (iequals(t, "master") || iequals(t, "replica") || iequals(t, "slave")) {
        type = Type::kNone;
      } else {
        return ctx.out.error(unknown_client_type_error(t));
      }
    } else if (iequals(ctx.args[i], "id") && i + 1 < ctx.args.size()) {
      for (++i; i < ctx.args.size(); ++i) {
        auto id = parse_int(ctx.args[i]);
        if (!id || *id <= 0) return ctx.error(KvError::kInvalidClientId);
        ids.push_back(static_cast<std::uint64_t>(*id));
      }
    } else {
      return ctx.error(KvError::kSyntax);
    }
  }
  std::string text;
  ctx.service.clients().for_each([&](const ClientState& c) {
    const bool type_ok = type == Type::kAny || (type == Type::kNormal && !c.subscribed()) ||
                         (type == Type::kPubSub && c.subscribed());
    if (type_ok && (ids.empty() || std::find(ids.begin(), ids.end(), c.id) != ids.end())) {
      append_client_line(text, c, ctx.now_ms);
    }
  });
  ctx.out.verbatim("txt", text);
}

// CLIENT SETINFO LIB-NAME|LIB-VER value, as Redis 7.2 answers it (7.0 has no such
// subcommand, but the clients that send it on connect log its "unknown subcommand" error).
// The value is checked and acknowledged, not kept: CLIENT LIST and CLIENT INFO keep Redis
// 7.0's fields, which have no lib-name or lib-ver to show it in.
void client_setinfo(CommandContext& ctx) {
  std::string_view attribute = ctx.args[2];
  if (!iequals(attribute, "lib-name") && !iequals(attribute, "lib-ver")) {
    return ctx.out.error(setinfo_option_error(attribute));
  }
  if (!valid_client_name(ctx.args[3])) return ctx.out.error(setinfo_value_error(attribute));
  ctx.ok();
}

void client_help(CommandContext& ctx) {
  static constexpr std::string_view kHelp[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL)",
      "      Return clients of specified type.",
      "    * ID <client-id> [<client-id> ...]",
      "      Return clients of specified IDs only.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "HELP",
      "    Prints this help."};
  ctx.out.array(std::size(kHelp));
  for (std::string_view line : kHelp) ctx.out.simple(line);
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 when the client was blocked and is now answered.
void client_unblock(CommandContext& ctx) {
  if (ctx.args.size() > 4) return ctx.out.error(subcommand_syntax_error("client", ctx.args[1]));
  auto id = parse_int(ctx.args[2]);
  if (!id) return ctx.error(KvError::kNotInteger);
  int outcome = Waiter::kUnblockTimeout;
  if (ctx.args.size() == 4) {
    if (iequals(ctx.args[3], "error")) {
      outcome = Waiter::kUnblockError;
    } else if (!iequals(ctx.args[3], "timeout")) {
      return ctx.out.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  }
  auto w = *id > 0 ? ctx.store.blocked().of_client(static_cast<std::uint64_t>(*id)) : nullptr;
  if (!w || !w->move(Waiter::kBlocked, outcome)) return ctx.out.integer(0);
  w->outlet->wake();
  ctx.out.integer(1);
}

// CLIENT KILL addr:port (the old form: OK or an error), or CLIENT KILL with filters (ID, TYPE,
// USER, ADDR, LADDR, SKIPME, MAXAGE: how many were killed). Another client is killed through
// its outlet (closed without its pending output, as Redis's freeClientAsync); the caller,
// when it matches, closes once this reply is written.
void client_kill(CommandContext& ctx) {
  struct Filter {
    std::optional<std::uint64_t> id;
    std::optional<bool> pubsub;  // TYPE pubsub: true, normal: false
    bool type_none = false;      // master/replica: nobody here
    std::optional<std::string_view> addr, laddr;
    bool skipme = true;
    std::int64_t max_age = 0;
  } f;
  const bool old_form = ctx.args.size() == 3;
  if (old_form) {
    f.addr = ctx.args[2];
    f.skipme = false;
  } else {
    if (ctx.args.size() % 2 != 0) return ctx.error(KvError::kSyntax);
    for (std::size_t i = 2; i < ctx.args.size(); i += 2) {
      const std::string_view name = ctx.args[i], value = ctx.args[i + 1];
      if (iequals(name, "id")) {
        auto id = parse_int(value);
        if (!id || *id <= 0) return ctx.out.error("ERR client-id should be greater than 0");
        f.id = static_cast<std::uint64_t>(*id);
      } else if (iequals(name, "type")) {
        if (iequals(value, "normal")) {
          f.pubsub = false;
        } else if (iequals(value, "pubsub")) {
          f.pubsub = true;
        } else if (iequals(value, "master") || iequals(value, "replica") ||
                   iequals(value, "slave")) {
          f.type_none = true;
        } else {
          return ctx.out.error(unknown_client_type_error(value));
        }
      } else if (iequals(name, "user")) {
        if (value != "default")
          return ctx.out.error("ERR No such user '" + std::string(value) + "'");
      } else if (iequals(name, "addr")) {
        f.addr = value;
      } else if (iequals(name, "laddr")) {
        f.laddr = value;
      } else if (iequals(name, "skipme")) {
        if (iequals(value, "yes")) {
          f.skipme = true;
        } else if (iequals(value, "no")) {
          f.skipme = false;
        } else {
          return ctx.error(KvError::kSyntax);
        }
      } else if (iequals(name, "maxage")) {
        auto age = parse_int(value);
        if (!age) return ctx.error(KvError::kSyntax);
        f.max_age = *age;
      } else {
        return ctx.error(KvError::kSyntax);
      }
    }
  }
  std::vector<std::shared_ptr<server::Outlet>> victims;
  bool self = false;
  if (!f.type_none) {
    ctx.service.clients().for_each([&](const ClientState& c) {
      if (f.id && c.id != *f.id) return;
      if (f.pubsub && c.subscribed() != *f.pubsub) return;
      if (f.addr && c.peer != *f.addr) return;
      if (f.laddr && c.local != *f.laddr) return;
      if (f.max_age != 0 && (ctx.now_ms - c.created_ms) / 1000 < f.max_age) return;
      if (&c == &ctx.client) {
        self = !f.skipme;
      } else if (c.outlet) {
        victims.push_back(c.outlet);
      }
    });
  }
  for (const auto& outlet : victims) outlet->kill();
  if (self) ctx.client.close_requested = true;
  const auto killed = static_cast<std::int64_t>(victims.size()) + (self ? 1 : 0);
  if (!old_form) return ctx.out.integer(killed);
  if (killed == 0) return ctx.out.error("ERR No such client");
  ctx.ok();
}

// CLIENT REPLY ON|OFF|SKIP (protocol_sessions.cpp mutes the replies).
void client_reply(CommandContext& ctx) {
  const std::string_view mode = ctx.args[2];
  if (iequals(mode, "on")) {
    ctx.client.reply_off = false;
    ctx.client.reply_skip_next = false;
    return ctx.ok();
  }
  if (iequals(mode, "off")) {
    ctx.client.reply_off = true;
  } else if (iequals(mode, "skip")) {
    if (!ctx.client.reply_off) ctx.client.reply_skip_next = true;
  } else {
    ctx.error(KvError::kSyntax);
  }
}

void client_no_evict(CommandContext& ctx) {
  const std::string_view mode = ctx.args[2];
  if (iequals(mode, "on")) {
    ctx.client.no_evict = true;
  } else if (iequals(mode, "off")) {
    ctx.client.no_evict = false;
  } else {
    return ctx.error(KvError::kSyntax);
  }
  ctx.ok();
}

// CLIENT PAUSE timeout [WRITE|ALL] and CLIENT UNPAUSE (ClientPause in kv_service.hpp).
void client_pause(CommandContext& ctx) {
  if (ctx.args.size() > 4) return ctx.out.error(subcommand_syntax_error("client", ctx.args[1]));
  auto timeout = parse_int(ctx.args[2]);
  if (!timeout) return ctx.error(KvError::kTimeoutNotInteger);
  if (*timeout < 0) return ctx.out.error("ERR timeout is negative");
  bool all = true;
  if (ctx.args.size() == 4) {
    if (iequals(ctx.args[3], "write")) {
      all = false;
    } else if (!iequals(ctx.args[3], "all")) {
      return ctx.out.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    }
  }
  ctx.service.pause().pause(ctx.now_ms + *timeout, all, ctx.now_ms);
  // Expiry stops too (lazy and active), as Redis keeps expired keys through a pause.
  ctx.store.pause_expiry_until(ctx.service.pause().end_ms.load());
  ctx.ok();
}

}  // namespace

// WAIT numreplicas timeout: kv has no replicas, so 0 at once when none are asked for (or where
// the client may not block), otherwise 0 when the timeout (0: never) passes or CLIENT UNBLOCK.
void wait(CommandContext& ctx) {
  auto replicas = parse_int(ctx.args[1]);
  if (!replicas) return ctx.error(KvError::kNotInteger);
  auto timeout = parse_int(ctx.args[2]);
  if (!timeout) return ctx.error(KvError::kNotInteger);
  if (*timeout < 0) return ctx.out.error("ERR timeout is negative");
  if (*replicas <= 0 || ctx.block == nullptr) return ctx.out.integer(0);
  BlockRequest& r = *ctx.block;
  r.active = true;
  r.keys.clear();
  r.zero_on_timeout = true;
  if (*timeout > 0) {
    r.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(*timeout);
  }
}

void client(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  if (iequals(sub, "id")) return ctx.out.integer(static_cast<std::int64_t>(ctx.client.id));
  if (iequals(sub, "setname")) return client_setname(ctx);
  if (iequals(sub, "getname")) {
    return ctx.client.name.empty() ? ctx.out.null() : ctx.out.bulk(ctx.client.name);
  }
  if (iequals(sub, "list")) return client_list(ctx);
  if (iequals(sub, "setinfo")) return client_setinfo(ctx);
  if (iequals(sub, "unblock")) return client_unblock(ctx);
  if (iequals(sub, "kill")) return client_kill(ctx);
  if (iequals(sub, "reply")) return client_reply(ctx);
  if (iequals(sub, "pause")) return client_pause(ctx);
  if (iequals(sub, "unpause")) {
    ctx.service.pause().unpause();
    ctx.store.pause_expiry_until(0);
    return ctx.ok();
  }
  if (iequals(sub, "no-evict")) return client_no_evict(ctx);
  if (iequals(sub, "info")) {
    std::string line;
    append_client_line(line, ctx.client, ctx.now_ms);
    return ctx.out.verbatim("txt", line);
  }
  client_help(ctx);
}

}  // namespace tcpkit::kv::cmd
