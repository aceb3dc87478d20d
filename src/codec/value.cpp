#include "tcpkit/codec/value.hpp"

#include <bit>
#include <charconv>
#include <cstdio>
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

std::int64_t Value::as_integer() const {
  TCPKIT_ASSERT(kind_ == ValueKind::kInteger);
  return integer_;
}

double Value::as_double() const {
  TCPKIT_ASSERT(kind_ == ValueKind::kDouble);
  return double_;
}

const std::string& Value::as_string() const {
  TCPKIT_ASSERT(kind_ == ValueKind::kString || kind_ == ValueKind::kSimple);
  return text_;
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
  TCPKIT_ASSERT(kind_ == ValueKind::kArray);
  return items_;
}

std::vector<Value>& Value::items() {
  TCPKIT_ASSERT(kind_ == ValueKind::kArray);
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
      out.floating(double_);
      return;
    case ValueKind::kString:
      out.bulk(text_);
      return;
    case ValueKind::kArray:
      out.array(items_.size());
      for (const Value& item : items_) item.write_to(out);
      return;
  }
}

namespace {

// redis-cli's sdscatrepr: quoted, with C escapes and \xHH for other unprintable bytes.
void append_quoted(std::string& out, std::string_view bytes) {
  out += '"';
  for (char c : bytes) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += c;
        } else {
          char hex[5];
          std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
          out += hex;
        }
    }
  }
  out += '"';
}

}  // namespace

std::string Value::describe() const {
  std::string out;
  describe_into(out, 0);
  return out;
}

// `indent` is the column where this value starts, so nested array items line up under it.
void Value::describe_into(std::string& out, std::size_t indent) const {
  char num[32];
  switch (kind_) {
    case ValueKind::kNil:
      out += "(nil)";
      return;
    case ValueKind::kSimple:
      out += text_;
      return;
    case ValueKind::kError:
      out += "(error) " + error_text();
      return;
    case ValueKind::kInteger: {
      const auto end = std::to_chars(num, num + sizeof num, integer_).ptr;
      out += "(integer) ";
      out.append(num, end);
      return;
    }
    case ValueKind::kDouble: {
      const auto end = std::to_chars(num, num + sizeof num, double_).ptr;
      out += "(double) ";
      out.append(num, end);
      return;
    }
    case ValueKind::kString:
      append_quoted(out, text_);
      return;
    case ValueKind::kArray:
      break;
  }
  if (items_.empty()) {
    out += "(empty array)";
    return;
  }
  const std::size_t width = std::to_string(items_.size()).size();
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (i > 0) out += '\n' + std::string(indent, ' ');
    std::string label = std::to_string(i + 1);
    out += std::string(width - label.size(), ' ') + label + ") ";
    items_[i].describe_into(out, indent + width + 2);
  }
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case ValueKind::kNil:
      return true;
    case ValueKind::kInteger:
      return a.integer_ == b.integer_;
    case ValueKind::kDouble:
      return std::bit_cast<std::uint64_t>(a.double_) == std::bit_cast<std::uint64_t>(b.double_);
    case ValueKind::kSimple:
    case ValueKind::kString:
      return a.text_ == b.text_;
    case ValueKind::kError:
      return a.code_ == b.code_ && a.text_ == b.text_;
    case ValueKind::kArray:
      return a.items_ == b.items_;
  }
  return false;
}

}  // namespace tcpkit::codec
