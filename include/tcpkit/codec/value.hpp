#pragma once
// Value: one decoded reply (or any typed datum) as a tree, for clients, tools and tests.
//
// The kinds are RESP2's, plus a double so the native binary form carries floats as floats:
//
//   kind       RESP2 form             typed binary tag (typed.hpp)
//   kNil       $-1  *-1               'N'
//   kSimple    +OK                    '+'
//   kError     -ERR message           '-'   (code "ERR", message "message")
//   kInteger   :42                    ':'
//   kDouble    (a bulk string)        ','
//   kString    $5 hello (binary-safe) '$'
//   kArray     *2 ...                 '*'
//
// The enum leaves room for RESP3 (kMap '%', kSet '~', kBool '#', kBigNumber '(', kVerbatim '=',
// kPush '>'): adding one is a new enumerator, a new tag and a case in each switch, and the
// compiler's -Wswitch finds every switch. A server's hot path never builds Values: services
// write replies through ReplyWriter. Values own their bytes; a plain value type, not
// thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/codec/reply_writer.hpp"

namespace tcpkit::codec {

enum class ValueKind : std::uint8_t {
  kNil = 0,
  kSimple = 1,
  kError = 2,
  kInteger = 3,
  kDouble = 4,
  kString = 5,
  kArray = 6,
};

std::string_view to_string(ValueKind kind);

class Value {
 public:
  Value() = default;  // nil

  static Value nil() { return {}; }
  static Value simple(std::string text);
  // An error whose code is its first word: error("WRONGTYPE", "Operation against a key ...").
  static Value error(std::string code, std::string message);
  // Splits "ERR unknown command" at the first space into code and message (a text whose only
  // space is its last byte is all code), so that error_text() returns `text` unchanged.
  static Value error_from_text(std::string_view text);
  static Value integer(std::int64_t n);
  static Value floating(double d);
  static Value string(std::string bytes);
  static Value array(std::vector<Value> items);

  ValueKind kind() const { return kind_; }
  bool is_nil() const { return kind_ == ValueKind::kNil; }
  bool is_error() const { return kind_ == ValueKind::kError; }
  bool is_array() const { return kind_ == ValueKind::kArray; }

  // Accessors assert the kind (a wrong kind is a bug in the caller).
  std::int64_t as_integer() const;
  double as_double() const;
  // The bytes of a kString, the text of a kSimple.
  const std::string& as_string() const;
  const std::string& error_code() const;
  const std::string& error_message() const;
  // "CODE message", or just "CODE" when the message is empty.
  std::string error_text() const;
  const std::vector<Value>& items() const;
  std::vector<Value>& items();

  // Says this value through any ReplyWriter (RespWriter, TypedWriter): nil as null(), a
  // double as floating(), an array as its header and then each item.
  void write_to(ReplyWriter& out) const;
  // redis-cli's rendering: "OK", "(integer) 1", "(nil)", "(error) ERR ...", "\"bytes\"",
  // numbered and indented array items. One line per scalar; no trailing newline.
  std::string describe() const;

  // Structural equality; doubles compare by bit pattern, so NaN equals the same NaN.
  friend bool operator==(const Value& a, const Value& b);

 private:
  void describe_into(std::string& out, std::size_t indent) const;

  ValueKind kind_ = ValueKind::kNil;
  std::int64_t integer_ = 0;
  double double_ = 0;
  std::string text_;  // string bytes, simple text, or error message
  std::string code_;  // error code
  std::vector<Value> items_;
};

}  // namespace tcpkit::codec
