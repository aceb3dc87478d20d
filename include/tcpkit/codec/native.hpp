#pragma once
// tcpkit's "native" protocol: length-prefixed frames (length_prefix.hpp) carrying typed values
// (typed.hpp). kv speaks it beside RESP.
//
//   request:  | u32 len | '*' u32 argc | '$' u32 len arg0 | '$' u32 len arg1 | ... |
//   reply:    | u32 len | one typed value (any kind)                               |
//
// A server decodes requests with NativeRequestDecoder (arguments are views into the input,
// nothing allocated per request once the argument vector has grown) and writes each reply
// as one frame:
//
//   auto mark = begin_native_reply(out);   // 4 placeholder bytes
//   TypedWriter w(out);  w.array(2); w.bulk("a"); w.integer(1);
//   end_native_reply(out, mark);           // patches the length in
//
// A client encodes requests with encode_native_request() and reads replies with a
// LengthPrefixDecoder followed by decode_typed_value() on the payload.

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "tcpkit/codec/decode.hpp"
#include "tcpkit/codec/length_prefix.hpp"
#include "tcpkit/codec/typed.hpp"
#include "tcpkit/io/buffer.hpp"

namespace tcpkit::codec {

// Parses a request payload (a typed array of strings) into views of `payload`, reusing the
// capacity of `args`. Errors: kMalformed ("Protocol error: a request must be an array of
// strings", or trailing bytes), kFrameTooLarge (more than max_args arguments).
std::optional<ProtocolError> parse_native_request(std::string_view payload,
                                                  std::vector<std::string_view>& args,
                                                  std::size_t max_args = 1024u * 1024);

// Server side: frames and parses requests. Not thread-safe; one per connection.
class NativeRequestDecoder {
 public:
  explicit NativeRequestDecoder(
      std::size_t max_frame_size = LengthPrefixDecoder::kDefaultMaxFrameSize,
      std::size_t max_args = 1024u * 1024);

  // decode.hpp's contract. On kFrame, args() are views into `input`.
  DecodeResult decode(std::string_view input);
  std::span<const std::string_view> args() const { return args_; }
  const ProtocolError& error() const { return error_; }
  std::optional<ProtocolError> finish(std::string_view remaining) const;
  void reset() {}

 private:
  LengthPrefixDecoder framer_;
  std::size_t max_args_;
  std::vector<std::string_view> args_;
  ProtocolError error_;
};

// Client side: appends one request frame.
void encode_native_request(io::Buffer& out, std::span<const std::string_view> args);
void encode_native_request(io::Buffer& out, std::initializer_list<std::string_view> args);

// Reply frames written in place (see the example above).
inline std::size_t begin_native_reply(io::Buffer& out) { return begin_length_prefixed(out); }
inline void end_native_reply(io::Buffer& out, std::size_t mark) { end_length_prefixed(out, mark); }

}  // namespace tcpkit::codec
