#pragma once
// What every decoder returns: a frame, need-more, or a protocol error, with the bytes consumed.
//
// Decoders are sans-I/O and resumable. The caller passes all unconsumed input, oldest byte
// first; after kNeedMore it passes the same bytes again with more appended, and the decoder
// resumes where it stopped (total work stays O(bytes) however the input is split). After
// kFrame the caller drops `consumed` bytes before the next call. After kError the stream is
// unusable: the caller sends the error text (in the protocol's own form) and closes.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace tcpkit::codec {

enum class DecodeStatus { kFrame, kNeedMore, kError };

struct DecodeResult {
  DecodeStatus status = DecodeStatus::kNeedMore;
  std::size_t consumed = 0;  // bytes of this frame; 0 unless status == kFrame

  static DecodeResult frame(std::size_t n) { return {DecodeStatus::kFrame, n}; }
  static DecodeResult need_more() { return {DecodeStatus::kNeedMore, 0}; }
  static DecodeResult error() { return {DecodeStatus::kError, 0}; }
};

// A protocol error: what went wrong, worded as the peer will read it
// ("Protocol error: invalid bulk length"). Its own error category, so it never mixes with errno.
enum class ProtocolErrc {
  kFrameTooLarge = 1,
  kLineTooLong,
  kInvalidBulkLength,
  kInvalidMultibulkLength,
  kUnbalancedQuotes,
  kExpectedDollar,
  kBadType,
  kBadInteger,
  kTooDeep,
  kTruncated,
  kMalformed,
  kUnauthenticatedLength,  // over a pre-authentication limit (RespLimits)
  kUnsupported,            // valid in the protocol, not handled here (RESP3 streamed types)
};

const std::error_category& protocol_category();
inline std::error_code make_error_code(ProtocolErrc e) {
  return {static_cast<int>(e), protocol_category()};
}

struct ProtocolError {
  ProtocolErrc code = ProtocolErrc::kMalformed;
  std::string text;  // exact text the peer receives, without protocol decoration ("-", CRLF)
};

// What every decoder's finish(remaining) returns at EOF: nothing when the stream ended between
// frames, a kTruncated error when `remaining` (the unconsumed input) holds part of a frame.
std::optional<ProtocolError> truncated_if_pending(std::string_view remaining);

}  // namespace tcpkit::codec

template <>
struct std::is_error_code_enum<tcpkit::codec::ProtocolErrc> : std::true_type {};
