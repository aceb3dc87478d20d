// RespWriter and encode_command: the writing half of resp.hpp.

#include <charconv>
#include <cmath>
#include <cstring>

#include "tcpkit/base/assert.hpp"
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

void RespWriter::null() { out_.append(resp3() ? "_\r\n" : "$-1\r\n"); }

void RespWriter::null_array() { out_.append(resp3() ? "_\r\n" : "*-1\r\n"); }

void RespWriter::header(char type, std::size_t n) {
  char* const begin = out_.prepare(kHeaderRoom);
  out_.commit(
      static_cast<std::size_t>(put_header(begin, type, static_cast<std::int64_t>(n)) - begin));
}

void RespWriter::array(std::size_t n) { header('*', n); }

void RespWriter::map(std::size_t n) { resp3() ? header('%', n) : header('*', 2 * n); }

void RespWriter::set(std::size_t n) { header(resp3() ? '~' : '*', n); }

void RespWriter::push(std::size_t n) { header(resp3() ? '>' : '*', n); }

void RespWriter::boolean(bool b) {
  if (!resp3()) return integer(b ? 1 : 0);
  out_.append(b ? "#t\r\n" : "#f\r\n");
}

void RespWriter::double_value(double d) {
  const DoubleText text = double_text(d);
  if (!resp3()) return put_bulk(out_, text.view());
  char* const begin = out_.prepare(text.size + 3);
  begin[0] = ',';
  std::memcpy(begin + 1, text.data, text.size);
  out_.commit(static_cast<std::size_t>(put_crlf(begin + 1 + text.size) - begin));
}

void RespWriter::big_number(std::string_view digits) {
  if (!resp3()) return put_bulk(out_, digits);
  put_line(out_, '(', digits);
}

// "=<len>\r\n<fmt>:<text>\r\n", the length counting the format and its colon.
void RespWriter::verbatim(std::string_view format, std::string_view text) {
  TCPKIT_ASSERT(format.size() == 3);
  if (!resp3()) return put_bulk(out_, text);
  char* const begin = out_.prepare(text.size() + 4 + kHeaderRoom + 2);
  char* p = put_header(begin, '=', static_cast<std::int64_t>(text.size() + 4));
  std::memcpy(p, format.data(), 3);
  p[3] = ':';
  if (!text.empty()) std::memcpy(p + 4, text.data(), text.size());
  out_.commit(static_cast<std::size_t>(put_crlf(p + 4 + text.size()) - begin));
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
