#include "tcpkit/codec/value.hpp"

#include <bit>
#include <utility>

#include "tcpkit/base/assert.hpp"

namespace tcpkit::codec {

std::string_view to_string(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNil:
      return "nil";
    case ValueKind::kSimple:
      return "simple";
    case ValueKind::kError:
      return "error";
    case ValueKind::kInteger:
      return "integer";
    case ValueKind::kDouble:
      return "double";
    case ValueKind::kString:
      return "string";
    case ValueKind::kArray:
      return "array";
    case ValueKind::kBool:
      return "boolean";
    case ValueKind::kBigNumber:
      return "big number";
    case ValueKind::kVerbatim:
      return "verbatim";
    case ValueKind::kMap:
      return "map";
    case ValueKind::kSet:
      return "set";
    case ValueKind::kPush:
      return "push";
  }
  return "unknown";
}

Value Value::simple(std::string text) {
  Value v;
  v.kind_ = ValueKind::kSimple;
  v.text_ = std::move(text);
  return v;
}

Value Value::error(std::string code, std::string message) {
  Value v;
  v.kind_ = ValueKind::kError;
  v.code_ = std::move(code);
  v.text_ = std::move(message);
  return v;
}

Value Value::error_from_text(std::string_view text) {
  const std::size_t space = text.find(' ');
  // A space at the very end stays in the code, so error_text() gives back exactly `text`.
  if (space == std::string_view::npos || space + 1 == text.size()) {
    return error(std::string(text), {});
  }
  return error(std::string(text.substr(0, space)), std::string(text.substr(space + 1)));
}

Value Value::integer(std::int64_t n) {
  Value v;
  v.kind_ = ValueKind::kInteger;
  v.integer_ = n;
  return v;
}

Value Value::floating(double d) {
  Value v;
  v.kind_ = ValueKind::kDouble;
  v.double_ = d;
  return v;
}

Value Value::floating(double d, std::string text) {
  Value v = floating(d);
  v.text_ = std::move(text);
  return v;
}

Value Value::string(std::string bytes) {
  Value v;
  v.kind_ = ValueKind::kString;
  v.text_ = std::move(bytes);
  return v;
}

Value Value::array(std::vector<Value> items) {
  Value v;
  v.kind_ = ValueKind::kArray;
  v.items_ = std::move(items);
  return v;
}

Value Value::boolean(bool b) {
  Value v;
  v.kind_ = ValueKind::kBool;
  v.integer_ = b ? 1 : 0;
  return v;
}

Value Value::big_number(std::string digits) {
  Value v;
  v.kind_ = ValueKind::kBigNumber;
  v.text_ = std::move(digits);
  return v;
}

Value Value::verbatim(std::string format, std::string text) {
  TCPKIT_ASSERT(format.size() == 3);
  Value v;
  v.kind_ = ValueKind::kVerbatim;
  v.code_ = std::move(format);
  v.text_ = std::move(text);
  return v;
}

Value Value::map(std::vector<Value> items) {
  TCPKIT_ASSERT(items.size() % 2 == 0);
  Value v = array(std::move(items));
  v.kind_ = ValueKind::kMap;
  return v;
}

Value Value::set(std::vector<Value> items) {
  Value v = array(std::move(items));
  v.kind_ = ValueKind::kSet;
  return v;
}

Value Value::push(std::vector<Value> items) {
  Value v = array(std::move(items));
  v.kind_ = ValueKind::kPush;
  return v;
}

bool Value::is_aggregate() const {
  return kind_ == ValueKind::kArray || kind_ == ValueKind::kMap || kind_ == ValueKind::kSet ||
         kind_ == ValueKind::kPush;
}

std::int64_t Value::as_integer() const {
  TCPKIT_ASSERT(kind_ == ValueKind::kInteger);
  return integer_;
}

double Value::as_double() const {
  TCPKIT_ASSERT(kind_ == ValueKind::kDouble);
  return double_;
}

bool Value::as_bool() const {
  TCPKIT_ASSERT(kind_ == ValueKind::kBool);
  return integer_ != 0;
}

const std::string& Value::as_string() const {
  TCPKIT_ASSERT(kind_ == ValueKind::kString || kind_ == ValueKind::kSimple ||
                kind_ == ValueKind::kVerbatim || kind_ == ValueKind::kBigNumber);
  return text_;
}

const std::string& Value::verbatim_format() const {
  TCPKIT_ASSERT(kind_ == ValueKind::kVerbatim);
  return code_;
}

const std::string& Value::error_code() const {
  TCPKIT_ASSERT(kind_ == ValueKind::kError);
  return code_;
}

const std::string& Value::error_message() const {
  TCPKIT_ASSERT(kind_ == ValueKind::kError);
  return text_;
}

std::string Value::error_text() const {
  TCPKIT_ASSERT(kind_ == ValueKind::kError);
  return text_.empty() ? code_ : code_ + ' ' + text_;
}

const std::vector<Value>& Value::items() const {
  TCPKIT_ASSERT(is_aggregate());
  return items_;
}

std::vector<Value>& Value::items() {
  TCPKIT_ASSERT(is_aggregate());
  return items_;
}

void Value::write_to(ReplyWriter& out) const {
  switch (kind_) {
    case ValueKind::kNil:
      out.null();
      return;
    case ValueKind::kSimple:
      out.simple(text_);
      return;
    case ValueKind::kError:
      out.error(error_text());
      return;
    case ValueKind::kInteger:
      out.integer(integer_);
      return;
    case ValueKind::kDouble:
      out.double_value(double_);
      return;
    case ValueKind::kString:
      out.bulk(text_);
      return;
    case ValueKind::kBool:
      out.boolean(integer_ != 0);
      return;
    case ValueKind::kBigNumber:
      out.big_number(text_);
      return;
    case ValueKind::kVerbatim:
      out.verbatim(code_, text_);
      return;
    case ValueKind::kArray:
      out.array(items_.size());
      break;
    case ValueKind::kMap:
      out.map(items_.size() / 2);
      break;
    case ValueKind::kSet:
      out.set(items_.size());
      break;
    case ValueKind::kPush:
      out.push(items_.size());
      break;
  }
  for (const Value& item : items_) item.write_to(out);
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case ValueKind::kNil:
      return true;
    case ValueKind::kInteger:
    case ValueKind::kBool:
      return a.integer_ == b.integer_;
    case ValueKind::kDouble:
      return std::bit_cast<std::uint64_t>(a.double_) == std::bit_cast<std::uint64_t>(b.double_);
    case ValueKind::kSimple:
    case ValueKind::kString:
    case ValueKind::kBigNumber:
      return a.text_ == b.text_;
    case ValueKind::kError:
    case ValueKind::kVerbatim:
      return a.code_ == b.code_ && a.text_ == b.text_;
    case ValueKind::kArray:
    case ValueKind::kMap:
    case ValueKind::kSet:
    case ValueKind::kPush:
      return a.items_ == b.items_;
  }
  return false;
}

}  // namespace tcpkit::codec
