// RespRequestDecoder: multibulk and inline requests (theory of operation in resp.hpp).

#include <cstring>
#include <string>

#include "tcpkit/base/assert.hpp"
#include "tcpkit/codec/error_texts.hpp"
#include "tcpkit/codec/parse_int.hpp"
#include "tcpkit/codec/resp.hpp"

namespace tcpkit::codec {

namespace {

// A header the fast path handles: an optional '-' and at most 20 digits.
constexpr std::ptrdiff_t kFastHeaderChars = 21;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// C's isspace() in the "C" locale, which sdssplitargs uses to skip blanks.
bool is_blank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  return (c | 0x20) - 'a' + 10;
}

char unescape(char c) {
  switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'a': return '\a';
    default: return c;
  }
}

// The byte at i, or '\0' past the end (sdssplitargs reads a NUL-terminated string).
char at(std::string_view s, std::size_t i) { return i < s.size() ? s[i] : '\0'; }

// A closing quote must be followed by a blank or by the end of the line.
bool closes_cleanly(std::string_view line, std::size_t quote) {
  const char next = at(line, quote + 1);
  return next == '\0' || is_blank(next);
}

// Reads one word of an inline line starting at i (not a blank), appending its unescaped bytes
// to `out` and leaving i past it. False on unbalanced quotes.
bool read_word(std::string_view line, std::size_t& i, std::string& out) {
  enum class Quote { kNone, kDouble, kSingle } quote = Quote::kNone;
  for (;;) {
    const char c = at(line, i);
    if (quote == Quote::kDouble) {
      if (c == '\\' && at(line, i + 1) == 'x' && is_hex(at(line, i + 2)) &&
          is_hex(at(line, i + 3))) {
        out += static_cast<char>(hex_value(line[i + 2]) * 16 + hex_value(line[i + 3]));
        i += 4;
      } else if (c == '\\' && at(line, i + 1) != '\0') {
        out += unescape(line[i + 1]);
        i += 2;
      } else if (c == '"') {
        ++i;
        return closes_cleanly(line, i - 1);
      } else if (c == '\0') {
        return false;
      } else {
        out += c;
        ++i;
      }
    } else if (quote == Quote::kSingle) {
      if (c == '\\' && at(line, i + 1) == '\'') {
        out += '\'';
        i += 2;
      } else if (c == '\'') {
        ++i;
        return closes_cleanly(line, i - 1);
      } else if (c == '\0') {
        return false;
      } else {
        out += c;
        ++i;
      }
    } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0') {
      if (c != '\0') ++i;
      return true;
    } else if (c == '"' || c == '\'') {
      quote = c == '"' ? Quote::kDouble : Quote::kSingle;
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
}

// sdssplitargs: splits `line` into words stored in `storage`, viewed by `args`.
bool split_inline(std::string_view line, std::string& storage,
                  std::vector<std::string_view>& args) {
  line = line.substr(0, line.find('\0'));
  storage.clear();
  storage.reserve(line.size());  // words never outgrow the line, so the views stay valid
  const char* const base = storage.data();
  args.clear();
  std::size_t i = 0;
  for (;;) {
    while (i < line.size() && is_blank(line[i])) ++i;
    if (i == line.size()) break;
    const std::size_t start = storage.size();
    if (!read_word(line, i, storage)) return false;
    args.emplace_back(base + start, storage.size() - start);
  }
  TCPKIT_ASSERT(storage.data() == base);
  return true;
}

}  // namespace

RespRequestDecoder::RespRequestDecoder(RespLimits limits) : limits_(limits) {}

void RespRequestDecoder::reset() {
  mode_ = Mode::kIdle;
  scanned_ = 0;
  searched_ = 0;
  expected_args_ = -1;
  pending_bulk_ = -1;
  spans_.clear();
}

DecodeResult RespRequestDecoder::fail(ProtocolErrc code, std::string_view text) {
  error_ = {code, std::string(text)};
  reset();
  return DecodeResult::error();
}

std::optional<ProtocolError> RespRequestDecoder::finish(std::string_view remaining) const {
  return truncated_if_pending(remaining);
}

DecodeResult RespRequestDecoder::decode(std::string_view input) {
  if (mode_ == Mode::kIdle) {
    if (input.empty()) return DecodeResult::need_more();
    mode_ = input[0] == '*' ? Mode::kMultibulk : Mode::kInline;
  }
  return mode_ == Mode::kMultibulk ? decode_multibulk(input) : decode_inline(input);
}

DecodeResult RespRequestDecoder::complete(std::string_view input, std::size_t consumed) {
  args_view_.clear();
  for (const Span& span : spans_) args_view_.emplace_back(input.data() + span.offset, span.length);
  reset();
  return DecodeResult::frame(consumed);
}

