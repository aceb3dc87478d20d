#include "tcpkit/codec/typed.hpp"

#include <bit>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "tcpkit/base/assert.hpp"
#include "tcpkit/codec/error_texts.hpp"
#include "tcpkit/codec/little_endian.hpp"

namespace tcpkit::codec {

namespace {

constexpr std::size_t kLengthSize = 4;
constexpr std::size_t kScalarSize = 8;

// The build pass: reads one value from [p, end) into `out`, advancing p. Runs only on bytes the
// scan has validated, yet stays bounds-checked (returning false) so a bug cannot read past end.
bool read_string(const char*& p, const char* end, std::string& out) {
  if (end - p < 4) return false;
  const std::size_t length = detail::load_u32le(p);
  p += 4;
  if (static_cast<std::size_t>(end - p) < length) return false;
  out.assign(p, length);
  p += length;
  return true;
}

bool read_typed_value(const char*& p, const char* end, Value& out, std::size_t depth) {
  if (p == end) return false;
  const char tag = *p++;
  std::string text;
  switch (tag) {
    case typed_tag::kNil:
      out = Value();
      return true;
    case typed_tag::kInteger:
    case typed_tag::kDouble: {
      if (end - p < 8) return false;
      const std::uint64_t bits = detail::load_u64le(p);
      p += 8;
      out = tag == typed_tag::kInteger ? Value::integer(static_cast<std::int64_t>(bits))
                                       : Value::floating(std::bit_cast<double>(bits));
      return true;
    }
    case typed_tag::kSimple:
    case typed_tag::kString:
      if (!read_string(p, end, text)) return false;
      out = tag == typed_tag::kSimple ? Value::simple(std::move(text))
                                      : Value::string(std::move(text));
      return true;
    case typed_tag::kError: {
      std::string message;
      if (!read_string(p, end, text) || !read_string(p, end, message)) return false;
      out = Value::error(std::move(text), std::move(message));
      return true;
    }
    case typed_tag::kArray: {
      if (depth == 0 || end - p < 4) return false;
      const std::size_t count = detail::load_u32le(p);
      p += 4;
      // Every item takes at least one byte, so this reserve is bounded by bytes present.
      if (count > static_cast<std::size_t>(end - p)) return false;
      std::vector<Value> items(count);
      for (Value& item : items) {
        if (!read_typed_value(p, end, item, depth - 1)) return false;
      }
      out = Value::array(std::move(items));
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

TypedDecoder::TypedDecoder(TypedLimits limits) : limits_(limits) {}

void TypedDecoder::reset() {
  offset_ = 0;
  open_items_.clear();
}

DecodeResult TypedDecoder::decode(std::string_view input) {
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
    // The scan proved these bytes form one valid value, so the build cannot fail.
    const char* p = input.data();
    const bool built = read_typed_value(p, p + consumed, value_, limits_.max_depth);
    TCPKIT_ASSERT(built && p == input.data() + consumed);
    return DecodeResult::frame(consumed);
  }
}

// Counts a finished item against the innermost open array; true when the outermost value is
// whole.
bool TypedDecoder::close_item() {
  while (!open_items_.empty()) {
    if (--open_items_.back() > 0) return false;
    open_items_.pop_back();
  }
  return true;
}

TypedDecoder::Step TypedDecoder::fail(ProtocolErrc code, std::string_view text) {
  error_ = {code, std::string(text)};
  return Step::kError;
}

// Checks the length-prefixed string at `at`; on kItem, *end is just past it.
TypedDecoder::Step TypedDecoder::scan_string(std::string_view input, std::size_t at,
                                             std::size_t* end) {
  if (input.size() - at < kLengthSize) return Step::kNeedMore;
  const std::size_t length = detail::load_u32le(input.data() + at);
  if (length > limits_.max_string_length) {
    return fail(ProtocolErrc::kFrameTooLarge, texts::kStringTooLong);
  }
  if (input.size() - at - kLengthSize < length) return Step::kNeedMore;
  *end = at + kLengthSize + length;
  return Step::kItem;
}

// Examines the item at offset_. kItem and kOpened advance offset_ past the item (or the array
// header); kNeedMore leaves it, to re-read the item's fixed-size headers next time.
TypedDecoder::Step TypedDecoder::scan_item(std::string_view input) {
  if (offset_ >= input.size()) return Step::kNeedMore;
  const std::size_t body = offset_ + 1;
  std::size_t end = body;
  Step step = Step::kItem;
  switch (input[offset_]) {
    case typed_tag::kNil:
      break;
    case typed_tag::kInteger:
    case typed_tag::kDouble:
      if (input.size() - body < kScalarSize) return Step::kNeedMore;
      end = body + kScalarSize;
      break;
    case typed_tag::kSimple:
    case typed_tag::kString:
      step = scan_string(input, body, &end);
      break;
    case typed_tag::kError:
      step = scan_string(input, body, &end);
      if (step == Step::kItem) step = scan_string(input, end, &end);
      break;
    case typed_tag::kArray: {
      if (input.size() - body < kLengthSize) return Step::kNeedMore;
      const std::uint32_t count = detail::load_u32le(input.data() + body);
      if (count > limits_.max_array_length) {
        return fail(ProtocolErrc::kFrameTooLarge, texts::kArrayTooLong);
      }
      if (open_items_.size() >= limits_.max_depth) {
        return fail(ProtocolErrc::kTooDeep, texts::kTooDeep);
      }
      end = body + kLengthSize;
      if (count > 0) {
        open_items_.push_back(count);
        step = Step::kOpened;
      }
      break;
    }
    default:
      return fail(ProtocolErrc::kBadType, texts::kUnknownType);
  }
  if (step == Step::kItem || step == Step::kOpened) offset_ = end;
  return step;
}

std::optional<ProtocolError> TypedDecoder::finish(std::string_view remaining) const {
  return truncated_if_pending(remaining);
}

std::optional<ProtocolError> decode_typed_value(std::string_view payload, Value& out,
                                                const TypedLimits& limits) {
  TypedDecoder decoder(limits);
  const DecodeResult r = decoder.decode(payload);
  switch (r.status) {
    case DecodeStatus::kError:
      return decoder.error();
    case DecodeStatus::kNeedMore:
      return ProtocolError{ProtocolErrc::kTruncated, std::string(texts::kTruncated)};
    case DecodeStatus::kFrame:
      break;
  }
  if (r.consumed != payload.size()) {
    return ProtocolError{ProtocolErrc::kMalformed, std::string(texts::kTrailingBytes)};
  }
  out = decoder.take_value();
  return std::nullopt;
}

}  // namespace tcpkit::codec
