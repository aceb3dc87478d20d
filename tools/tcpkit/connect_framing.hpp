#pragma once
// How `tcpkit connect` cuts stdin into messages and prints what comes back (--framing).
//   raw:    bytes as they come; each stdin read is one datagram with --udp
//   line:   each stdin line (with its newline) is one message; replies printed as they come
//   length: each stdin line is sent as one frame (4-byte little-endian length + the line
//           without its newline); each reply frame's payload is printed on its own line

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "tcpkit/io/buffer.hpp"

namespace tcpkit::cli {

class Framer {
 public:
  virtual ~Framer() = default;
  // Appends the messages complete in `input` to `out`, recording each message's length in
  // `messages` (datagram boundaries).
  virtual void encode(std::string_view input, io::Buffer& out,
                      std::deque<std::size_t>& messages) = 0;
  // stdin ended: whatever is left (a last line without newline) becomes a message.
  virtual void encode_rest(io::Buffer& out, std::deque<std::size_t>& messages) = 0;
  // Turns received bytes into what is printed. Returns an error text, or "" when fine.
  virtual std::string decode(std::string_view input, std::string& printed) = 0;
  // The peer closed: an error text when a frame was cut short, or "".
  virtual std::string finish() = 0;
};

std::unique_ptr<Framer> make_framer(const std::string& name);

}  // namespace tcpkit::cli
