#pragma once
// RespValueDecoder: the client side of RESP2. Decodes any reply into a Value, for
// `tcpkit call`, `tcpkit bench` and tests.
//
//   +OK\r\n                  simple        -ERR message\r\n   error (code "ERR")
//   :42\r\n                  integer       $5\r\nhello\r\n    string (binary-safe)
//   $-1\r\n  *-1\r\n         nil           *2\r\n:1\r\n$1\r\na\r\n   array, nested to max_depth
//
// Theory of operation: like TypedDecoder (typed.hpp), a scan pass walks the reply item by item
// and a build pass makes the Value once the outermost item is whole. The scan keeps the offset
// of the next item, how far it already searched that item's line for '\n' (so a long line
// trickling in is scanned once), the length of a bulk whose header it has read, and a stack of
// items still owed by each open array. Limits (RespLimits) apply as soon as a header arrives:
// lines are at most max_inline_length bytes, bulks max_bulk_length, arrays max_array_length
// elements and max_depth levels. Lines must end in CRLF; a bulk must be followed by CRLF.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "tcpkit/codec/decode.hpp"
#include "tcpkit/codec/resp.hpp"
#include "tcpkit/codec/value.hpp"

namespace tcpkit::codec {

// Not thread-safe; one per connection.
class RespValueDecoder {
 public:
  explicit RespValueDecoder(RespLimits limits = {});

  // Decodes one reply from the front of `input` (decode.hpp has the calling contract).
  // On kFrame, value() holds it. Errors: kBadType, kBadInteger, kInvalidBulkLength,
  // kInvalidMultibulkLength, kLineTooLong, kTooDeep, kMalformed (a missing CRLF).
  DecodeResult decode(std::string_view input);

  const Value& value() const { return value_; }
  Value take_value() { return std::move(value_); }
  const ProtocolError& error() const { return error_; }
  std::optional<ProtocolError> finish(std::string_view remaining) const;
  void reset();

 private:
  enum class Step { kItem, kOpened, kNeedMore, kError };
  Step scan_item(std::string_view input);
  Step scan_line(std::string_view input, std::string_view* line);
  Step scan_bulk_body(std::string_view input);
  Step scan_array(std::int64_t count);
  bool close_item();
  Step fail(ProtocolErrc code, std::string_view text);

  RespLimits limits_;
  std::size_t offset_ = 0;                // start of the next item (or of a pending bulk's bytes)
  std::size_t searched_ = 0;              // bytes of the current line known to hold no '\n'
  std::int64_t pending_bulk_ = -1;        // length of a bulk whose header was read, or -1
  std::vector<std::int64_t> open_items_;  // items still owed by each open array
  Value value_;
  ProtocolError error_;
};

}  // namespace tcpkit::codec
