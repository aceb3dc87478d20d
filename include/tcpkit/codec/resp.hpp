#pragma once
// RESP2, the Redis serialization protocol, sans-I/O.
//
// Theory of operation (requests): a client sends either a multibulk array of bulk strings
//
//   *3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n
//
// or an inline command, one line of space-separated words with optional "quotes":
//
//   SET key "hello world"\r\n
//
// RespRequestDecoder turns a stream of those into argument lists. It records how far it got
// inside the current frame (the argument offsets found so far), so a frame arriving one byte at
// a time costs O(bytes), and nothing is allocated from a declared length before the bytes arrive.
// Limits come from RespLimits; breaking one is a ProtocolError worded as Redis words it.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/codec/decode.hpp"
#include "tcpkit/codec/reply_writer.hpp"
#include "tcpkit/io/buffer.hpp"

namespace tcpkit::codec {

struct RespLimits {
  std::size_t max_bulk_length = 512u * 1024 * 1024;  // Redis proto-max-bulk-len
  std::size_t max_array_length = 1024u * 1024;       // elements in one multibulk request
  std::size_t max_inline_length = 64u * 1024;        // Redis PROTO_INLINE_MAX_SIZE
  std::size_t max_depth = 32;                        // nesting, for RespValueDecoder
};

class RespRequestDecoder {
 public:
  explicit RespRequestDecoder(RespLimits limits = {});

  // Decodes one request from the front of `input` (see decode.hpp for the calling contract).
  // On kFrame, args() holds the arguments (views into `input`, valid until the caller consumes
  // or changes it; an inline command's arguments may point into the decoder instead). An empty
  // inline line is a frame with no arguments; callers skip it as Redis does.
  DecodeResult decode(std::string_view input);

  std::span<const std::string_view> args() const { return args_view_; }
  const ProtocolError& error() const { return error_; }
  // Forgets a partially decoded frame (after the caller dropped the input).
  void reset();

 private:
  struct Span {
    std::size_t offset;
    std::size_t length;
  };
  DecodeResult decode_multibulk(std::string_view input);
  DecodeResult decode_inline(std::string_view input);
  DecodeResult fail(ProtocolErrc code, std::string_view text);

  RespLimits limits_;
  // Resumable state of the current multibulk frame.
  std::size_t scanned_ = 0;         // bytes of the frame parsed so far
  std::int64_t expected_args_ = -1;  // -1 until the "*N" header is parsed
  std::int64_t pending_bulk_ = -1;   // length of the bulk whose "$N" was parsed, or -1
  std::vector<Span> spans_;
  // Output of the last kFrame.
  std::vector<std::string_view> args_view_;
  std::string inline_storage_;  // unescaped inline arguments live here
  ProtocolError error_;
};

// Appends RESP2 to a Buffer. The fast path of every reply.
class RespWriter final : public ReplyWriter {
 public:
  explicit RespWriter(io::Buffer& out) : out_(out) {}
  void simple(std::string_view s) override;
  void error(std::string_view message) override;
  void integer(std::int64_t n) override;
  void bulk(std::string_view s) override;
  void null() override;
  void null_array() override;
  void array(std::size_t n) override;
  void floating(double d) override;

 private:
  io::Buffer& out_;
};

}  // namespace tcpkit::codec
