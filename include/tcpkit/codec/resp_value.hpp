#pragma once
// RespValueDecoder: the client side of RESP2 and RESP3. Decodes any reply into a Value, for
// `tcpkit call`, `tcpkit bench` and tests.
//
//   +OK\r\n                  simple        -ERR message\r\n   error (code "ERR")
//   :42\r\n                  integer       $5\r\nhello\r\n    string (binary-safe)
//   $-1\r\n  *-1\r\n         nil           *2\r\n:1\r\n$1\r\na\r\n   array, nested to max_depth
//
// With RespVersion::kResp3 (what a server says after HELLO 3) also:
//
//   _\r\n                    nil           #t\r\n  #f\r\n      boolean
//   ,1.5\r\n  ,inf\r\n  ,-inf\r\n  ,nan\r\n  ,1e+20\r\n        double
//   ([+-]digits[.digits][e[+-]digits]) (12345678901234567890123\r\n  big number ([-+]digits)
//   !9\r\nERR oops!\r\n      error (a blob error: bulk-framed, binary-safe)
//   =6\r\ntxt:hi\r\n         verbatim string (a 3-byte format, ':', the text)
//   %1\r\n+key\r\n:1\r\n     map: n pairs, 2n items
//   ~2\r\n...  >2\r\n...     set, push: n items
//   |1\r\n+key\r\n:1\r\n     attribute: a map that comes before the item it annotates; not part
//                            of the Value, but kept in attributes()
//   $?\r\n  *?\r\n ...       streamed types: a kUnsupported error, never a frame
//
// Theory of operation: like TypedDecoder (typed.hpp), a scan pass walks the reply item by item
// and a build pass makes the Value once the outermost item is whole. The scan keeps the offset
// of the next item, how far it already searched that item's line for '\n' (so a long line
// trickling in is scanned once), the length and type of a blob ('$', '!', '=') whose header it
// has read, and a stack of items still owed by each open aggregate (an attribute's entry says
// so: when it closes, its parent still waits for the item the attribute annotates). Limits
// (RespLimits) apply as soon as a header arrives: lines are at most max_inline_length bytes,
// blobs max_bulk_length, aggregates max_array_length entries (pairs, for a map) and max_depth
// levels (attributes count as a level). Lines must end in CRLF; a blob must be followed by
// CRLF. Nothing is allocated from a declared length: the build pass runs on scanned bytes.

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
  // `version` kResp2 takes RESP2 replies only (a RESP3 type byte is kBadType); kResp3 takes
  // both.
  explicit RespValueDecoder(RespLimits limits = {}, RespVersion version = RespVersion::kResp2);

  // Decodes one reply from the front of `input` (decode.hpp has the calling contract).
  // On kFrame, value() holds it. Errors: kBadType, kBadInteger, kInvalidBulkLength,
  // kInvalidMultibulkLength, kLineTooLong, kTooDeep, kMalformed (a missing CRLF; a RESP3 null,
  // boolean, double, big number or verbatim string not as the table above writes it),
  // kUnsupported (a streamed type).
  DecodeResult decode(std::string_view input);

  const Value& value() const { return value_; }
  Value take_value() { return std::move(value_); }
  // The attributes (each a kMap) that the last frame carried, at any depth, in the order their
  // ends arrived (an attribute inside another comes first); empty for RESP2.
  const std::vector<Value>& attributes() const { return attributes_; }
  const ProtocolError& error() const { return error_; }
  std::optional<ProtocolError> finish(std::string_view remaining) const;
  // Switches the types accepted from the next reply on (a client after HELLO 3 succeeds).
  void set_version(RespVersion version) { version_ = version; }
  RespVersion version() const { return version_; }
  void reset();

 private:
  enum class Step { kItem, kOpened, kNeedMore, kError };
  struct Open {
    std::int64_t owed;  // items still to come
    bool attribute;     // an attribute: closing it completes no item of its parent
  };
  Step scan_item(std::string_view input);
  Step scan_line(std::string_view input, std::string_view* line);
  Step scan_blob_header(char type, std::string_view line, std::size_t next, std::string_view input);
  Step scan_blob_body(std::string_view input);
  Step scan_aggregate(char type, std::string_view line);
  Step check_scalar(char type, std::string_view line);
  bool close_item();
  Step fail(ProtocolErrc code, std::string_view text);

  RespLimits limits_;
  RespVersion version_;
  std::size_t offset_ = 0;          // start of the next item (or of a pending blob's bytes)
  std::size_t searched_ = 0;        // bytes of the current line known to hold no '\n'
  std::int64_t pending_blob_ = -1;  // length of a blob whose header was read, or -1
  char pending_type_ = '$';         // that blob's type: '$', '!' or '='
  std::vector<Open> open_items_;    // the open aggregates, outermost first
  Value value_;
  std::vector<Value> attributes_;
  ProtocolError error_;
};

}  // namespace tcpkit::codec
