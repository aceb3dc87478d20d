// RespValueDecoder (theory of operation in resp_value.hpp).

#include "tcpkit/codec/resp_value.hpp"

#include <charconv>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "tcpkit/base/assert.hpp"
#include "tcpkit/codec/error_texts.hpp"
#include "tcpkit/codec/parse_int.hpp"

namespace tcpkit::codec {

namespace {

bool is_reply_type(char c, RespVersion version) {
  if (std::string_view("+-:$*").find(c) != std::string_view::npos) return true;
  return version == RespVersion::kResp3 &&
         std::string_view("_,#(!=%~>|").find(c) != std::string_view::npos;
}

// Types whose header holds a length or count (and so may be "?", a streamed one).
bool is_blob(char c) { return c == '$' || c == '!' || c == '='; }
bool is_aggregate(char c) { return c == '*' || c == '%' || c == '~' || c == '>' || c == '|'; }
// Map and attribute counts are pairs: two items each.
bool counts_pairs(char c) { return c == '%' || c == '|'; }

bool skip_digits(std::string_view s, std::size_t& i) {
  const std::size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i > start;
}

// A RESP3 double: "inf", "-inf", "nan", or [+-]digits[.digits][(e|E)[+-]digits] within the
// range of a double. Stricter than strtod: no hex, no "infinity", no leading blanks.
bool parse_resp_double(std::string_view s, double& out) {
  if (s == "inf" || s == "-inf") {
    out = s[0] == '-' ? -std::numeric_limits<double>::infinity()
                      : std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "nan") {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (s.empty()) return false;
  std::size_t i = s[0] == '+' || s[0] == '-' ? 1 : 0;
  const std::size_t number = s[0] == '+' ? 1 : 0;  // from_chars takes no '+'
  if (!skip_digits(s, i)) return false;
  if (i < s.size() && s[i] == '.' && !skip_digits(s, ++i)) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!skip_digits(s, i)) return false;
  }
  if (i != s.size()) return false;
  const auto r = std::from_chars(s.data() + number, s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// A RESP3 big number: an optional sign, then one or more digits.
bool is_big_number(std::string_view s) {
  std::size_t i = !s.empty() && (s[0] == '+' || s[0] == '-') ? 1 : 0;
  return skip_digits(s, i) && i == s.size();
}

Value build_blob(char type, std::string_view body) {
  if (type == '!') return Value::error_from_text(body);
  if (type == '=')
    return Value::verbatim(std::string(body.substr(0, 3)), std::string(body.substr(4)));
  return Value::string(std::string(body));
}

Value build_aggregate(char type, std::vector<Value> items) {
  if (type == '%' || type == '|') return Value::map(std::move(items));
  if (type == '~') return Value::set(std::move(items));
  if (type == '>') return Value::push(std::move(items));
  return Value::array(std::move(items));
}

// The build pass, on bytes the scan has validated: reads the reply at `pos` into `out`, and
// the attributes before it (or inside it) into `attributes`.
void build(std::string_view in, std::size_t& pos, Value& out, std::vector<Value>& attributes) {
  for (;;) {
    const char type = in[pos];
    const std::size_t newline = in.find('\n', pos);
    TCPKIT_ASSERT(newline != std::string_view::npos);
    const std::string_view line = in.substr(pos + 1, newline - 1 - (pos + 1));
    pos = newline + 1;
    double d = 0;
    switch (type) {
      case '+':
        out = Value::simple(std::string(line));
        return;
      case '-':
        out = Value::error_from_text(line);
        return;
      case '_':
        out = Value();
        return;
      case '#':
        out = Value::boolean(line == "t");
        return;
      case ',': {
        const bool valid = parse_resp_double(line, d);
        TCPKIT_ASSERT(valid);
        out = Value::floating(d, std::string(line));
        return;
      }
      case '(':
        out = Value::big_number(std::string(line));
        return;
      default:
        break;
    }
    std::int64_t n = 0;
    const bool parsed = parse_int64(line, n);
    TCPKIT_ASSERT(parsed);
    if (type == ':') {
      out = Value::integer(n);
      return;
    }
    if (n < 0) {  // $-1 or *-1
      out = Value();
      return;
    }
    if (is_blob(type)) {
      const auto length = static_cast<std::size_t>(n);
      out = build_blob(type, in.substr(pos, length));
      pos += length + 2;
      return;
    }
    // Each item took at least 3 bytes of the scanned input, so this size is bounded.
    std::vector<Value> items(static_cast<std::size_t>(counts_pairs(type) ? 2 * n : n));
    for (Value& item : items) build(in, pos, item, attributes);
    if (type != '|') {
      out = build_aggregate(type, std::move(items));
      return;
    }
    attributes.push_back(Value::map(std::move(items)));  // then the item it annotates
  }
}

}  // namespace

RespValueDecoder::RespValueDecoder(RespLimits limits, RespVersion version)
    : limits_(limits), version_(version) {}

void RespValueDecoder::reset() {
  offset_ = 0;
  searched_ = 0;
  pending_blob_ = -1;
  open_items_.clear();
}

RespValueDecoder::Step RespValueDecoder::fail(ProtocolErrc code, std::string_view text) {
  error_ = {code, std::string(text)};
  return Step::kError;
}

std::optional<ProtocolError> RespValueDecoder::finish(std::string_view remaining) const {
  return truncated_if_pending(remaining);
}

DecodeResult RespValueDecoder::decode(std::string_view input) {
  for (;;) {
    switch (scan_item(input)) {
      case Step::kNeedMore:
        return DecodeResult::need_more();
      case Step::kError:
        reset();
        return DecodeResult::error();
      case Step::kOpened:
        continue;
      case Step::kItem:
        break;
    }
    if (!close_item()) continue;
    const std::size_t consumed = offset_;
    reset();
    std::size_t pos = 0;
    attributes_.clear();
    build(input.substr(0, consumed), pos, value_, attributes_);
    TCPKIT_ASSERT(pos == consumed);
    return DecodeResult::frame(consumed);
  }
}

// Counts a finished item against the innermost open aggregate; true when the reply is whole.
// A closed attribute completes nothing: the item it annotates comes next.
bool RespValueDecoder::close_item() {
  while (!open_items_.empty()) {
    if (--open_items_.back().owed > 0) return false;
    const bool attribute = open_items_.back().attribute;
    open_items_.pop_back();
    if (attribute) return false;
  }
  return true;
}

// Finds the CRLF ending the line of the item at offset_; *line is its text after the type
// byte. Leaves offset_ alone.
RespValueDecoder::Step RespValueDecoder::scan_line(std::string_view input, std::string_view* line) {
  const std::size_t from = offset_ + 1 + searched_;
  const void* hit = std::memchr(input.data() + from, '\n', input.size() - from);
  if (hit == nullptr) {
    searched_ = input.size() - offset_ - 1;
    // A CR at the very end may be the start of the CRLF, so it is not counted yet.
    const std::size_t pending = searched_ - (input.back() == '\r' ? 1 : 0);
    if (pending > limits_.max_inline_length) {
      return fail(ProtocolErrc::kLineTooLong, texts::kLineTooLong);
    }
    return Step::kNeedMore;
  }
  const auto newline = static_cast<std::size_t>(static_cast<const char*>(hit) - input.data());
  const bool crlf = newline > offset_ + 1 && input[newline - 1] == '\r';
  // The length is checked first, counted as above (without a CR before the LF), so a long
  // line gets the same error whether or not its LF had arrived yet.
  const std::size_t length = newline - (offset_ + 1) - (crlf ? 1 : 0);
  if (length > limits_.max_inline_length) {
    return fail(ProtocolErrc::kLineTooLong, texts::kLineTooLong);
  }
  if (!crlf) return fail(ProtocolErrc::kMalformed, texts::kLineNotTerminated);
  searched_ = 0;
  *line = input.substr(offset_ + 1, length);
  return Step::kItem;
}

RespValueDecoder::Step RespValueDecoder::scan_item(std::string_view input) {
  if (pending_blob_ >= 0) return scan_blob_body(input);
  if (offset_ >= input.size()) return Step::kNeedMore;
  const char type = input[offset_];
  if (!is_reply_type(type, version_)) return fail(ProtocolErrc::kBadType, texts::kUnknownType);
  std::string_view line;
  const Step step = scan_line(input, &line);
  if (step != Step::kItem) return step;
  const std::size_t next = offset_ + 1 + line.size() + 2;
  if (version_ == RespVersion::kResp3 && line == "?" && (is_blob(type) || is_aggregate(type))) {
    return fail(ProtocolErrc::kUnsupported, texts::kStreamedNotSupported);
  }
  if (is_blob(type)) return scan_blob_header(type, line, next, input);
  if (is_aggregate(type)) {
    const Step opened = scan_aggregate(type, line);
    if (opened != Step::kError) offset_ = next;
    return opened;
  }
  if (check_scalar(type, line) == Step::kError) return Step::kError;
  offset_ = next;
  return Step::kItem;
}

// The line of a simple item: ':' must hold an integer, and each RESP3 scalar its own form.
RespValueDecoder::Step RespValueDecoder::check_scalar(char type, std::string_view line) {
  std::int64_t n = 0;
  double d = 0;
  switch (type) {
    case ':':
      if (!parse_int64(line, n)) return fail(ProtocolErrc::kBadInteger, texts::kInvalidInteger);
      break;
    case '_':
      if (!line.empty()) return fail(ProtocolErrc::kMalformed, texts::kInvalidNull);
      break;
    case '#':
      if (line != "t" && line != "f") return fail(ProtocolErrc::kMalformed, texts::kInvalidBoolean);
      break;
    case ',':
      if (!parse_resp_double(line, d)) return fail(ProtocolErrc::kMalformed, texts::kInvalidDouble);
      break;
    case '(':
      if (!is_big_number(line)) return fail(ProtocolErrc::kMalformed, texts::kInvalidBigNumber);
      break;
    default:  // '+' and '-': any text
      break;
  }
  return Step::kItem;
}

// Applies the limits to a blob header ("$n", "!n", "=n") and waits for its bytes.
RespValueDecoder::Step RespValueDecoder::scan_blob_header(char type, std::string_view line,
                                                          std::size_t next,
                                                          std::string_view input) {
  std::int64_t n = 0;
  if (!parse_int64(line, n)) {
    return fail(ProtocolErrc::kInvalidBulkLength, texts::kInvalidBulkLength);
  }
  if (type == '$' && n == -1) {
    offset_ = next;
    return Step::kItem;
  }
  if (n < 0 || static_cast<std::uint64_t>(n) > limits_.max_bulk_length) {
    return fail(ProtocolErrc::kInvalidBulkLength, texts::kInvalidBulkLength);
  }
  if (type == '=' && n < 4) return fail(ProtocolErrc::kMalformed, texts::kInvalidVerbatim);
  pending_blob_ = n;
  pending_type_ = type;
  offset_ = next;
  return scan_blob_body(input);
}

// Waits for the bytes of the blob whose header was read, then its CRLF.
RespValueDecoder::Step RespValueDecoder::scan_blob_body(std::string_view input) {
  const auto length = static_cast<std::size_t>(pending_blob_);
  if (input.size() - offset_ < length + 2) return Step::kNeedMore;
  if (input[offset_ + length] != '\r' || input[offset_ + length + 1] != '\n') {
    return fail(ProtocolErrc::kMalformed, texts::kBulkNotTerminated);
  }
  if (pending_type_ == '=' && input[offset_ + 3] != ':') {
    return fail(ProtocolErrc::kMalformed, texts::kInvalidVerbatim);
  }
  offset_ += length + 2;
  pending_blob_ = -1;
  return Step::kItem;
}

// Applies the limits to an aggregate header ("*n", "%n", "~n", ">n", "|n") and opens it. An
// empty one is a whole item, except an empty attribute, which completes nothing.
RespValueDecoder::Step RespValueDecoder::scan_aggregate(char type, std::string_view line) {
  std::int64_t count = 0;
  if (!parse_int64(line, count)) {
    return fail(ProtocolErrc::kInvalidMultibulkLength, texts::kInvalidMultibulkLength);
  }
  if (type == '*' && count == -1) return Step::kItem;
  // (A pair count past INT64_MAX / 2 could not be doubled; no limit lets one through.)
  if (count < 0 || static_cast<std::uint64_t>(count) > limits_.max_array_length ||
      (counts_pairs(type) && count > std::numeric_limits<std::int64_t>::max() / 2)) {
    return fail(ProtocolErrc::kInvalidMultibulkLength, texts::kInvalidMultibulkLength);
  }
  if (open_items_.size() >= limits_.max_depth) {
    return fail(ProtocolErrc::kTooDeep, texts::kTooDeep);
  }
  const bool attribute = type == '|';
  if (count == 0) return attribute ? Step::kOpened : Step::kItem;
  open_items_.push_back({counts_pairs(type) ? 2 * count : count, attribute});
  return Step::kOpened;
}

}  // namespace tcpkit::codec
