#pragma once
// RESP2 (and the writing half of RESP3), the Redis serialization protocol, sans-I/O.
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
// Limits come from RespLimits (adjustable between requests); breaking one is a ProtocolError
// worded as Redis words it (error_texts.hpp). A multibulk may declare up to INT_MAX elements,
// as in Redis: the argument tables grow with the arguments that arrive, never with the count.
//
// Decoding, step by step. The first byte of a request picks its form, as in Redis: '*' is a
// multibulk, anything else an inline line.
//   multibulk: parse "*N\r\n" (N <= 0: an empty command, a frame with no arguments); then N
//     times parse "$L\r\n", wait until L bytes and CRLF are buffered, record {offset, L}.
//     Each header is parsed by a fast loop over its digits; a header that is not a plain
//     number falls back to a memchr for '\r' that remembers how far it looked (searched_).
//     Bulk bytes are never scanned: their end is known from L. When a new frame begins and
//     is already whole in the input (the pipelined case), a straight-line pass parses it with
//     no state kept; if anything is missing or unusual it gives up and the resumable path
//     above starts over, once per frame, so the work stays O(bytes).
//   inline: memchr for '\n' from searched_; split the line with Redis's sdssplitargs rules
//     (blanks separate words; "double quotes" with \n \r \t \b \a \\ \" and \xHH escapes;
//     'single quotes' with \' only; a closing quote must be followed by a blank or the end;
//     a NUL byte ends the line).
//
// Deviations from Redis, all stricter or split-independent: a bulk must be followed by CRLF
// (Redis skips two bytes unchecked); a header's '\r' must be followed by '\n'; a wrong byte
// where '$' belongs is reported as soon as it arrives; the inline and count-string limits
// apply to the line's length, not to how much happens to be buffered, so the same bytes give
// the same answer however they are split.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/codec/decode.hpp"
#include "tcpkit/codec/reply_writer.hpp"
#include "tcpkit/io/buffer.hpp"

namespace tcpkit::codec {

// No limit, for the optional limits below.
inline constexpr std::size_t kNoLimit = static_cast<std::size_t>(-1);

struct RespLimits {
  std::size_t max_bulk_length = 512u * 1024 * 1024;  // Redis proto-max-bulk-len
  std::size_t max_array_length = 2147483647;         // elements in one multibulk (Redis: INT_MAX)
  std::size_t max_inline_length = 64u * 1024;        // Redis PROTO_INLINE_MAX_SIZE
  std::size_t max_depth = 32;                        // nesting, for RespValueDecoder
  // Requests only: tighter limits for a peer that has not authenticated yet (Redis applies 10
  // elements and 16384 bytes while a password is required). Checked after the limits above,
  // as soon as the header arrives, with texts of their own ("unauthenticated multibulk
  // length", "unauthenticated bulk length").
  std::size_t unauthenticated_max_array_length = kNoLimit;
  std::size_t unauthenticated_max_bulk_length = kNoLimit;
};

class RespRequestDecoder {
 public:
  explicit RespRequestDecoder(RespLimits limits = {});

  // Decodes one request from the front of `input` (see decode.hpp for the calling contract).
  // On kFrame, args() holds the arguments (views into `input`, valid until the caller consumes
  // or changes it; an inline command's arguments may point into the decoder instead). An empty
  // inline line is a frame with no arguments; callers skip it as Redis does.
  DecodeResult decode(std::string_view input);

  std::span<const std::string_view> args() const { return {args_view_.data(), args_count_}; }
  const ProtocolError& error() const { return error_; }
  // At EOF: a kTruncated error when `remaining` holds part of a request.
  std::optional<ProtocolError> finish(std::string_view remaining) const;
  // Forgets a partially decoded frame (after the caller dropped the input).
  void reset();
  // Replaces the limits; headers parsed from now on are checked against the new ones (a
  // session lifts the unauthenticated limits after AUTH, between requests).
  void set_limits(const RespLimits& limits) { limits_ = limits; }
  const RespLimits& limits() const { return limits_; }
  // Bytes the decoder holds on the heap (argument tables, inline storage): grows with the
  // arguments that arrived, never with a declared count; large tables are released between
  // frames.
  std::size_t heap_bytes() const;

