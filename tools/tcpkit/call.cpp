// tcpkit call: a small client for kv, over RESP or the native protocol. With a command it
// prints the reply as redis-cli does; without one it is an interactive prompt with history.
// With -3 it says HELLO 3 first and prints RESP3 replies as redis-cli -3 does.
//
// Its flags are redis-cli's where the two overlap: -h -p -s -u pick the server (--address
// takes tcpkit's own form), -a/--pass/--user/REDISCLI_AUTH authenticate, -n selects a
// database, -r/-i repeat, -x reads the last argument from stdin, -e exits 1 on an error reply,
// and the output is raw (values as they are, one a line) when stdout is not a terminal, as
// redis-cli's is, unless --no-raw. `help`, `help COMMAND` and `help @GROUP` are answered here
// (command_help.hpp), and the prompt completes command names with Tab. -w, when given, also
// bounds each wait for a reply, so a server that accepts and never answers cannot hang it.
#include <poll.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "command_help.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "tcpkit/codec/length_prefix.hpp"
#include "tcpkit/codec/native.hpp"
#include "tcpkit/codec/resp.hpp"
#include "tcpkit/codec/resp_value.hpp"
#include "tcpkit/codec/typed.hpp"
#include "tcpkit/codec/value.hpp"
#include "tcpkit/io/buffer.hpp"
#include "tcpkit/net/socket.hpp"
#include "tcpkit/version.hpp"
#include "validators.hpp"