DecodeResult RespRequestDecoder::decode_multibulk(std::string_view input) {
  if (expected_args_ < 0) {
    std::int64_t count = 0;
    const Header h = parse_header(input, &count);
    if (h != Header::kOk) return h == Header::kError ? DecodeResult::error() : DecodeResult::need_more();
    // Redis: "*0" and any negative count are an empty command.
    if (count <= 0) return complete(input, scanned_);
    if (static_cast<std::uint64_t>(count) > limits_.max_array_length) {
      return fail(ProtocolErrc::kInvalidMultibulkLength, texts::kInvalidMultibulkLength);
    }
    expected_args_ = count;
  }
  while (spans_.size() < static_cast<std::size_t>(expected_args_)) {
    if (pending_bulk_ < 0) {
      if (scanned_ == input.size()) return DecodeResult::need_more();
      if (input[scanned_] != '$') {
        std::string text(texts::kExpectedDollarPrefix);
        text += input[scanned_];
        text += '\'';
        return fail(ProtocolErrc::kExpectedDollar, text);
      }
      std::int64_t length = 0;
      const Header h = parse_header(input, &length);
      if (h != Header::kOk) return h == Header::kError ? DecodeResult::error() : DecodeResult::need_more();
      if (length < 0 || static_cast<std::uint64_t>(length) > limits_.max_bulk_length) {
        return fail(ProtocolErrc::kInvalidBulkLength, texts::kInvalidBulkLength);
      }
      pending_bulk_ = length;
    }
    const auto length = static_cast<std::size_t>(pending_bulk_);
    if (input.size() - scanned_ < length + 2) return DecodeResult::need_more();
    const char* tail = input.data() + scanned_ + length;
    if (tail[0] != '\r' || tail[1] != '\n') {
      return fail(ProtocolErrc::kMalformed, texts::kBulkNotTerminated);
    }
    spans_.push_back({scanned_, length});
    scanned_ += length + 2;
    pending_bulk_ = -1;
  }
  return complete(input, scanned_);
}

// Parses the "*N\r\n" or "$N\r\n" header whose prefix is at scanned_. On kOk, *value is N and
// scanned_ is past the header. The fast path reads a plain number straight through; anything
// it cannot settle (a stray byte, a long header, a tight limit) goes to the slow path.
RespRequestDecoder::Header RespRequestDecoder::parse_header(std::string_view input,
                                                            std::int64_t* value) {
  const char* const prefix = input.data() + scanned_;
  const char* const end = input.data() + input.size();
  const char* const digits = prefix + 1;
  const char* const stop = end - digits > kFastHeaderChars ? digits + kFastHeaderChars : end;
  const char* p = digits;
  if (p < stop && *p == '-') ++p;
  while (p < stop && is_digit(*p)) ++p;
  const auto header_length = static_cast<std::size_t>(p - prefix);
  if (header_length <= limits_.max_inline_length) {
    if (p == end) return Header::kNeedMore;
    if (*p == '\r' && p + 1 < end && p[1] == '\n' &&
        parse_int64({digits, static_cast<std::size_t>(p - digits)}, *value)) {
      scanned_ = static_cast<std::size_t>(p + 2 - input.data());
      return Header::kOk;
    }
  }
  return parse_header_slow(input, value);
}

// Redis's rule: the count string ends at the first '\r'; more than max_inline_length bytes
// without one is "too big"; a CR not followed by LF, or a count string2ll rejects, is invalid.
RespRequestDecoder::Header RespRequestDecoder::parse_header_slow(std::string_view input,
                                                                 std::int64_t* value) {
  const bool count = expected_args_ < 0;
  const std::size_t from = scanned_ + 1 + searched_;
  const void* hit = std::memchr(input.data() + from, '\r', input.size() - from);
  const std::size_t cr =
      hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - input.data()) : input.size();
  searched_ = cr - scanned_ - 1;
  if (cr - scanned_ > limits_.max_inline_length) {
    fail(ProtocolErrc::kLineTooLong, count ? texts::kTooBigMbulkCount : texts::kTooBigBulkCount);
    return Header::kError;
  }
  if (cr + 1 >= input.size()) return Header::kNeedMore;
  if (input[cr + 1] != '\n' || !parse_int64(input.substr(scanned_ + 1, searched_), *value)) {
    if (count) {
      fail(ProtocolErrc::kInvalidMultibulkLength, texts::kInvalidMultibulkLength);
    } else {
      fail(ProtocolErrc::kInvalidBulkLength, texts::kInvalidBulkLength);
    }
    return Header::kError;
  }
  scanned_ = cr + 2;
  searched_ = 0;
  return Header::kOk;
}

DecodeResult RespRequestDecoder::decode_inline(std::string_view input) {
  const std::size_t from = searched_;
  const void* hit = std::memchr(input.data() + from, '\n', input.size() - from);
  const std::size_t newline =
      hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - input.data()) : input.size();
  searched_ = newline;
  // A CR just before the newline (or at the end, where the newline may follow) is no content.
  std::size_t length = newline;
  if (length > 0 && input[length - 1] == '\r') --length;
  if (length > limits_.max_inline_length) {
    return fail(ProtocolErrc::kLineTooLong, texts::kTooBigInline);
  }
  if (hit == nullptr) return DecodeResult::need_more();
  if (!split_inline(input.substr(0, length), inline_storage_, args_view_)) {
    return fail(ProtocolErrc::kUnbalancedQuotes, texts::kUnbalancedQuotes);
  }
  reset();
  return DecodeResult::frame(newline + 1);
}

}  // namespace tcpkit::codec
