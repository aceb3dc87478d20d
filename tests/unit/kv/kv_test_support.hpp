#pragma once
// The one harness every kv unit test uses: a ReplyWriter that records replies as compact text,
// a Harness that runs commands on a session of a service with a manual clock (no sockets, no
// codecs), and feed() to push raw bytes through a session's on_bytes() like a connection.
//
// Reply text: +OK  -ERR msg  :5  "bulk"  (nil)  (nil-array)  [a, b] for arrays.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kv/kv_service.hpp"
#include "kv/kv_session.hpp"
#include "tcpkit/codec/reply_writer.hpp"
#include "tcpkit/io/buffer.hpp"
#include "tcpkit/server/service.hpp"

namespace tcpkit::kv::testing {

class RecordingWriter final : public codec::ReplyWriter {
 public:
  void simple(std::string_view s) override { item("+" + std::string(s)); }
  void error(std::string_view m) override { item("-" + std::string(m)); }
  void integer(std::int64_t n) override { item(":" + std::to_string(n)); }
  void bulk(std::string_view s) override { item("\"" + std::string(s) + "\""); }
  void null() override { item("(nil)"); }
  void null_array() override { item("(nil-array)"); }
  void floating(double d) override { item(std::to_string(d)); }
  void array(std::size_t n) override {
    if (n == 0) return item("[]");
    separate();
    text_ += "[";
    open_.push_back(n);
  }
  std::string take() { return std::exchange(text_, std::string()); }

 private:
  void separate() {
    if (!open_.empty() && text_.back() != '[') text_ += ", ";
  }
  void item(const std::string& s) {
    separate();
    text_ += s;
    while (!open_.empty() && --open_.back() == 0) {
      open_.pop_back();
      text_ += "]";
    }
  }
  std::string text_;
  std::vector<std::size_t> open_;
};

// Splits "SET k \"a b\"" into words; double quotes group words.
inline std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::string cur;
  bool quoted = false, have = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted, have = true;
    } else if (c == ' ' && !quoted) {
      if (have) words.push_back(std::move(cur)), cur.clear(), have = false;
    } else {
      cur += c, have = true;
    }
  }
  if (have) words.push_back(std::move(cur));
  return words;
}

// KvOptions with some fields changed by `edit`.
template <class Edit>
KvOptions with_options(Edit edit) {
  KvOptions options;
  edit(options);
  return options;
}

// What one on_bytes() call did: its Progress and the bytes it appended.
struct Fed {
  server::Progress progress;
  std::string output;
};

inline Fed feed(server::Session& s, std::string_view input,
                std::size_t room = server::kUnboundedRoom) {
  io::Buffer out;
  Fed fed{s.on_bytes(input, out, room), {}};
  fed.output = std::string(out.view());
  return fed;
}

// The bytes a session appends at EOF with `input` unconsumed.
inline std::string feed_eof(server::Session& s, std::string_view input = {}) {
  io::Buffer out;
  s.on_eof(input, out);
  return std::string(out.view());
}

// A connection from 127.0.0.1 (local: protected mode lets it in), or from 192.0.2.7.
inline server::SessionInfo peer_info(bool local = true, std::uint64_t id = 0) {
  server::SessionInfo info;
  info.id = id;
  info.peer = local ? "127.0.0.1:40000" : "192.0.2.7:40000";
  info.local = local ? "127.0.0.1:6379" : "192.0.2.1:6379";
  info.fd = 7;
  info.peer_is_local = local;
  return info;
}

class Harness {
 public:
  explicit Harness(KvOptions options = {}) {
    clock = std::make_shared<ManualClock>();
    if (!options.clock) options.clock = clock;
    service = std::make_unique<KvService>(std::move(options));
    session = open();
  }
  std::unique_ptr<KvSession> open(std::uint64_t id = 0) {
    return service->open_kv_session(peer_info(true, id));
  }
  // A session as the server opens it (with its codec), from a local or a remote peer.
  std::unique_ptr<server::Session> connect(bool local = true) {
    return service->open_session(peer_info(local));
  }
  // Runs one command line on `s` (default: the harness's session); returns the reply text.
  std::string run(std::string_view line, KvSession* s = nullptr) {
    return run_args(split_words(line), s);
  }
  std::string run_args(const std::vector<std::string>& words, KvSession* s = nullptr) {
    std::vector<std::string_view> args(words.begin(), words.end());
    RecordingWriter writer;
    last_close = (s ? s : session.get())->execute(args, writer);
    return writer.take();
  }

  std::shared_ptr<ManualClock> clock;
  std::unique_ptr<KvService> service;
  std::unique_ptr<KvSession> session;
  bool last_close = false;
};

}  // namespace tcpkit::kv::testing
