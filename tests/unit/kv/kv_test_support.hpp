#pragma once
// Test helpers for kv: a ReplyWriter that records replies as compact text, and a Harness that
// runs commands on a session of a service with a manual clock, without sockets or codecs.
//
// Reply text: +OK  -ERR msg  :5  "bulk"  (nil)  (nil-array)  [a, b] for arrays.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kv/kv_service.hpp"
#include "kv/kv_session.hpp"
#include "tcpkit/codec/reply_writer.hpp"

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

class Harness {
 public:
  explicit Harness(KvOptions options = {}) {
    clock = std::make_shared<ManualClock>();
    if (!options.clock) options.clock = clock;
    service = std::make_unique<KvService>(std::move(options));
    session = open();
  }
  std::unique_ptr<KvSession> open(std::uint64_t id = 0) {
    server::SessionInfo info;
    info.id = id;
    info.peer = "127.0.0.1:40000";
    info.local = "127.0.0.1:6379";
    info.fd = 7;
    return service->open_kv_session(info);
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
