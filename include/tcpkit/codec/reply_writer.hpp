#pragma once
// ReplyWriter: how a service says a reply without knowing the wire format. The kv commands
// call these; RespWriter (RESP2 or RESP3 text) and TypedWriter (the native binary
// serialization) turn them into bytes appended to an output Buffer. An aggregate is a header
// followed by exactly its element calls (which may be aggregates themselves): `n` for an array,
// a set or a push, `2n` (key, value, key, value ...) for a map.
//
// The RESP3 shapes (map, set, boolean, double_value, big_number, verbatim, push) have default
// implementations that say them in RESP2's shape, as Redis does for a RESP2 client, so a writer
// that only knows RESP2 needs nothing more:
//
//   call                  RESP2 shape (the default)         RESP3 (RespWriter, version 3)
//   map(n)                array(2n)                         %n
//   set(n)                array(n)                          ~n
//   push(n)               array(n)                          >n
//   boolean(b)            integer(1 or 0)                   #t  #f
//   double_value(d)       bulk("%.17g" text)                ,1.5  ,inf  ,-inf  ,nan
//   big_number(digits)    bulk(digits)                      (1234567890123456789012
//   verbatim(fmt, text)   bulk(text)                        =8\r\ntxt:text
//
// RESP3 also says null() and null_array() alike, as "_".

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
  virtual void null() = 0;                    // RESP2 "$-1"; RESP3 "_"; typed nil
  virtual void null_array() = 0;              // RESP2 "*-1"; RESP3 "_"; typed nil
  virtual void array(std::size_t n) = 0;      // header; n elements follow
  // INCRBYFLOAT's reply: a bulk string in RESP2 and RESP3 alike (Redis never sends it as a
  // RESP3 double), the shortest plain-notation text.
  virtual void floating(double d) = 0;

  // RESP3 shapes; each default says it in RESP2 (see the table above).
  virtual void map(std::size_t n) { array(2 * n); }  // header; n key/value pairs follow
  virtual void set(std::size_t n) { array(n); }      // header; n elements follow
  virtual void push(std::size_t n) { array(n); }     // header; n elements follow
  virtual void boolean(bool b) { integer(b ? 1 : 0); }
  // A double as Redis's addReplyDouble says it (ZSCORE, ZRANGE ... WITHSCORES): printf's
  // "%.17g" ("1.5", "0.10000000000000001", "1e+20"), "inf", "-inf", "nan".
  virtual void double_value(double d);
  // An integer past 64 bits: an optional '-' and decimal digits (the caller's to check).
  virtual void big_number(std::string_view digits) { bulk(digits); }
  // Text with a 3-byte format ("txt", "mkd"); `format` must be exactly 3 bytes.
  virtual void verbatim(std::string_view format, std::string_view text);
};

// The "%.17g" text of a double as double_value() says it (std::to_chars, no locale, no
// allocation): "1.5", "0.10000000000000001", "1e+20", "inf", "-inf", "nan" (any NaN).
struct DoubleText {
  char data[32];
  std::size_t size = 0;
  std::string_view view() const { return {data, size}; }
};
DoubleText double_text(double d);

}  // namespace tcpkit::codec
