#pragma once
// ReplyRecorder: a reply recorded as a flat list of ReplyWriter calls, replayed later into
// another writer. redis.call runs a command's handler into one and replays it into a
// LuaReplyWriter once the handler has finished, so that no Lua error (out of memory) can
// interrupt a handler half-way. Internal to scripting.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/codec/reply_writer.hpp"

namespace tcpkit::kv::detail {

class ReplyRecorder final : public codec::ReplyWriter {
 public:
  enum class Op {
    kSimple,
    kError,
    kInteger,
    kBulk,
    kNull,
    kArray,
    kFloating,
    kMap,
    kSet,
    kBoolean,
    kDouble,
    kBig,
    kVerbatim
  };
  struct Item {
    Op op;
    std::string text;
    std::int64_t n = 0;
    double d = 0;
  };
  void simple(std::string_view s) override { add(Op::kSimple, s); }
  void error(std::string_view m) override { add(Op::kError, m); }
  void integer(std::int64_t n) override { items_.push_back({Op::kInteger, {}, n}); }
  void bulk(std::string_view s) override { add(Op::kBulk, s); }
  void null() override { add(Op::kNull, {}); }
  void null_array() override { add(Op::kNull, {}); }
  void array(std::size_t n) override { count(Op::kArray, n); }
  void floating(double d) override { items_.push_back({Op::kFloating, {}, 0, d}); }
  void map(std::size_t n) override { count(Op::kMap, n); }
  void set(std::size_t n) override { count(Op::kSet, n); }
  void push(std::size_t n) override { count(Op::kArray, n); }
  void boolean(bool b) override { items_.push_back({Op::kBoolean, {}, b ? 1 : 0}); }
  void double_value(double d) override { items_.push_back({Op::kDouble, {}, 0, d}); }
  void big_number(std::string_view s) override { add(Op::kBig, s); }
  void verbatim(std::string_view f, std::string_view t) override {
    add(Op::kVerbatim, std::string(f).append(t));
  }
  bool top_level_error() const { return !items_.empty() && items_[0].op == Op::kError; }

  void replay(codec::ReplyWriter& out) const {
    for (const Item& i : items_) {
      const auto n = static_cast<std::size_t>(i.n);
      switch (i.op) {
        case Op::kSimple:
          out.simple(i.text);
          break;
        case Op::kError:
          out.error(i.text);
          break;
        case Op::kInteger:
          out.integer(i.n);
          break;
        case Op::kBulk:
          out.bulk(i.text);
          break;
        case Op::kNull:
          out.null();
          break;
        case Op::kArray:
          out.array(n);
          break;
        case Op::kFloating:
          out.floating(i.d);
          break;
        case Op::kMap:
          out.map(n);
          break;
        case Op::kSet:
          out.set(n);
          break;
        case Op::kBoolean:
          out.boolean(i.n != 0);
          break;
        case Op::kDouble:
          out.double_value(i.d);
          break;
        case Op::kBig:
          out.big_number(i.text);
          break;
        case Op::kVerbatim:
          out.verbatim(std::string_view(i.text).substr(0, 3), std::string_view(i.text).substr(3));
          break;
      }
    }
  }

 private:
  void add(Op op, std::string_view s) { items_.push_back({op, std::string(s)}); }
  void count(Op op, std::size_t n) { items_.push_back({op, {}, static_cast<std::int64_t>(n)}); }
  std::vector<Item> items_;
};

}  // namespace tcpkit::kv::detail
