#pragma once
// ReplyWriter: how a service says a reply without knowing the wire format. The kv commands
// call these; RespWriter (RESP2 text) and TypedWriter (the native binary serialization) turn
// them into bytes appended to an output Buffer. An array is a header followed by exactly `n`
// element calls (which may be arrays themselves).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tcpkit::codec {

class ReplyWriter {
 public:
  virtual ~ReplyWriter() = default;
  virtual void simple(std::string_view s) = 0;       // RESP "+OK"
  virtual void error(std::string_view message) = 0;  // whole text: "ERR unknown command ..."
  virtual void integer(std::int64_t n) = 0;
  virtual void bulk(std::string_view s) = 0;  // a binary-safe string
  virtual void null() = 0;                    // RESP2 "$-1"; typed nil
  virtual void null_array() = 0;              // RESP2 "*-1"; typed nil
  virtual void array(std::size_t n) = 0;      // header; n elements follow
  virtual void floating(double d) = 0;        // RESP2: as a bulk string, Redis's %.17g
};

}  // namespace tcpkit::codec
