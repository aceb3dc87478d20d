#include "tcpkit/codec/line.hpp"

#include <cstring>
#include <string>

#include "tcpkit/base/assert.hpp"
#include "tcpkit/codec/error_texts.hpp"

namespace tcpkit::codec {

LineDecoder::LineDecoder(std::size_t max_line_length) : max_line_length_(max_line_length) {}

DecodeResult LineDecoder::decode(std::string_view input) {
  // searched_ can only exceed the input if the caller broke the contract; start over then.
  if (searched_ > input.size()) searched_ = 0;
  const void* hit = std::memchr(input.data() + searched_, '\n', input.size() - searched_);
  if (hit == nullptr) {
    searched_ = input.size();
    // A trailing CR may still become part of the terminator, so it does not count yet.
    std::size_t length = input.size();
    if (length > 0 && input[length - 1] == '\r') --length;
    if (length > max_line_length_) {
      error_ = {ProtocolErrc::kLineTooLong, std::string(texts::kLineTooLong)};
      return DecodeResult::error();
    }
    return DecodeResult::need_more();
  }
  const auto newline = static_cast<std::size_t>(static_cast<const char*>(hit) - input.data());
  std::size_t length = newline;
  if (length > 0 && input[length - 1] == '\r') --length;
  searched_ = 0;
  if (length > max_line_length_) {
    error_ = {ProtocolErrc::kLineTooLong, std::string(texts::kLineTooLong)};
    return DecodeResult::error();
  }
  line_ = input.substr(0, length);
  return DecodeResult::frame(newline + 1);
}

std::optional<ProtocolError> LineDecoder::finish(std::string_view remaining) const {
  return truncated_if_pending(remaining);
}

void encode_line(io::Buffer& out, std::string_view line) {
  TCPKIT_ASSERT(line.find('\n') == std::string_view::npos);
  char* dst = out.prepare(line.size() + 1);
  if (!line.empty()) std::memcpy(dst, line.data(), line.size());
  dst[line.size()] = '\n';
  out.commit(line.size() + 1);
}

}  // namespace tcpkit::codec
