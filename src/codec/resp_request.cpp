// RespRequestDecoder: multibulk and inline requests (theory of operation in resp.hpp).

#include <algorithm>
#include <cstring>
#include <string>

#include "tcpkit/base/assert.hpp"
#include "tcpkit/codec/error_texts.hpp"
#include "tcpkit/codec/parse_int.hpp"
#include "tcpkit/codec/resp.hpp"

namespace tcpkit::codec {

namespace {

// The longest number the whole-frame pass reads: 18 digits cannot overflow 64 bits.
constexpr std::ptrdiff_t kWholeFrameDigits = 18;

// Reads "<digits>\r\n" as the whole-frame pass accepts it: no sign, no leading zero. On
// success advances p past the CRLF.
bool read_plain_length(const char*& p, const char* end, std::uint64_t& out) {
  const char* q = p;
  std::uint64_t v = 0;
  while (q < end && q - p < kWholeFrameDigits && *q >= '0' && *q <= '9') {
    v = v * 10 + static_cast<unsigned>(*q - '0');
    ++q;
  }
  if (q == p || end - q < 2 || q[0] != '\r' || q[1] != '\n') return false;
  if (*p == '0' && q - p > 1) return false;
  out = v;
  p = q + 2;
  return true;
}

// A header the fast path handles: an optional '-' and at most 20 digits.
constexpr std::ptrdiff_t kFastHeaderChars = 21;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// C's isspace() in the "C" locale, which sdssplitargs uses to skip blanks.
bool is_blank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  return (c | 0x20) - 'a' + 10;
}

char unescape(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'b':
      return '\b';
    case 'a':
      return '\a';
    default:
      return c;
  }
}

// The byte at i, or '\0' past the end (sdssplitargs reads a NUL-terminated string).
char at(std::string_view s, std::size_t i) { return i < s.size() ? s[i] : '\0'; }

// A closing quote must be followed by a blank or by the end of the line.
bool closes_cleanly(std::string_view line, std::size_t quote) {
  const char next = at(line, quote + 1);
  return next == '\0' || is_blank(next);
}

// Reads a "double quoted" section whose opening quote is just before i, up to and past its
// closing quote. False when the line ends first or the closing quote is glued to more text.
bool read_double_quoted(std::string_view line, std::size_t& i, std::string& out) {
  for (;;) {
    const char c = at(line, i);
    if (c == '\\' && at(line, i + 1) == 'x' && is_hex(at(line, i + 2)) && is_hex(at(line, i + 3))) {
      out += static_cast<char>(hex_value(line[i + 2]) * 16 + hex_value(line[i + 3]));
      i += 4;
    } else if (c == '\\' && at(line, i + 1) != '\0') {
      out += unescape(line[i + 1]);
      i += 2;
    } else if (c == '"') {
      return closes_cleanly(line, i++);
    } else if (c == '\0') {
      return false;
    } else {
      out += c;
      ++i;
    }
  }
}

// The same for a 'single quoted' section, where only \' is an escape.
bool read_single_quoted(std::string_view line, std::size_t& i, std::string& out) {
  for (;;) {
    const char c = at(line, i);
    if (c == '\\' && at(line, i + 1) == '\'') {
      out += '\'';
      i += 2;
    } else if (c == '\'') {
      return closes_cleanly(line, i++);
    } else if (c == '\0') {
      return false;
    } else {
      out += c;
      ++i;
    }
  }
}

// Reads one word of an inline line starting at i (not a blank), appending its unescaped bytes
// to `out` and leaving i past it. A quoted section always ends its word. False on unbalanced
// quotes.
bool read_word(std::string_view line, std::size_t& i, std::string& out) {
  for (;;) {
    const char c = at(line, i);
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0') {
      if (c != '\0') ++i;
      return true;
    }
    ++i;
    if (c == '"') return read_double_quoted(line, i, out);
    if (c == '\'') return read_single_quoted(line, i, out);
    out += c;
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

std::size_t RespRequestDecoder::heap_bytes() const {
  return spans_.capacity() * sizeof(Span) + args_view_.capacity() * sizeof(std::string_view) +
         inline_args_.capacity() * sizeof(std::string_view) + inline_storage_.capacity();
}

// A huge request leaves tables sized for it; an idle connection should not keep them.
void RespRequestDecoder::release_large_tables() {
  constexpr std::size_t kKeptArgs = 1024;
  // (Assigning {} would keep the capacity: it is an empty initializer list.)
  if (spans_.capacity() > kKeptArgs) std::vector<Span>().swap(spans_);
  if (args_view_.capacity() > kKeptArgs) std::vector<std::string_view>().swap(args_view_);
}

// Redis's order: over max_array_length is invalid, then over the unauthenticated limit.
bool RespRequestDecoder::check_count(std::int64_t count) {
  const auto n = static_cast<std::uint64_t>(count);
  if (n > limits_.max_array_length) {
    fail(ProtocolErrc::kInvalidMultibulkLength, texts::kInvalidMultibulkLength);
    return false;
  }
  if (n > limits_.unauthenticated_max_array_length) {
    fail(ProtocolErrc::kUnauthenticatedLength, texts::kUnauthenticatedMultibulkLength);
    return false;
  }
  return true;
}

bool RespRequestDecoder::check_bulk_length(std::int64_t length) {
  if (length < 0 || static_cast<std::uint64_t>(length) > limits_.max_bulk_length) {
    fail(ProtocolErrc::kInvalidBulkLength, texts::kInvalidBulkLength);
    return false;
  }
  if (static_cast<std::uint64_t>(length) > limits_.unauthenticated_max_bulk_length) {
    fail(ProtocolErrc::kUnauthenticatedLength, texts::kUnauthenticatedBulkLength);
    return false;
  }
  return true;
}

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
    release_large_tables();
    if (input.empty()) return DecodeResult::need_more();
    if (input[0] == '*') {
      if (const std::size_t consumed = decode_whole_multibulk(input)) {
        return DecodeResult::frame(consumed);
      }
    }
    mode_ = input[0] == '*' ? Mode::kMultibulk : Mode::kInline;
  }
  return mode_ == Mode::kMultibulk ? decode_multibulk(input) : decode_inline(input);
}

