#pragma once
// Line framing: one message per line, for echo-style and text protocols.
//
// Wire format: the line's bytes, then LF; a CR just before the LF is part of the terminator.
//
//   +----------------------------+----+----+
//   | line (any bytes but '\n')  | \r?| \n |
//   +----------------------------+----+----+
//
// Theory of operation: decode() looks for '\n' with memchr, starting where the previous call
// stopped looking, so a line arriving one byte at a time costs O(length) in all. A line longer
// than max_line_length (terminator excluded) is an error as soon as that many bytes are
// buffered without a newline: a peer cannot make us hold more than the limit.

#include <cstddef>
#include <optional>
#include <string_view>

#include "tcpkit/codec/decode.hpp"
#include "tcpkit/io/buffer.hpp"

namespace tcpkit::codec {

// Not thread-safe; one per connection. Holds no buffer of its own.
class LineDecoder {
 public:
  static constexpr std::size_t kDefaultMaxLineLength = 64u * 1024;

  explicit LineDecoder(std::size_t max_line_length = kDefaultMaxLineLength);

  // Decodes one line from the front of `input` (decode.hpp has the calling contract).
  // On kFrame, line() is the line without its terminator, a view into `input`.
  // Errors: kLineTooLong ("Protocol error: line too long").
  DecodeResult decode(std::string_view input);

  std::string_view line() const { return line_; }
  const ProtocolError& error() const { return error_; }
  std::size_t max_line_length() const { return max_line_length_; }
  // At EOF: a kTruncated error when `remaining` holds the start of an unfinished line.
  std::optional<ProtocolError> finish(std::string_view remaining) const;
  void reset() { searched_ = 0; }

 private:
  std::size_t max_line_length_;
  std::size_t searched_ = 0;  // bytes of the pending line already known to hold no '\n'
  std::string_view line_;
  ProtocolError error_;
};

// Appends `line` and "\n". The line must not contain '\n' (asserted).
void encode_line(io::Buffer& out, std::string_view line);

}  // namespace tcpkit::codec
