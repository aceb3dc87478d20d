#pragma once
// The typed binary serialization of a Value: tcpkit's "native" protocol payload.
//
// Wire format: a value is one tag byte, then its body; integers are little-endian.
//
//   tag  kind      body
//   'N'  nil       (nothing)
//   '+'  simple    u32 len | len bytes
//   '-'  error     u32 code_len | code bytes | u32 msg_len | message bytes
//   ':'  integer   i64 (8 bytes, two's complement)
//   ','  double    f64 (8 bytes, IEEE-754 binary64 bit pattern)
//   '$'  string    u32 len | len bytes (binary-safe)
//   '*'  array     u32 count | count values, each with its own tag
//
//   e.g. ["GET", "k"]:  2a 02000000  24 03000000 'G' 'E' 'T'  24 01000000 'k'
//                       '*' count=2  '$' len=3               '$' len=1
//
// The tags are RESP3's type bytes, so RESP3 kinds can join later under their own tags
// ('%' map, '~' set, '#' bool, '(' big number, '=' verbatim) without clashing.
//
// Theory of operation (TypedDecoder): a first pass walks the input item by item, keeping the
// offset of the next item and a stack of "items still owed" for the open arrays. Every header
// is fixed-size, so an item that is not yet whole is re-read from its tag next time at O(1)
// cost. When the last item of the outermost value is whole, a second pass builds the Value
// from bytes already known to be valid. Limits are checked as soon as a header arrives, and
// nothing is allocated from a declared length before the bytes it announces are buffered.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "tcpkit/codec/decode.hpp"
#include "tcpkit/codec/reply_writer.hpp"
#include "tcpkit/codec/value.hpp"
#include "tcpkit/io/buffer.hpp"

namespace tcpkit::codec {

namespace typed_tag {
inline constexpr char kNil = 'N';
inline constexpr char kSimple = '+';
inline constexpr char kError = '-';
inline constexpr char kInteger = ':';
inline constexpr char kDouble = ',';
inline constexpr char kString = '$';
inline constexpr char kArray = '*';
}  // namespace typed_tag

struct TypedLimits {
  std::size_t max_string_length = 512u * 1024 * 1024;  // for '+', '$' and each part of '-'
  std::size_t max_array_length = 1024u * 1024;
  std::size_t max_depth = 32;  // arrays nested in arrays; a scalar is depth 0
};

// Decodes one typed value per frame. Not thread-safe; one per connection.
class TypedDecoder {
 public:
  explicit TypedDecoder(TypedLimits limits = {});

  // Decodes one value from the front of `input` (decode.hpp has the calling contract).
  // On kFrame, value() holds it. Errors: kBadType (unknown tag), kFrameTooLarge (a string or
  // array over its limit), kTooDeep.
  DecodeResult decode(std::string_view input);

  const Value& value() const { return value_; }
  Value take_value() { return std::move(value_); }
  const ProtocolError& error() const { return error_; }
  std::optional<ProtocolError> finish(std::string_view remaining) const;
  void reset();

 private:
  enum class Step { kItem, kOpened, kNeedMore, kError };
  Step scan_item(std::string_view input);
  Step scan_string(std::string_view input, std::size_t at, std::size_t* end);
  bool close_item();
  Step fail(ProtocolErrc code, std::string_view text);

  TypedLimits limits_;
  std::size_t offset_ = 0;                 // start of the next item not yet whole
  std::vector<std::uint32_t> open_items_;  // items still owed by each open array
  Value value_;
  ProtocolError error_;
};

// Decodes a buffer that must hold exactly one value (a native reply payload).
// Errors: the decoder's, kTruncated for a short payload, kMalformed for trailing bytes.
std::optional<ProtocolError> decode_typed_value(std::string_view payload, Value& out,
                                                const TypedLimits& limits = {});

// Writes replies in the typed form. Holds a reference to `out`; not thread-safe.
class TypedWriter final : public ReplyWriter {
 public:
  explicit TypedWriter(io::Buffer& out) : out_(out) {}
  void simple(std::string_view s) override;
  // Splits "CODE message" at the first space, as Value::error_from_text() does.
  void error(std::string_view message) override;
  void integer(std::int64_t n) override;
  void bulk(std::string_view s) override;
  void null() override;
  void null_array() override;
  void array(std::size_t n) override;
  void floating(double d) override;
  // A double as a double (the ',' tag), not as ReplyWriter's RESP2 text. The other RESP3 calls
  // take ReplyWriter's RESP2 shapes: the typed form has no map, set, push or boolean yet.
  void double_value(double d) override { floating(d); }
  // An error with its parts given apart (exact even when the code holds a space).
  void error_parts(std::string_view code, std::string_view message);

 private:
  void tagged_string(char tag, std::string_view s);
  io::Buffer& out_;
};

// Appends the typed form of `value`; decode_typed_value() gives back an equal Value, except
// for the RESP3 kinds (map, set, push, boolean, big number, verbatim), written in their RESP2
// shapes as TypedWriter writes them.
void encode_typed(io::Buffer& out, const Value& value);

}  // namespace tcpkit::codec
