// RespWriter and encode_command: the writing half of resp.hpp.

#include <charconv>
#include <cmath>
#include <cstring>

#include "tcpkit/codec/resp.hpp"

namespace tcpkit::codec {

namespace {

// Room for a type byte, a 64-bit number and CRLF.
constexpr std::size_t kHeaderRoom = 24;
// Plain notation of any finite double: up to 309 integer digits or 324 fraction digits.
constexpr std::size_t kDoubleRoom = 400;

char* put_crlf(char* p) {
  p[0] = '\r';
  p[1] = '\n';
  return p + 2;
}

// Writes `type`, the decimal n and CRLF at dst; returns the end.
char* put_header(char* dst, char type, std::int64_t n) {
  dst[0] = type;
  return put_crlf(std::to_chars(dst + 1, dst + kHeaderRoom, n).ptr);
}

// "+text\r\n" or "-text\r\n"; CR and LF would end the line early, so they become spaces.
void put_line(io::Buffer& out, char type, std::string_view text) {
  char* const begin = out.prepare(text.size() + 3);
  begin[0] = type;
  char* p = begin + 1;
  for (char c : text) *p++ = (c == '\r' || c == '\n') ? ' ' : c;
  out.commit(static_cast<std::size_t>(put_crlf(p) - begin));
}

void put_bulk(io::Buffer& out, std::string_view s) {
  char* const begin = out.prepare(s.size() + kHeaderRoom + 2);
  char* p = put_header(begin, '$', static_cast<std::int64_t>(s.size()));
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  out.commit(static_cast<std::size_t>(put_crlf(p + s.size()) - begin));
}

}  // namespace

void RespWriter::simple(std::string_view s) { put_line(out_, '+', s); }

void RespWriter::error(std::string_view message) { put_line(out_, '-', message); }

void RespWriter::integer(std::int64_t n) {
  char* const begin = out_.prepare(kHeaderRoom);
  out_.commit(static_cast<std::size_t>(put_header(begin, ':', n) - begin));
}

void RespWriter::bulk(std::string_view s) { put_bulk(out_, s); }

void RespWriter::null() { out_.append("$-1\r\n"); }

void RespWriter::null_array() { out_.append("*-1\r\n"); }

void RespWriter::array(std::size_t n) {
  char* const begin = out_.prepare(kHeaderRoom);
  out_.commit(
      static_cast<std::size_t>(put_header(begin, '*', static_cast<std::int64_t>(n)) - begin));
}

// Redis prints INCRBYFLOAT results with "%.17Lf" and trims trailing zeros (and a trailing
// point); for a double, the shortest plain-notation digits that read back as the same value
// are what that yields for every value Redis users see ("10.5", "0.1", "3"), without
// %.17g's noise ("0.10000000000000001"). std::to_chars computes them exactly and fast.
void RespWriter::floating(double d) {
  if (std::isnan(d)) return put_bulk(out_, "nan");
  if (std::isinf(d)) return put_bulk(out_, d > 0 ? "inf" : "-inf");
  char text[kDoubleRoom];
  const auto r = std::to_chars(text, text + sizeof text, d, std::chars_format::fixed);
  put_bulk(out_, {text, static_cast<std::size_t>(r.ptr - text)});
}

void encode_command(io::Buffer& out, std::span<const std::string_view> args) {
  char* const begin = out.prepare(kHeaderRoom);
  out.commit(static_cast<std::size_t>(
      put_header(begin, '*', static_cast<std::int64_t>(args.size())) - begin));
  for (std::string_view arg : args) put_bulk(out, arg);
}

void encode_command(io::Buffer& out, std::initializer_list<std::string_view> args) {
  encode_command(out, std::span<const std::string_view>(args.begin(), args.size()));
}

}  // namespace tcpkit::codec