namespace tcpkit::cli {

namespace {

struct CallArgs {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string socket;   // -s
  std::string uri;      // -u redis://... or unix://...
  std::string address;  // --address: tcpkit's own form; wins over the others
  std::string password;
  std::optional<std::string> user;  // set, even empty, sends AUTH user password (redis-cli's rule)
  bool no_auth_warning = false;
  int db = 0;
  long long repeat = 1;  // -r; -1: forever
  double interval = 0;   // -i, seconds
  bool stdin_arg = false;
  bool error_exit = false;
  bool raw = false;
  bool no_raw = false;
  bool scan = false;    // --scan: list the keys (SCAN to the end), one a line
  std::string pattern;  // --pattern for --scan
  bool pipe = false;    // --pipe: send stdin's raw protocol, count the replies
  bool stat = false;    // --stat: a line of server figures every -i seconds
  std::string protocol = "resp";
  double timeout = 5;
  std::optional<double> reply_timeout;  // -w given: also the longest wait for a reply
  bool resp3 = false;
  std::vector<std::string> command;
};

// A usage error: one line, exit 64.
int usage_error(const std::string& what) {
  std::fprintf(stderr, "tcpkit call: %s; see tcpkit call --help\n", what.c_str());
  return kExitUsage;
}

// redis-cli's -u: redis://[[user]:password@]host[:port][/db] or
// unix://[[user]:password@]path[?db=N]. Fills the address, credentials and database.
bool apply_uri(CallArgs& a, std::string& error) {
  std::string_view u = a.uri;
  const bool unix_uri = u.starts_with("unix://");
  if (!unix_uri && !u.starts_with("redis://")) {
    error = "-u takes redis://[[user]:password@]host[:port][/db] or unix://path, got " + a.uri;
    return false;
  }
  u.remove_prefix(unix_uri ? 7 : 8);
  if (const auto at = u.rfind('@'); at != std::string_view::npos) {
    std::string_view credentials = u.substr(0, at);
    u.remove_prefix(at + 1);
    const auto colon = credentials.find(':');
    if (colon == std::string_view::npos) {
      a.password = std::string(credentials);
    } else {
      a.user = std::string(credentials.substr(0, colon));
      a.password = std::string(credentials.substr(colon + 1));
    }
  }
  auto number = [&](std::string_view text, int& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc() || end != text.data() + text.size()) {
      error = "-u: not a number: " + std::string(text);
      return false;
    }
    return true;
  };
  if (unix_uri) {
    const auto query = u.find("?db=");
    if (query != std::string_view::npos && !number(u.substr(query + 4), a.db)) return false;
    a.address = "unix:" + std::string(u.substr(0, query));
    return true;
  }
  if (const auto slash = u.find('/'); slash != std::string_view::npos) {
    if (slash + 1 < u.size() && !number(u.substr(slash + 1), a.db)) return false;
    u = u.substr(0, slash);
  }
  // host, host:port, [v6] or [v6]:port
  std::string_view host = u;
  std::string_view port;
  if (u.starts_with('[')) {
    const auto close = u.find(']');
    if (close == std::string_view::npos) {
      error = "-u: unbalanced [ in " + a.uri;
      return false;
    }
    host = u.substr(1, close - 1);
    if (close + 1 < u.size() && u[close + 1] == ':') port = u.substr(close + 2);
  } else if (const auto colon = u.rfind(':'); colon != std::string_view::npos) {
    host = u.substr(0, colon);
    port = u.substr(colon + 1);
  }
  if (!port.empty() && !number(port, a.port)) return false;
  a.host = host.empty() ? "127.0.0.1" : std::string(host);
  return true;
}

// Where to connect, from --address, -u, -s or -h/-p (in that order of precedence).
std::string server_address(const CallArgs& a) {
  if (!a.address.empty()) return a.address;
  if (!a.socket.empty()) return "unix:" + a.socket;
  const bool v6 = a.host.find(':') != std::string::npos && !a.host.starts_with('[');
  return (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

int fail(const Error& e) {
  std::fprintf(stderr, "tcpkit call: %s\n", e.message().c_str());
  return exit_code_for(e);
}

// redis-cli's raw form (--raw, and its default when stdout is not a terminal): strings,
// integers and doubles as they are, nil as an empty line, an error's text, aggregates one
// element a line (a map's pairs "key value"), nested aggregates flattened.
void describe_raw(const codec::Value& v, std::string& out) {
  using codec::ValueKind;
  switch (v.kind()) {
    case ValueKind::kNil:
      return;
    case ValueKind::kError:
      out += v.error_text();
      out += '\n';
      return;
    case ValueKind::kInteger:
      out += std::to_string(v.as_integer());
      return;
    case ValueKind::kDouble: {
      std::string text = v.describe();  // "(double) 1.5"
      out += text.substr(text.find(' ') + 1);
      return;
    }
    case ValueKind::kBool:
      out += v.as_bool() ? "(true)" : "(false)";
      return;
    case ValueKind::kMap: {
      const auto& items = v.items();
      for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
        if (i > 0) out += '\n';
        describe_raw(items[i], out);
        out += ' ';
        describe_raw(items[i + 1], out);
      }
      return;
    }
    case ValueKind::kArray:
    case ValueKind::kSet:
    case ValueKind::kPush: {
      const auto& items = v.items();
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += '\n';
        describe_raw(items[i], out);
      }
      return;
    }
    default:
      out += v.as_string();
  }
}

bool g_raw = false;  // the output form, decided once from the flags and stdout

bool iequals_ascii(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

void print_reply(const codec::Value& v) {
  if (!g_raw) {
    std::printf("%s\n", v.describe().c_str());
    return;
  }
  std::string out;
  describe_raw(v, out);
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stdout);
}

// The commands whose reply is itself a RESP3 push (Redis's pub/sub confirmations).
bool replies_with_push(std::string_view command) {
  std::string lower(command);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view name :
       {"subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe"}) {
    if (lower == name) return true;
  }
  return false;
}

// SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and MONITOR turn the connection into a stream: redis-cli
// then prints what arrives until the server closes or the user presses Ctrl-C.
bool starts_stream(std::string_view command) {
  std::string lower(command);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "subscribe" || lower == "psubscribe" || lower == "ssubscribe" ||
         lower == "monitor";
}

// One connection; sends a command and waits for its one reply.
class CallClient {
 public:
  // `reply_timeout`, when set, bounds each wait for a command's reply (not a stream's).
  CallClient(UniqueFd fd, bool native, codec::RespVersion version,
             std::optional<std::chrono::milliseconds> reply_timeout)
      : fd_(std::move(fd)), native_(native), resp_({}, version), reply_timeout_(reply_timeout) {}

  // The command's reply. Under RESP3 a push that arrives first (a client-side caching
  // invalidation, a pub/sub message) is printed as it comes, and the wait goes on, unless the
  // command is one whose reply is a push.
  Result<codec::Value> call(std::span<const std::string_view> args) {
    io::Buffer out;
    if (native_) {
      codec::encode_native_request(out, args);
    } else {
      codec::encode_command(out, args);
    }
    if (auto w = net::write_all(fd_.get(), out.view()); !w) return Fail(w.error());
    const bool push_is_reply = !args.empty() && replies_with_push(args[0]);
    for (;;) {
      auto reply = read_reply(reply_timeout_);
      if (!reply || reply->kind() != codec::ValueKind::kPush || push_is_reply) return reply;
      print_reply(*reply);
    }
  }

