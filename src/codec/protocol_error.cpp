// The protocol error category and the EOF check shared by every decoder.

#include <string>

#include "tcpkit/codec/decode.hpp"
#include "tcpkit/codec/error_texts.hpp"

namespace tcpkit::codec {

namespace {

class ProtocolCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tcpkit.protocol"; }
  std::string message(int value) const override {
    switch (static_cast<ProtocolErrc>(value)) {
      case ProtocolErrc::kFrameTooLarge:
        return "frame too large";
      case ProtocolErrc::kLineTooLong:
        return "line too long";
      case ProtocolErrc::kInvalidBulkLength:
        return "invalid bulk length";
      case ProtocolErrc::kInvalidMultibulkLength:
        return "invalid multibulk length";
      case ProtocolErrc::kUnbalancedQuotes:
        return "unbalanced quotes";
      case ProtocolErrc::kExpectedDollar:
        return "expected '$'";
      case ProtocolErrc::kBadType:
        return "unknown type byte";
      case ProtocolErrc::kBadInteger:
        return "invalid integer";
      case ProtocolErrc::kTooDeep:
        return "nesting too deep";
      case ProtocolErrc::kTruncated:
        return "truncated frame";
      case ProtocolErrc::kMalformed:
        return "malformed frame";
      case ProtocolErrc::kUnauthenticatedLength:
        return "length over the unauthenticated limit";
      case ProtocolErrc::kUnsupported:
        return "unsupported protocol feature";
    }
    return "unknown protocol error";
  }
};

}  // namespace

const std::error_category& protocol_category() {
  static const ProtocolCategory category;
  return category;
}

std::optional<ProtocolError> truncated_if_pending(std::string_view remaining) {
  if (remaining.empty()) return std::nullopt;
  return ProtocolError{ProtocolErrc::kTruncated, std::string(texts::kTruncated)};
}

}  // namespace tcpkit::codec
