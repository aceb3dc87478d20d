// RespValueDecoder (theory of operation in resp_value.hpp).

#include "tcpkit/codec/resp_value.hpp"

#include <cstring>
#include <string>
#include <utility>

#include "tcpkit/base/assert.hpp"
#include "tcpkit/codec/error_texts.hpp"
#include "tcpkit/codec/parse_int.hpp"

namespace tcpkit::codec {

namespace {

bool is_reply_type(char c) { return c == '+' || c == '-' || c == ':' || c == '$' || c == '*'; }

// The build pass, on bytes the scan has validated: reads the reply at `pos` into `out`.
void build(std::string_view in, std::size_t& pos, Value& out) {
  const char type = in[pos];
  const std::size_t newline = in.find('\n', pos);
  TCPKIT_ASSERT(newline != std::string_view::npos);
  const std::string_view line = in.substr(pos + 1, newline - 1 - (pos + 1));
  pos = newline + 1;
  std::int64_t n = 0;
  switch (type) {
    case '+':
      out = Value::simple(std::string(line));
      return;
    case '-':
      out = Value::error_from_text(line);
      return;
    default:
      break;
  }
  const bool parsed = parse_int64(line, n);
  TCPKIT_ASSERT(parsed);
  if (type == ':') {
    out = Value::integer(n);
  } else if (n < 0) {
    out = Value();
  } else if (type == '$') {
    const auto length = static_cast<std::size_t>(n);
    out = Value::string(std::string(in.substr(pos, length)));
    pos += length + 2;
  } else {
    // Each element took at least 4 bytes of the scanned input, so this size is bounded.
    std::vector<Value> items(static_cast<std::size_t>(n));
    for (Value& item : items) build(in, pos, item);
    out = Value::array(std::move(items));
  }
}

}  // namespace

RespValueDecoder::RespValueDecoder(RespLimits limits) : limits_(limits) {}

void RespValueDecoder::reset() {
  offset_ = 0;
  searched_ = 0;
  pending_bulk_ = -1;
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
    build(input.substr(0, consumed), pos, value_);
    TCPKIT_ASSERT(pos == consumed);
    return DecodeResult::frame(consumed);
  }
}

// Counts a finished item against the innermost open array; true when the reply is whole.
bool RespValueDecoder::close_item() {
  while (!open_items_.empty()) {
    if (--open_items_.back() > 0) return false;
    open_items_.pop_back();
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
  if (pending_bulk_ >= 0) return scan_bulk_body(input);
  if (offset_ >= input.size()) return Step::kNeedMore;
  const char type = input[offset_];
  if (!is_reply_type(type)) return fail(ProtocolErrc::kBadType, texts::kUnknownType);
  std::string_view line;
  const Step step = scan_line(input, &line);
  if (step != Step::kItem) return step;
  const std::size_t next = offset_ + 1 + line.size() + 2;
  std::int64_t n = 0;
  if (type != '+' && type != '-' && !parse_int64(line, n)) {
    if (type == '$') return fail(ProtocolErrc::kInvalidBulkLength, texts::kInvalidBulkLength);
    if (type == '*') {
      return fail(ProtocolErrc::kInvalidMultibulkLength, texts::kInvalidMultibulkLength);
    }
    return fail(ProtocolErrc::kBadInteger, texts::kInvalidInteger);
  }
  if (type == '$' && n != -1) {
    if (n < 0 || static_cast<std::uint64_t>(n) > limits_.max_bulk_length) {
      return fail(ProtocolErrc::kInvalidBulkLength, texts::kInvalidBulkLength);
    }
    pending_bulk_ = n;
    offset_ = next;
    return scan_bulk_body(input);
  }
  if (type == '*' && n != -1) {
    const Step opened = scan_array(n);
    if (opened != Step::kError) offset_ = next;
    return opened;
  }
  offset_ = next;
  return Step::kItem;
}

// Applies the limits to an array header ("*n") and opens it; an empty array is a whole item.
RespValueDecoder::Step RespValueDecoder::scan_array(std::int64_t count) {
  if (count < 0 || static_cast<std::uint64_t>(count) > limits_.max_array_length) {
    return fail(ProtocolErrc::kInvalidMultibulkLength, texts::kInvalidMultibulkLength);
  }
  if (open_items_.size() >= limits_.max_depth) {
    return fail(ProtocolErrc::kTooDeep, texts::kTooDeep);
  }
  if (count == 0) return Step::kItem;
  open_items_.push_back(count);
  return Step::kOpened;
}

// Waits for the bytes of the bulk whose header was read, then its CRLF.
RespValueDecoder::Step RespValueDecoder::scan_bulk_body(std::string_view input) {
  const auto length = static_cast<std::size_t>(pending_bulk_);
  if (input.size() - offset_ < length + 2) return Step::kNeedMore;
  if (input[offset_ + length] != '\r' || input[offset_ + length + 1] != '\n') {
    return fail(ProtocolErrc::kMalformed, texts::kBulkNotTerminated);
  }
  offset_ += length + 2;
  pending_bulk_ = -1;
  return Step::kItem;
}

}  // namespace tcpkit::codec