  // Sends bytes as they are (--pipe); replies are read with next_reply().
  Result<void> send_raw(std::string_view bytes) {
    if (auto w = net::write_all(fd_.get(), bytes); !w) return Fail(w.error());
    return {};
  }
  Result<codec::Value> next_reply() { return read_reply(std::nullopt); }

  // Says HELLO 3; the server's map of facts is not printed, as redis-cli -3 does not. A server
  // that refuses (an error reply) is a failure that names the reply.
  Result<void> hello3() {
    const std::string_view args[] = {"HELLO", "3"};
    auto reply = call(args);
    if (!reply) return Fail(reply.error());
    if (reply->is_error()) {
      return Fail(
          Error(std::make_error_code(std::errc::not_supported), "HELLO 3: " + reply->error_text()));
    }
    return {};
  }

 private:
  // The next whole reply; with a timeout, a server silent for that long is a failure
  // (ETIMEDOUT: exit 75), and the connection is not to be used again (a late reply would
  // answer the next command).
  Result<codec::Value> read_reply(std::optional<std::chrono::milliseconds> timeout) {
    for (;;) {
      if (!input_.empty()) {
        if (auto v = try_decode(); v) return std::move(*v);
        if (!error_.empty()) return protocol_failure(error_);
      }
      if (timeout) {
        if (auto ready = wait_readable(*timeout); !ready) return Fail(ready.error());
      }
      constexpr std::size_t kChunk = 64 * 1024;
      auto r = net::read_some(fd_.get(), input_.prepare(kChunk), kChunk);
      if (!r) return Fail(r.error());
      if (r->status == net::IoStatus::kEof) {
        return Fail(Error(std::make_error_code(std::errc::connection_reset),
                          "the server closed the connection"));
      }
      input_.commit(r->bytes);
    }
  }

  // A whole reply from the front of input_, if there is one.
  std::optional<codec::Value> try_decode() {
    if (native_) {
      auto r = frames_.decode(input_.view());
      if (r.status == codec::DecodeStatus::kError) error_ = frames_.error().text;
      if (r.status != codec::DecodeStatus::kFrame) return std::nullopt;
      codec::Value v;
      if (auto e = codec::decode_typed_value(frames_.payload(), v)) {
        error_ = e->text;
        return std::nullopt;
      }
      input_.consume(r.consumed);
      return v;
    }
    auto r = resp_.decode(input_.view());
    if (r.status == codec::DecodeStatus::kError) error_ = resp_.error().text;
    if (r.status != codec::DecodeStatus::kFrame) return std::nullopt;
    codec::Value v = resp_.take_value();
    input_.consume(r.consumed);
    return v;
  }