 private:
  struct Span {
    std::size_t offset;
    std::size_t length;
  };
  enum class Mode : std::uint8_t { kIdle, kMultibulk, kInline };
  enum class Header : std::uint8_t { kOk, kNeedMore, kError };
  std::size_t decode_whole_multibulk(std::string_view input);
  DecodeResult decode_multibulk(std::string_view input);
  DecodeResult decode_inline(std::string_view input);
  Header parse_header(std::string_view input, std::int64_t* value);
  Header parse_header_slow(std::string_view input, std::int64_t* value);
  DecodeResult complete(std::string_view input, std::size_t consumed);
  DecodeResult fail(ProtocolErrc code, std::string_view text);
  bool check_count(std::int64_t count);
  bool check_bulk_length(std::int64_t length);
  void release_large_tables();

  RespLimits limits_;
  // Resumable state of the current frame.
  Mode mode_ = Mode::kIdle;
  std::size_t scanned_ = 0;          // bytes of the frame parsed so far
  std::size_t searched_ = 0;         // bytes after scanned_ known to hold no line end
  std::int64_t expected_args_ = -1;  // -1 until the "*N" header is parsed
  std::int64_t pending_bulk_ = -1;   // length of the bulk whose "$N" was parsed, or -1
  std::vector<Span> spans_;
  // Output of the last kFrame.
  std::vector<std::string_view> args_view_;    // grows, never shrinks: no allocation per frame
  std::size_t args_count_ = 0;                 // arguments of the last frame
  std::string inline_storage_;                 // unescaped inline arguments live here
  std::vector<std::string_view> inline_args_;  // views into inline_storage_
  ProtocolError error_;
};

// Which RESP a connection speaks: RESP2 until a client says HELLO 3.
enum class RespVersion : std::uint8_t { kResp2 = 2, kResp3 = 3 };

// Appends RESP2 or RESP3 to a Buffer. The fast path of every reply: each call is one
// prepare/commit on the Buffer, numbers go through std::to_chars, nothing is allocated per reply.
//
//   simple  +OK\r\n               (CR and LF in the text become spaces, as in Redis)
//   error   -ERR message\r\n      (likewise)
//   integer :42\r\n
//   bulk    $5\r\nhello\r\n
//   null    $-1\r\n               null_array  *-1\r\n     (RESP3: both _\r\n)
//   array   *3\r\n then the three elements
//   floating as a bulk string: the shortest decimal that reads back as the same double, in
//           plain (not exponent) notation, the way Redis prints INCRBYFLOAT results
//           ("10.5", "3", "0.1", "100000000000000000000"); "inf", "-inf", "nan". The same
//           in RESP3: Redis sends INCRBYFLOAT's result as a bulk string there too.
//
// With RespVersion::kResp3 the RESP3 calls of ReplyWriter get their own types, as Redis 7.0
// writes them; with kResp2 (the default) they take ReplyWriter's RESP2 shapes:
//
//   map(2)            %2\r\n then key, value, key, value
//   set(2)            ~2\r\n then two elements
//   push(2)           >2\r\n then two elements
//   boolean(true)     #t\r\n                       boolean(false)  #f\r\n
//   double_value(d)   ,1.5\r\n  ,0.10000000000000001\r\n  ,1e+20\r\n  ,inf\r\n  ,-inf\r\n  ,nan\r\n
//   big_number("12")  (12\r\n
//   verbatim("txt", "hi")  =6\r\ntxt:hi\r\n
//
// Holds a reference to the Buffer; not thread-safe.
class RespWriter final : public ReplyWriter {
 public:
  explicit RespWriter(io::Buffer& out, RespVersion version = RespVersion::kResp2)
      : out_(out), version_(version) {}
  // Switches the encoding of the calls that follow (a session after HELLO).
  void set_version(RespVersion version) { version_ = version; }
  RespVersion version() const { return version_; }

  void simple(std::string_view s) override;
  void error(std::string_view message) override;
  void integer(std::int64_t n) override;
  void bulk(std::string_view s) override;
  void null() override;
  void null_array() override;
  void array(std::size_t n) override;
  void floating(double d) override;
  void map(std::size_t n) override;
  void set(std::size_t n) override;
  void push(std::size_t n) override;
  void boolean(bool b) override;
  void double_value(double d) override;
  void big_number(std::string_view digits) override;
  void verbatim(std::string_view format, std::string_view text) override;

 private:
  bool resp3() const { return version_ == RespVersion::kResp3; }
  void header(char type, std::size_t n);

  io::Buffer& out_;
  RespVersion version_;
};

// Appends a command as clients send it: a multibulk array of bulk strings.
//   encode_command(out, {"SET", "k", "v"})  ->  *3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n
void encode_command(io::Buffer& out, std::span<const std::string_view> args);
void encode_command(io::Buffer& out, std::initializer_list<std::string_view> args);

}  // namespace tcpkit::codec
