// tcpkit call: a small client for kv, over RESP or the native protocol. With a command it
// prints the reply as redis-cli does; without one it is an interactive prompt with history.
// With -3 it says HELLO 3 first and prints RESP3 replies as redis-cli -3 does.
#include <readline/history.h>
#include <readline/readline.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

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

namespace tcpkit::cli {

namespace {

struct CallArgs {
  std::string address = "127.0.0.1:6379";
  std::string protocol = "resp";
  double timeout = 5;
  bool resp3 = false;
  std::vector<std::string> command;
};

int fail(const Error& e) {
  std::fprintf(stderr, "tcpkit call: %s\n", e.message().c_str());
  return exit_code_for(e);
}

void print_reply(const codec::Value& v) { std::printf("%s\n", v.describe().c_str()); }

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

// One connection; sends a command and waits for its one reply.
class CallClient {
 public:
  CallClient(UniqueFd fd, bool native, codec::RespVersion version)
      : fd_(std::move(fd)), native_(native), resp_({}, version) {}

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
      auto reply = read_reply();
      if (!reply || reply->kind() != codec::ValueKind::kPush || push_is_reply) return reply;
      print_reply(*reply);
    }
  }

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
  Result<codec::Value> read_reply() {
    for (;;) {
      if (!input_.empty()) {
        if (auto v = try_decode(); v) return std::move(*v);
        if (!error_.empty()) return protocol_failure(error_);
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

  static Fail protocol_failure(const std::string& text) {
    return Fail(Error(std::make_error_code(std::errc::bad_message), "reply: " + text));
  }

  UniqueFd fd_;
  bool native_;
  io::Buffer input_;
  codec::RespValueDecoder resp_;
  codec::LengthPrefixDecoder frames_;
  std::string error_;
};

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

int interactive(CallClient& client, const CallArgs& args) {
  const char* home = std::getenv("HOME");
  const std::string history = std::string(home != nullptr ? home : ".") + "/.tcpkit_history";
  ::read_history(history.c_str());
  const std::string prompt = args.address + "> ";
  for (;;) {
    std::unique_ptr<char, decltype(&std::free)> line(::readline(prompt.c_str()), &std::free);
    if (!line) break;
    std::vector<std::string> words;
    if (!split_line(line.get(), words) || words.empty()) continue;
    ::add_history(line.get());
    if (words.size() == 1 && (words[0] == "quit" || words[0] == "exit")) break;
    std::vector<std::string_view> views(words.begin(), words.end());
    auto reply = client.call(views);
    if (!reply) {
      ::write_history(history.c_str());
      return fail(reply.error());
    }
    print_reply(*reply);
  }
  ::write_history(history.c_str());
  return kExitOk;
}

int run_call(const CallArgs& args) {
  const bool native = args.protocol == "native";
  if (native && args.resp3) {
    std::fprintf(stderr, "tcpkit call: -3 needs --protocol resp\n");
    return kExitConfig;
  }
  auto endpoint = net::parse_endpoint(args.address);
  if (!endpoint) return fail(endpoint.error());
  auto timeout = std::chrono::milliseconds(static_cast<long long>(args.timeout * 1000));
  auto fd = net::connect_to(*endpoint, timeout);
  if (!fd) return fail(fd.error());
  CallClient client(std::move(*fd), native,
                    args.resp3 ? codec::RespVersion::kResp3 : codec::RespVersion::kResp2);
  if (args.resp3) {
    if (auto hello = client.hello3(); !hello) return fail(hello.error());
  }
  if (args.command.empty()) return interactive(client, args);
  std::vector<std::string_view> views(args.command.begin(), args.command.end());
  auto reply = client.call(views);
  if (!reply) return fail(reply.error());
  print_reply(*reply);
  return kExitOk;
}

}  // namespace

void add_call(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CallArgs>();
  CLI::App* cmd = app.add_subcommand(
      "call",
      "Send one command to a kv server and print the reply as redis-cli does "
      "(tcpkit call SET k v). Without a command: an interactive prompt with history "
      "(~/.tcpkit_history); quit or Ctrl-D leaves.");
  cmd->add_option("-a,--address", args->address, "Server address: HOST:PORT, unix:/PATH ...")
      ->capture_default_str();
  cmd->add_option("--protocol", args->protocol,
                  "resp (RESP2, what Redis speaks) or native (length-prefixed typed values; "
                  "the server needs --protocol native)")
      ->check(CLI::IsMember({"resp", "native"}))
      ->capture_default_str();
  cmd->add_option("-w,--timeout", args->timeout, "Seconds to wait for the connection")
      ->capture_default_str();
  cmd->add_flag("-3,--resp3", args->resp3,
                "Say HELLO 3 first and print RESP3 replies (maps, sets, doubles, booleans, "
                "pushes) as redis-cli -3 does");
  // Everything from the command name on belongs to the command, dashes included.
  cmd->prefix_command();
  cmd->footer("Usage: tcpkit call [-a ADDR] [--protocol resp|native] [-3] [COMMAND [ARG...]]");
  cmd->callback([args, cmd, &exit_code] {
    args->command = cmd->remaining();
    exit_code = run_call(*args);
  });
}

}  // namespace tcpkit::cli