  Result<void> wait_readable(std::chrono::milliseconds timeout) {
    pollfd p{fd_.get(), POLLIN, 0};
    int n = 0;
    do {
      n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return Fail(Error(std::error_code(errno, std::system_category()), "poll"));
    if (n == 0) {
      char what[64];
      std::snprintf(what, sizeof what, "no reply within %.3gs (-w)",
                    static_cast<double>(timeout.count()) / 1000);
      return Fail(Error(std::make_error_code(std::errc::timed_out), what));
    }
    return {};
  }

  static Fail protocol_failure(const std::string& text) {
    return Fail(Error(std::make_error_code(std::errc::bad_message), "reply: " + text));
  }

  UniqueFd fd_;
  bool native_;
  io::Buffer input_;
  codec::RespValueDecoder resp_;
  codec::LengthPrefixDecoder frames_;
  std::string error_;
  std::optional<std::chrono::milliseconds> reply_timeout_;
};

// `help` and `?` are answered here, from the table, as redis-cli answers them.
bool is_help(std::string_view word) { return iequals_ascii(word, "help") || word == "?"; }

void print_help(std::span<const std::string> words) {
  const std::string text = help_text(words.subspan(1), "tcpkit call " TCPKIT_VERSION_STRING);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// Tab completion at the prompt: the first word completes to a command name, the word after
// "help" to a command or an @group, as redis-cli's prompt does; nothing else (never file
// names, readline's default).
char* next_completion(const char* text, int state) {
  static std::vector<std::string> found;
  static std::size_t at = 0;
  if (state == 0) {
    std::string_view before(rl_line_buffer, static_cast<std::size_t>(rl_point));
    before = before.substr(0, before.size() - std::strlen(text));
    while (!before.empty() && before.front() == ' ') before.remove_prefix(1);
    while (!before.empty() && before.back() == ' ') before.remove_suffix(1);
    found.clear();
    if (before.empty() || is_help(before)) found = completions(text, !before.empty());
    at = 0;
  }
  return at < found.size() ? ::strdup(found[at++].c_str()) : nullptr;
}

char** complete_line(const char* text, int /*start*/, int /*end*/) {
  rl_attempted_completion_over = 1;
  return rl_completion_matches(text, next_completion);
}

void set_up_completion() {
  rl_readline_name = "tcpkit";
  rl_attempted_completion_function = complete_line;
  rl_variable_bind("completion-ignore-case", "on");
  static char breaks[] = " \t\n\"'";
  rl_completer_word_break_characters = breaks;
}

// redis-cli's line before a subscription's first reply, on a terminal.
void announce_stream(std::string_view command) {
  if (!g_raw && !iequals_ascii(command, "monitor")) {
    std::printf("Reading messages... (press Ctrl-C to quit)\n");
  }
}

// After a command that starts a stream (starts_stream): prints every reply or message as it
// arrives, as redis-cli does, until the server closes the connection (an error then) or the
// process is interrupted (Ctrl-C ends it, as it ends redis-cli).
int print_stream(CallClient& client) {
  for (;;) {
    auto reply = client.next_reply();
    if (!reply) return fail(reply.error());
    print_reply(*reply);
    std::fflush(stdout);
  }
}

// Splits a typed line into arguments with redis-cli's quoting rules, by handing it to the
// RESP inline-command parser. Returns false (and says why) on unbalanced quotes.
bool split_line(const std::string& line, std::vector<std::string>& out) {
  codec::RespRequestDecoder decoder;
  std::string framed = line + "\r\n";
  auto r = decoder.decode(framed);
  if (r.status != codec::DecodeStatus::kFrame) {
    std::printf("Invalid argument(s)\n");
    return false;
  }
  out.assign(decoder.args().begin(), decoder.args().end());
  return true;
}

Result<std::unique_ptr<CallClient>> open_client(const CallArgs& args);

// What the session is in, for the prompt: redis-cli's "127.0.0.1:6379[3](TX)> ".
struct PromptState {
  int db = 0;
  bool tx = false;
  void after(const std::vector<std::string>& words, const codec::Value& reply) {
    std::string name = words.front();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (reply.is_error() && name != "exec") return;
    if (name == "select" && words.size() == 2) db = std::atoi(words[1].c_str());
    if (name == "multi") tx = true;
    if (name == "exec" || name == "discard") tx = false;
    if (name == "reset") db = 0, tx = false;
  }
};

std::string prompt_text(const CallArgs& args, bool connected, const PromptState& state) {
  if (!connected) return "not connected> ";
  const std::string address = server_address(args);
  std::string p = address.starts_with("unix:") ? "redis " + address.substr(5) : address;
  if (state.db != 0) p += "[" + std::to_string(state.db) + "]";
  if (state.tx) p += "(TX)";
  return p + "> ";
}

// Without a command: with a terminal on stdin, a prompt with history (~/.tcpkit_history) that
// shows the database and MULTI, and reconnects on the next command after the server went
// away ("not connected>"), as redis-cli's; with stdin from a pipe or file, each line is run
// and its reply printed, no prompt, as redis-cli does.
int interactive(std::unique_ptr<CallClient> client, CallArgs args) {
  const bool tty = ::isatty(STDIN_FILENO) != 0;
  const char* home = std::getenv("HOME");
  const std::string history = std::string(home != nullptr ? home : ".") + "/.tcpkit_history";
  if (tty) {
    ::read_history(history.c_str());
    set_up_completion();
  }
  PromptState state{args.db, false};
  for (;;) {
    std::string text;
    if (tty) {
      const std::string prompt = prompt_text(args, client != nullptr, state);
      std::unique_ptr<char, decltype(&std::free)> line(::readline(prompt.c_str()), &std::free);
      if (!line) break;
      text = line.get();
    } else if (!std::getline(std::cin, text)) {
      break;
    }
    std::vector<std::string> words;
    if (!split_line(text, words) || words.empty()) continue;
    if (tty) ::add_history(text.c_str());
    if (words.size() == 1 && (words[0] == "quit" || words[0] == "exit")) break;
    if (is_help(words[0])) {
      print_help(words);
      continue;
    }
    if (!client) {
      args.db = state.db;
      auto opened = open_client(args);
      if (!opened) {
        std::fprintf(stderr, "Could not connect to %s: %s\n", server_address(args).c_str(),
                     opened.error().message().c_str());
        if (!tty) return fail(opened.error());
        continue;
      }
      client = std::move(*opened);
      state.tx = false;
    }
    std::vector<std::string_view> views(words.begin(), words.end());
    auto reply = client->call(views);
    if (!reply) {
      if (!tty) return fail(reply.error());
      std::fprintf(stderr, "Error: %s\n", reply.error().message().c_str());
      client.reset();
      continue;
    }
    const bool stream = starts_stream(words[0]) && !reply->is_error();
    if (stream) announce_stream(words[0]);
    print_reply(*reply);
    std::fflush(stdout);
    if (stream) return print_stream(*client);
    state.after(words, *reply);
  }
  if (tty) ::write_history(history.c_str());
  return kExitOk;
}

// --scan [--pattern P]: every key, one a line, as redis-cli prints them (SCAN to the end).
int run_scan(CallClient& client, const CallArgs& args) {
  std::string cursor = "0";
  do {
    std::vector<std::string_view> scan{"SCAN", cursor};
    if (!args.pattern.empty()) scan.insert(scan.end(), {"MATCH", args.pattern});
    auto reply = client.call(scan);
    if (!reply) return fail(reply.error());
    if (reply->is_error()) {
      std::fprintf(stderr, "%s\n", reply->error_text().c_str());
      return 1;
    }
    const auto& items = reply->items();
    if (items.size() != 2) return usage_error("SCAN replied something else than [cursor, keys]");
    cursor = items[0].as_string();
    for (const codec::Value& key : items[1].items()) {
      std::fwrite(key.as_string().data(), 1, key.as_string().size(), stdout);
      std::fputc('\n', stdout);
    }
  } while (cursor != "0");
  return kExitOk;
}

// --pipe: stdin's bytes (RESP or inline commands) go to the server as they are, from a thread
// of their own, followed by CRLF (ending a last line left open) and an ECHO of a random
// 20-byte marker; this thread counts the replies until the marker comes back, reporting each
// error reply on stderr, as redis-cli --pipe does.
int run_pipe(CallClient& client) {
  std::random_device random;
  char marker[21];
  for (int i = 0; i < 10; ++i) {
    std::snprintf(marker + 2 * i, 3, "%02x", static_cast<unsigned>(random() & 0xff));
  }
  Result<void> sent;
  std::thread writer([&] {
    std::vector<char> chunk(64 * 1024);
    std::size_t n = 0;
    while ((n = std::fread(chunk.data(), 1, chunk.size(), stdin)) > 0) {
      if (sent = client.send_raw({chunk.data(), n}); !sent) return;
    }
    io::Buffer echo;
    echo.append("\r\n", 2);
    const std::string_view args[] = {"ECHO", std::string_view(marker, 20)};
    codec::encode_command(echo, args);
    sent = client.send_raw(echo.view());
    std::printf("All data transferred. Waiting for the last reply...\n");
    std::fflush(stdout);
  });
  std::uint64_t replies = 0, errors = 0;
  Result<codec::Value> reply = codec::Value();
  for (;;) {
    reply = client.next_reply();
    if (!reply) break;
    if (reply->kind() == codec::ValueKind::kString && reply->as_string() == marker) break;
    ++replies;
    if (reply->is_error()) {
      ++errors;
      std::fprintf(stderr, "%s\n", reply->error_text().c_str());
    }
  }
  writer.join();
  if (!sent) return fail(sent.error());
  if (!reply) return fail(reply.error());
  std::printf("Last reply received from server.\nerrors: %llu, replies: %llu\n",
              static_cast<unsigned long long>(errors), static_cast<unsigned long long>(replies));
  return errors > 0 ? 1 : kExitOk;
}

// Bytes as redis-cli's bytesToHuman says them: "512B", "1.39M".
std::string human_bytes(double n) {
  char buf[32];
  if (n < 1024) {
    std::snprintf(buf, sizeof buf, "%.0fB", n);
  } else if (n < 1024.0 * 1024) {
    std::snprintf(buf, sizeof buf, "%.2fK", n / 1024);
  } else if (n < 1024.0 * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.2fM", n / (1024.0 * 1024));
  } else {
    std::snprintf(buf, sizeof buf, "%.2fG", n / (1024.0 * 1024 * 1024));
  }
  return buf;
}

// The value of `field` in an INFO text (which starts with a newline here), or 0.
long long info_number(std::string_view info, std::string_view field) {
  const std::string key = "\n" + std::string(field) + ":";
  const auto at = info.find(key);
  if (at == std::string_view::npos) return 0;
  return std::atoll(std::string(info.substr(at + key.size(), 24)).c_str());
}

// --stat: redis-cli's rolling figures, one line every -i seconds (1 by default) until stopped
// (or -r lines): keys in all databases, used memory, clients, blocked clients, requests (and
// since the last line), connections received; the header again every 20 lines.
int run_stat(CallClient& client, const CallArgs& args) {
  const auto pause = std::chrono::duration<double>(args.interval > 0 ? args.interval : 1.0);
  long long last_requests = -1;
  for (long long line = 0; args.repeat <= 1 || line < args.repeat; ++line) {
    const std::string_view info_args[] = {"INFO"};
    auto reply = client.call(info_args);
    if (!reply) return fail(reply.error());
    if (reply->is_error()) {
      std::fprintf(stderr, "%s\n", reply->error_text().c_str());
      return 1;
    }
    const std::string info = "\n" + reply->as_string();
    long long keys = 0;
    for (std::size_t at = info.find("\ndb"); at != std::string::npos;
         at = info.find("\ndb", at + 1)) {
      const auto k = info.find("keys=", at);
      if (k != std::string::npos && k < info.find('\n', at + 1)) keys += std::atoll(&info[k + 5]);
    }
    const long long requests = info_number(info, "total_commands_processed");
    if (line % 20 == 0) {
      std::printf(
          "------- data ------ --------------------- load -------------------- - child -\n");
      std::printf(
          "keys       mem      clients blocked requests            connections          \n");
    }
    const std::string load = std::to_string(requests) + " (+" +
                             std::to_string(last_requests < 0 ? 0 : requests - last_requests) + ")";
    std::printf("%-11lld%-9s%-8lld%-8lld%-20s%-12lld\n", keys,
                human_bytes(static_cast<double>(info_number(info, "used_memory"))).c_str(),
                info_number(info, "connected_clients"), info_number(info, "blocked_clients"),
                load.c_str(), info_number(info, "total_connections_received"));
    std::fflush(stdout);
    last_requests = requests;
    if (args.repeat > 1 && line + 1 == args.repeat) break;
    std::this_thread::sleep_for(pause);
  }
  return kExitOk;
}

// AUTH and SELECT as redis-cli does them before the first command: a refusal is reported on
// stderr ("AUTH failed: ...", "SELECT 3 failed: ...") and the command still runs.
Result<void> prepare(CallClient& client, const CallArgs& args) {
  if (!args.password.empty()) {
    std::vector<std::string_view> auth{"AUTH"};
    if (args.user) auth.push_back(*args.user);
    auth.push_back(args.password);
    auto reply = client.call(auth);
    if (!reply) return Fail(reply.error());
    if (reply->is_error()) std::fprintf(stderr, "AUTH failed: %s\n", reply->error_text().c_str());
  }
  if (args.db != 0) {
    const std::string db = std::to_string(args.db);
    const std::string_view select[] = {"SELECT", db};
    auto reply = client.call(select);
    if (!reply) return Fail(reply.error());
    if (reply->is_error()) {
      std::fprintf(stderr, "SELECT %s failed: %s\n", db.c_str(), reply->error_text().c_str());
    }
  }
  return {};
}

// Connects and says what comes before the first command: HELLO 3 (with -3), AUTH, SELECT.
Result<std::unique_ptr<CallClient>> open_client(const CallArgs& args) {
  auto endpoint = net::parse_endpoint(server_address(args));
  if (!endpoint) return Fail(endpoint.error());
  auto timeout = std::chrono::milliseconds(static_cast<long long>(args.timeout * 1000));
  auto fd = net::connect_to(*endpoint, timeout);
  if (!fd) return Fail(fd.error());
  std::optional<std::chrono::milliseconds> reply_timeout;
  if (args.reply_timeout) {
    reply_timeout = std::chrono::milliseconds(static_cast<long long>(*args.reply_timeout * 1000));
  }
  auto client = std::make_unique<CallClient>(
      std::move(*fd), args.protocol == "native",
      args.resp3 ? codec::RespVersion::kResp3 : codec::RespVersion::kResp2, reply_timeout);
  if (args.resp3) {
    if (auto hello = client->hello3(); !hello) return Fail(hello.error());
  }
  if (auto ready = prepare(*client, args); !ready) return Fail(ready.error());
  return client;
}

int run_call(CallArgs args) {
  const bool native = args.protocol == "native";
  if (native && args.resp3) {
    std::fprintf(stderr, "tcpkit call: -3 needs --protocol resp\n");
    return kExitConfig;
  }
  if (!args.command.empty() && args.command.front().starts_with('-')) {
    return usage_error("unknown option " + args.command.front());
  }
  if ((args.scan || args.pipe || args.stat) && !args.command.empty()) {
    return usage_error(std::string(args.scan   ? "--scan"
                                   : args.pipe ? "--pipe"
                                               : "--stat") +
                       " takes no command");
  }
  if (int{args.scan} + int{args.pipe} + int{args.stat} > 1) {
    return usage_error("--scan, --pipe and --stat do not go together");
  }
  if (!args.pattern.empty() && !args.scan) return usage_error("--pattern needs --scan");
  if (!args.uri.empty()) {
    std::string error;
    if (!apply_uri(args, error)) return usage_error(error);
  }
  if (args.password.empty()) {
    if (const char* env = std::getenv("REDISCLI_AUTH")) args.password = env;
  } else if (!args.no_auth_warning) {
    std::fprintf(stderr,
                 "Warning: Using a password with '-a' or '-u' option on the command line "
                 "interface may not be safe.\n");
  }
  if (args.stdin_arg) {
    if (args.command.empty()) return usage_error("-x needs a command");
    args.command.emplace_back(std::istreambuf_iterator<char>(std::cin),
                              std::istreambuf_iterator<char>());
  }
  g_raw = args.raw || (!args.no_raw && ::isatty(STDOUT_FILENO) == 0);
  if (!args.command.empty() && is_help(args.command.front())) {
    print_help(args.command);
    return kExitOk;
  }
  auto opened = open_client(args);
  if (!opened) return fail(opened.error());
  CallClient& client = **opened;
  if (args.scan) return run_scan(client, args);
  if (args.pipe) return run_pipe(client);
  if (args.stat) return run_stat(client, args);
  if (args.command.empty()) return interactive(std::move(*opened), std::move(args));
  std::vector<std::string_view> views(args.command.begin(), args.command.end());
  const auto pause = std::chrono::duration<double>(args.interval);
  for (long long n = 0; args.repeat < 0 || n < args.repeat; ++n) {
    if (n > 0 && args.interval > 0) std::this_thread::sleep_for(pause);
    auto reply = client.call(views);
    if (!reply) return fail(reply.error());
    if (args.error_exit && reply->is_error()) {
      std::fprintf(stderr, "%s\n", reply->error_text().c_str());
      return 1;
    }
    const bool stream = starts_stream(views[0]) && !reply->is_error();
    if (stream) announce_stream(views[0]);
    print_reply(*reply);
    std::fflush(stdout);
    if (stream) return print_stream(client);
  }
  return kExitOk;
}

}  // namespace

void add_call(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CallArgs>();
  CLI::App* cmd = app.add_subcommand(
      "call",
      "Send one command to a kv server and print the reply as redis-cli does "
      "(tcpkit call SET k v). Without a command: an interactive prompt with history "
      "(~/.tcpkit_history) and Tab completion of command names; quit or Ctrl-D leaves. "
      "help, help COMMAND and help @GROUP are answered without asking the server, from "
      "redis-server 7.0's COMMAND DOCS, as redis-cli answers them.");
  cmd->set_help_flag("--help", "Print this help and exit");  // -h is the host, as redis-cli's
  cmd->add_option("-h", args->host, "Server host (redis-cli's -h)")->capture_default_str();
  cmd->add_option("-p", args->port, "Server port (redis-cli's -p)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("-s", args->socket, "Server Unix socket path; wins over -h and -p");
  cmd->add_option("-u", args->uri,
                  "Server URI: redis://[[user]:password@]host[:port][/db] or "
                  "unix://[[user]:password@]path[?db=N]; wins over -h, -p and -s");
  cmd->add_option("--address", args->address,
                  "Server address in tcpkit's form (HOST:PORT, [v6]:PORT, unix:/PATH, "
                  "unix:@NAME); wins over every other address flag");
  cmd->add_option("-a,--pass", args->password,
                  "Password for AUTH (or set REDISCLI_AUTH, which is not visible in ps)");
  cmd->add_option("--user", args->user, "User name for AUTH (needs a password)");
  cmd->add_flag("--no-auth-warning", args->no_auth_warning,
                "Do not warn about a password on the command line");
  cmd->add_option("-n", args->db, "Database number to SELECT first")->capture_default_str();
  cmd->add_option("-r", args->repeat, "Run the command this many times (-1: until stopped)")
      ->capture_default_str();
  cmd->add_option("-i", args->interval, "Seconds to wait between repeats (-r); decimals allowed")
      ->check(kNonNegative);
  cmd->add_flag("-x", args->stdin_arg, "Read the command's last argument from stdin");
  cmd->add_flag("-e", args->error_exit,
                "Exit with status 1 when the reply is an error (printed on stderr)");
  cmd->add_flag("--raw", args->raw,
                "Print replies raw: values as they are, one a line (the default when stdout "
                "is not a terminal)");
  cmd->add_flag("--no-raw", args->no_raw,
                "Print replies as redis-cli does on a terminal, also when stdout is not one");
  cmd->add_flag("--scan", args->scan, "List every key with SCAN, one a line");
  cmd->add_option("--pattern", args->pattern, "With --scan: only keys that match this glob");
  cmd->add_flag("--stat", args->stat,
                "Print the server's figures (keys, memory, clients, requests, connections) "
                "every -i seconds (1 by default) until interrupted, or -r lines, as redis-cli "
                "--stat");
  cmd->add_flag("--pipe", args->pipe,
                "Send stdin (raw RESP or inline commands) as it is and count the replies "
                "(mass insertion, as redis-cli --pipe); exit 1 if any reply was an error");
  cmd->add_option("--protocol", args->protocol,
                  "resp (RESP2, what Redis speaks) or native (length-prefixed typed values; "
                  "the server needs --protocol native)")
      ->check(CLI::IsMember({"resp", "native"}))
      ->capture_default_str();
  cmd->add_option("-w,--timeout", args->timeout,
                  "Seconds to wait for the connection; when given, also the longest wait for "
                  "each reply (a silent server then ends the call with exit 75, and the prompt "
                  "says \"not connected\"); subscriptions and MONITOR wait on")
      ->check(kPositive)
      ->capture_default_str();
  cmd->add_flag("-3,--resp3", args->resp3,
                "Say HELLO 3 first and print RESP3 replies (maps, sets, doubles, booleans, "
                "pushes) as redis-cli -3 does");
  // Everything from the command name on belongs to the command, dashes included.
  cmd->prefix_command();
  cmd->footer(
      "Usage: tcpkit call [-h HOST] [-p PORT] [-s SOCKET] [-u URI] [-a PASSWORD] [-n DB] "
      "[-r N] [-i SEC] [-x] [-e] [--raw|--no-raw] [-3] [COMMAND [ARG...]]\n"
      "Flags are redis-cli's where the two overlap. Everything from the command name on "
      "belongs to the command.");
  cmd->callback([args, cmd, &exit_code] {
    args->command = cmd->remaining();
    if (cmd->count("-w") > 0) args->reply_timeout = args->timeout;
    exit_code = run_call(*args);
  });
}

}  // namespace tcpkit::cli
