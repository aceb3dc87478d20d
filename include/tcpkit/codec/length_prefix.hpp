#pragma once
// Length-prefix framing: a 4-byte little-endian payload length, then the payload.
//
//   0        4                      4 + len
//   +--------+----------------------+
//   | len    | payload (len bytes)  |     len: uint32, little-endian, header excluded
//   +--------+----------------------+
//
// Theory of operation: decode() needs no state beyond its limit. With fewer than 4 bytes it
// asks for more; with the header it checks the length against max_frame_size at once (so a
// peer announcing 4 GiB is refused before it sends a byte of it), then waits until the whole
// payload is buffered. Nothing is allocated from the announced length: the payload is a view
// into the caller's input. Each call is O(1), so any split of the input costs O(bytes).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "tcpkit/codec/decode.hpp"
#include "tcpkit/io/buffer.hpp"

namespace tcpkit::codec {

// Not thread-safe; one per connection. Holds no buffer of its own.
class LengthPrefixDecoder {
 public:
  static constexpr std::size_t kHeaderSize = 4;
  static constexpr std::size_t kDefaultMaxFrameSize = 32u * 1024 * 1024;

  explicit LengthPrefixDecoder(std::size_t max_frame_size = kDefaultMaxFrameSize);

  // Decodes one frame from the front of `input` (decode.hpp has the calling contract).
  // On kFrame, payload() is a view into `input` and consumed = 4 + payload length.
  // Errors: kFrameTooLarge ("Protocol error: frame too large") when the header announces more
  // than max_frame_size payload bytes (exactly max_frame_size is allowed).
  DecodeResult decode(std::string_view input);

  std::string_view payload() const { return payload_; }
  const ProtocolError& error() const { return error_; }
  std::size_t max_frame_size() const { return max_frame_size_; }
  // At EOF: a kTruncated error when `remaining` holds part of a frame.
  std::optional<ProtocolError> finish(std::string_view remaining) const;
  void reset() {}

 private:
  std::size_t max_frame_size_;
  std::string_view payload_;
  ProtocolError error_;
};

// Appends one frame: header, then `payload` (whose size must fit in 32 bits; asserted).
void encode_length_prefixed(io::Buffer& out, std::string_view payload);

// Builds a frame in place when the payload is written piece by piece (a TypedWriter reply):
//
//   auto mark = begin_length_prefixed(out);   // appends 4 placeholder bytes
//   ... append the payload to `out` ...
//   end_length_prefixed(out, mark);           // patches the header with the payload length
//
// The mark is an offset from the front of out's readable bytes, so `out` may grow (and move)
// in between but must not be consumed from until end_length_prefixed() returns.
std::size_t begin_length_prefixed(io::Buffer& out);
void end_length_prefixed(io::Buffer& out, std::size_t mark);

}  // namespace tcpkit::codec
