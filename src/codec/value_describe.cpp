// Value::describe(): redis-cli 7.0's rendering of a reply (cliFormatReplyTTY), RESP3 included.

#include <charconv>
#include <cstdio>
#include <string>

#include "tcpkit/codec/value.hpp"

namespace tcpkit::codec {

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

namespace {

// How redis-cli introduces an aggregate's entries, and what it prints for an empty one.
struct AggregateStyle {
  char separator;
  std::string_view empty;
};

AggregateStyle style_of(ValueKind kind) {
  switch (kind) {
    case ValueKind::kMap:
      return {'#', "(empty hash)"};
    case ValueKind::kSet:
      return {'~', "(empty set)"};
    case ValueKind::kPush:
      return {')', "(empty push)"};
    default:
      return {')', "(empty array)"};
  }
}

// Entries of an aggregate: pairs for a map, elements for the others.
std::size_t entries(const Value& v) {
  if (!v.is_aggregate()) return 0;
  return v.kind() == ValueKind::kMap ? v.items().size() / 2 : v.items().size();
}

}  // namespace

std::string Value::describe() const {
  std::string out;
  describe_into(out, 0);
  return out;
}

// `indent` is the column where this value's continuation lines start, so nested items line
// up under it (redis-cli's prefix).
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
      out += "(double) ";
      // The text the server sent, as hiredis keeps it; else the shortest that reads back.
      if (!text_.empty()) {
        out += text_;
      } else {
        out.append(num, std::to_chars(num, num + sizeof num, double_).ptr);
      }
      return;
    }
    case ValueKind::kString:
      append_quoted(out, text_);
      return;
    case ValueKind::kBool:
      out += integer_ != 0 ? "(true)" : "(false)";
      return;
    case ValueKind::kBigNumber:
      out += "(big number) " + text_;
      return;
    case ValueKind::kVerbatim:
      out += text_;  // as it is, unquoted, line breaks included
      return;
    case ValueKind::kArray:
    case ValueKind::kMap:
    case ValueKind::kSet:
    case ValueKind::kPush:
      describe_items(out, indent);
      return;
  }
}

// "1) a" lines for an array or push, "1~ a" for a set, "1# key => value" for a map, the
// numbers right-aligned. A map's value that holds more than one entry starts on a line of its
// own, indented, as redis-cli puts it.
void Value::describe_items(std::string& out, std::size_t indent) const {
  const AggregateStyle style = style_of(kind_);
  const std::size_t count = entries(*this);
  if (count == 0) {
    out += style.empty;
    return;
  }
  const std::size_t width = std::to_string(count).size();
  const std::size_t inner = indent + width + 2;
  const bool is_map = kind_ == ValueKind::kMap;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += '\n' + std::string(indent, ' ');
    const std::string label = std::to_string(i + 1);
    out += std::string(width - label.size(), ' ') + label + style.separator + ' ';
    if (!is_map) {
      items_[i].describe_into(out, inner);
      continue;
    }
    items_[2 * i].describe_into(out, inner);
    out += " => ";
    const Value& value = items_[2 * i + 1];
    if (entries(value) > 1) out += '\n' + std::string(inner, ' ');
    value.describe_into(out, inner);
  }
}

}  // namespace tcpkit::codec
