#include "tcpkit/codec/length_prefix.hpp"

#include <cstring>
#include <limits>
#include <string>

#include "tcpkit/base/assert.hpp"
#include "tcpkit/codec/error_texts.hpp"
#include "tcpkit/codec/little_endian.hpp"

namespace tcpkit::codec {

LengthPrefixDecoder::LengthPrefixDecoder(std::size_t max_frame_size)
    : max_frame_size_(max_frame_size) {}

DecodeResult LengthPrefixDecoder::decode(std::string_view input) {
  if (input.size() < kHeaderSize) return DecodeResult::need_more();
  const std::size_t length = detail::load_u32le(input.data());
  if (length > max_frame_size_) {
    error_ = {ProtocolErrc::kFrameTooLarge, std::string(texts::kFrameTooLarge)};
    return DecodeResult::error();
  }
  if (input.size() - kHeaderSize < length) return DecodeResult::need_more();
  payload_ = input.substr(kHeaderSize, length);
  return DecodeResult::frame(kHeaderSize + length);
}

std::optional<ProtocolError> LengthPrefixDecoder::finish(std::string_view remaining) const {
  return truncated_if_pending(remaining);
}

void encode_length_prefixed(io::Buffer& out, std::string_view payload) {
  TCPKIT_ASSERT(payload.size() <= std::numeric_limits<std::uint32_t>::max());
  char* dst = out.prepare(LengthPrefixDecoder::kHeaderSize + payload.size());
  detail::store_u32le(dst, static_cast<std::uint32_t>(payload.size()));
  if (!payload.empty())
    std::memcpy(dst + LengthPrefixDecoder::kHeaderSize, payload.data(), payload.size());
  out.commit(LengthPrefixDecoder::kHeaderSize + payload.size());
}

std::size_t begin_length_prefixed(io::Buffer& out) {
  const std::size_t mark = out.size();
  char* dst = out.prepare(LengthPrefixDecoder::kHeaderSize);
  std::memset(dst, 0, LengthPrefixDecoder::kHeaderSize);
  out.commit(LengthPrefixDecoder::kHeaderSize);
  return mark;
}

void end_length_prefixed(io::Buffer& out, std::size_t mark) {
  TCPKIT_ASSERT(mark + LengthPrefixDecoder::kHeaderSize <= out.size());
  const std::size_t length = out.size() - mark - LengthPrefixDecoder::kHeaderSize;
  TCPKIT_ASSERT(length <= std::numeric_limits<std::uint32_t>::max());
  // Buffer exposes its readable bytes read-only; they are our own heap memory, and rewriting
  // the placeholder we appended is the one in-place edit a framer needs.
  char* header = const_cast<char*>(out.data()) + mark;
  detail::store_u32le(header, static_cast<std::uint32_t>(length));
}

}  // namespace tcpkit::codec
