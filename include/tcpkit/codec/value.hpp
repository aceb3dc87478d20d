#pragma once
// Value: one decoded reply (or any typed datum) as a tree, for clients, tools and tests.
//
// The kinds are RESP2's, RESP3's, and a double so the native binary form carries floats as
// floats:
//
//   kind        RESP form                typed binary tag (typed.hpp)
//   kNil        $-1  *-1  _ (RESP3)      'N'
//   kSimple     +OK                      '+'
//   kError      -ERR message  !blob      '-'   (code "ERR", message "message")
//   kInteger    :42                      ':'
//   kDouble     ,1.5 (RESP2: a bulk)     ','
//   kString     $5 hello (binary-safe)   '$'
//   kArray      *2 ...                   '*'
//   kBool       #t  #f                   (none yet: written as integer 1/0)
//   kBigNumber  (12345678901234567890    (none yet: written as a string)
//   kVerbatim   =6 txt:hi                (none yet: written as a string)
//   kMap        %1 key value             (none yet: written as an array of 2n)
//   kSet        ~2 ...                   (none yet: written as an array)
//   kPush       >2 ...                   (none yet: written as an array)
//
// A map keeps its keys and values in items(), alternating: key, value, key, value. Adding a
// kind is a new enumerator and a case in each switch; the compiler's -Wswitch finds every
// switch. A server's hot path never builds Values: services write replies through
// ReplyWriter. Values own their bytes; a plain value type, not thread-safe.

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
  kBool = 7,
  kBigNumber = 8,
  kVerbatim = 9,
  kMap = 10,
  kSet = 11,
  kPush = 12,
};

std::string_view to_string(ValueKind kind);

// Redis's sdscatrepr(): `bytes` quoted, with C escapes and \xHH for other unprintable bytes, as
// redis-cli prints strings and MONITOR prints arguments.
void append_quoted(std::string& out, std::string_view bytes);

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
  // A double with the text it arrived as (",0.10000000000000001"), which describe() shows as
  // redis-cli does; equality still compares the double alone.
  static Value floating(double d, std::string text);
  static Value string(std::string bytes);
  static Value array(std::vector<Value> items);
  static Value boolean(bool b);
  static Value big_number(std::string digits);
  // `format` is 3 bytes ("txt", "mkd"); `text` the rest, after the colon.
  static Value verbatim(std::string format, std::string text);
  // `items` alternate key, value; their count must be even.
  static Value map(std::vector<Value> items);
  static Value set(std::vector<Value> items);
  static Value push(std::vector<Value> items);

  ValueKind kind() const { return kind_; }
  bool is_nil() const { return kind_ == ValueKind::kNil; }
  bool is_error() const { return kind_ == ValueKind::kError; }
  bool is_array() const { return kind_ == ValueKind::kArray; }
  // An array, map, set or push: a Value with items().
  bool is_aggregate() const;

  // Accessors assert the kind (a wrong kind is a bug in the caller).
  std::int64_t as_integer() const;
  double as_double() const;
  bool as_bool() const;
  // The bytes of a kString, the text of a kSimple or kVerbatim, the digits of a kBigNumber.
  const std::string& as_string() const;
  const std::string& verbatim_format() const;
  const std::string& error_code() const;
  const std::string& error_message() const;
  // "CODE message", or just "CODE" when the message is empty.
  std::string error_text() const;
  // The elements of an aggregate (for a map: key, value, key, value ...).
  const std::vector<Value>& items() const;
  std::vector<Value>& items();

  // Says this value through any ReplyWriter (RespWriter, TypedWriter): nil as null(), a
  // double as double_value(), an aggregate as its header (map(n) for n pairs) and then each
  // item; each RESP3 kind through its own call.
  void write_to(ReplyWriter& out) const;
  // redis-cli 7.0's rendering (redis-cli -3 for the RESP3 kinds): "OK", "(integer) 1",
  // "(nil)", "(error) ERR ...", "\"bytes\"", "(double) 1.5", "(true)", a verbatim string's
  // text as it is; aggregates numbered and indented: "1) " for arrays and pushes, "1~ " for
  // sets, "1# key => value" for maps. A big number, which redis-cli 7.0 cannot print, is
  // "(big number) 123". One line per scalar; no trailing newline.
  std::string describe() const;

  // Structural equality; doubles compare by bit pattern, so NaN equals the same NaN.
  friend bool operator==(const Value& a, const Value& b);

 private:
  void describe_into(std::string& out, std::size_t indent) const;
  void describe_items(std::string& out, std::size_t indent) const;

  ValueKind kind_ = ValueKind::kNil;
  std::int64_t integer_ = 0;
  double double_ = 0;
  std::string text_;  // string bytes, simple or verbatim text, error message, digits, double text
  std::string code_;  // error code, verbatim format
  std::vector<Value> items_;
};

}  // namespace tcpkit::codec
