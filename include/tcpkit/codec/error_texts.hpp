#pragma once
// Every protocol error text a peer can receive from a tcpkit codec, in one place.
//
// The RESP request texts are Redis's own, word for word (networking.c), so clients and test
// suites written against Redis see the same bytes. The others belong to tcpkit's own codecs.
// The texts carry no protocol decoration: RespWriter adds "-" and CRLF, TypedWriter its tag.

#include <string_view>

namespace tcpkit::codec::texts {

// RESP requests (as Redis words them).
inline constexpr std::string_view kInvalidMultibulkLength =
    "Protocol error: invalid multibulk length";
inline constexpr std::string_view kInvalidBulkLength = "Protocol error: invalid bulk length";
// Followed by the offending byte and a closing quote: "Protocol error: expected '$', got 'X'".
inline constexpr std::string_view kExpectedDollarPrefix = "Protocol error: expected '$', got '";
inline constexpr std::string_view kUnbalancedQuotes =
    "Protocol error: unbalanced quotes in request";
inline constexpr std::string_view kTooBigInline = "Protocol error: too big inline request";
inline constexpr std::string_view kTooBigMbulkCount = "Protocol error: too big mbulk count string";
inline constexpr std::string_view kTooBigBulkCount = "Protocol error: too big bulk count string";
// Over RespLimits' pre-authentication limits (Redis: more than 10 elements or 16384 bytes).
inline constexpr std::string_view kUnauthenticatedMultibulkLength =
    "Protocol error: unauthenticated multibulk length";
inline constexpr std::string_view kUnauthenticatedBulkLength =
    "Protocol error: unauthenticated bulk length";

// tcpkit's own codecs (and RESP replies, which Redis never has to parse).
inline constexpr std::string_view kBulkNotTerminated =
    "Protocol error: bulk string not terminated by CRLF";
inline constexpr std::string_view kLineNotTerminated =
    "Protocol error: line not terminated by CRLF";
inline constexpr std::string_view kLineTooLong = "Protocol error: line too long";
inline constexpr std::string_view kFrameTooLarge = "Protocol error: frame too large";
inline constexpr std::string_view kUnknownType = "Protocol error: unknown type byte";
inline constexpr std::string_view kInvalidInteger = "Protocol error: invalid integer";
inline constexpr std::string_view kStringTooLong = "Protocol error: string too long";
inline constexpr std::string_view kArrayTooLong = "Protocol error: array too long";
inline constexpr std::string_view kTooDeep = "Protocol error: nesting too deep";
inline constexpr std::string_view kTrailingBytes = "Protocol error: trailing bytes after value";
inline constexpr std::string_view kNotACommand =
    "Protocol error: a request must be an array of strings";
// RESP3 replies (RespValueDecoder with RespVersion::kResp3).
inline constexpr std::string_view kInvalidNull = "Protocol error: invalid null";
inline constexpr std::string_view kInvalidBoolean = "Protocol error: invalid boolean";
inline constexpr std::string_view kInvalidDouble = "Protocol error: invalid double";
inline constexpr std::string_view kInvalidBigNumber = "Protocol error: invalid big number";
inline constexpr std::string_view kInvalidVerbatim = "Protocol error: invalid verbatim string";
inline constexpr std::string_view kStreamedNotSupported =
    "Protocol error: streamed strings and aggregates are not supported";
inline constexpr std::string_view kTruncated =
    "Protocol error: connection closed in the middle of a frame";

}  // namespace tcpkit::codec::texts
