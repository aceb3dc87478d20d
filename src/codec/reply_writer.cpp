// ReplyWriter's RESP2-shaped defaults for the RESP3 calls, and double_text().

#include "tcpkit/codec/reply_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

#include "tcpkit/base/assert.hpp"

namespace tcpkit::codec {

// std::to_chars with chars_format::general and precision 17 is specified as printf's "%.17g",
// which is what Redis 7.0's addReplyDouble prints. Infinities come out as "inf" and "-inf"
// (Redis writes those two by hand); a NaN is always "nan", never "-nan", as RESP3 spells it.
DoubleText double_text(double d) {
  DoubleText text;
  if (std::isnan(d)) {
    std::memcpy(text.data, "nan", 3);
    text.size = 3;
    return text;
  }
  const auto r =
      std::to_chars(text.data, text.data + sizeof text.data, d, std::chars_format::general, 17);
  TCPKIT_ASSERT(r.ec == std::errc());
  text.size = static_cast<std::size_t>(r.ptr - text.data);
  return text;
}

void ReplyWriter::double_value(double d) { bulk(double_text(d).view()); }

void ReplyWriter::verbatim(std::string_view format, std::string_view text) {
  TCPKIT_ASSERT(format.size() == 3);
  bulk(text);
}

}  // namespace tcpkit::codec