// The pipelined fast path: parses a multibulk frame that is entirely in `input` straight into
// args_view_. Returns the frame's size, or 0 to leave the frame (complete or not, valid or
// not) to the resumable path. Headers here are at most 20 bytes, so when max_inline_length
// allows that, anything accepted here is accepted there too.
std::size_t RespRequestDecoder::decode_whole_multibulk(std::string_view input) {
  if (limits_.max_inline_length < kWholeFrameDigits + 2) return 0;
  const char* p = input.data() + 1;
  const char* const end = input.data() + input.size();
  std::uint64_t count = 0;
  const std::uint64_t max_count =
      std::min(limits_.max_array_length, limits_.unauthenticated_max_array_length);
  const std::uint64_t max_length =
      std::min(limits_.max_bulk_length, limits_.unauthenticated_max_bulk_length);
  if (!read_plain_length(p, end, count) || count == 0 || count > max_count) return 0;
  // Each argument takes at least 4 bytes ("$0\r\n" is not even whole), so this growth is
  // bounded by bytes already received.
  if (count > static_cast<std::uint64_t>(end - p) / 4) return 0;
  if (args_view_.size() < count) args_view_.resize(static_cast<std::size_t>(count));
  std::string_view* out = args_view_.data();
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t length = 0;
    if (p == end || *p != '$') return 0;
    ++p;
    if (!read_plain_length(p, end, length) || length > max_length) return 0;
    if (static_cast<std::uint64_t>(end - p) < length + 2) return 0;
    const auto n = static_cast<std::size_t>(length);
    if (p[n] != '\r' || p[n + 1] != '\n') return 0;
    out[i] = std::string_view(p, n);
    p += n + 2;
  }
  args_count_ = static_cast<std::size_t>(count);
  return static_cast<std::size_t>(p - input.data());
}

DecodeResult RespRequestDecoder::complete(std::string_view input, std::size_t consumed) {
  // spans_ grew one entry per argument that arrived, so this growth is bounded too.
  if (args_view_.size() < spans_.size()) args_view_.resize(spans_.size());
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    args_view_[i] = std::string_view(input.data() + spans_[i].offset, spans_[i].length);
  }
  args_count_ = spans_.size();
  reset();
  return DecodeResult::frame(consumed);
}

DecodeResult RespRequestDecoder::decode_multibulk(std::string_view input) {
  if (expected_args_ < 0) {
    std::int64_t count = 0;
    const Header h = parse_header(input, &count);
    if (h != Header::kOk)
      return h == Header::kError ? DecodeResult::error() : DecodeResult::need_more();
    // Redis: "*0" and any negative count are an empty command.
    if (count > 0 && !check_count(count)) return DecodeResult::error();
    if (count <= 0) return complete(input, scanned_);
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
      if (h != Header::kOk)
        return h == Header::kError ? DecodeResult::error() : DecodeResult::need_more();
      if (!check_bulk_length(length)) return DecodeResult::error();
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
      searched_ = 0;
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
  if (!split_inline(input.substr(0, length), inline_storage_, inline_args_)) {
    return fail(ProtocolErrc::kUnbalancedQuotes, texts::kUnbalancedQuotes);
  }
  if (args_view_.size() < inline_args_.size()) args_view_.resize(inline_args_.size());
  std::copy(inline_args_.begin(), inline_args_.end(), args_view_.begin());
  args_count_ = inline_args_.size();
  reset();
  return DecodeResult::frame(newline + 1);
}

}  // namespace tcpkit::codec
