// TypedWriter and encode_typed: the writing half of typed.hpp.

#include <bit>
#include <cstring>
#include <limits>

#include "tcpkit/base/assert.hpp"
#include "tcpkit/codec/little_endian.hpp"
#include "tcpkit/codec/typed.hpp"

namespace tcpkit::codec {

namespace {

std::uint32_t checked_u32(std::size_t n) {
  TCPKIT_ASSERT(n <= std::numeric_limits<std::uint32_t>::max());
  return static_cast<std::uint32_t>(n);
}

// Writes tag + u32 length + bytes at dst; returns the end.
char* put_string(char* dst, std::string_view s) {
  detail::store_u32le(dst, checked_u32(s.size()));
  if (!s.empty()) std::memcpy(dst + 4, s.data(), s.size());
  return dst + 4 + s.size();
}

void put_scalar(io::Buffer& out, char tag, std::uint64_t bits) {
  char* dst = out.prepare(9);
  dst[0] = tag;
  detail::store_u64le(dst + 1, bits);
  out.commit(9);
}

}  // namespace

void TypedWriter::tagged_string(char tag, std::string_view s) {
  char* dst = out_.prepare(5 + s.size());
  dst[0] = tag;
  put_string(dst + 1, s);
  out_.commit(5 + s.size());
}

void TypedWriter::simple(std::string_view s) { tagged_string(typed_tag::kSimple, s); }

void TypedWriter::error(std::string_view message) {
  const std::size_t space = message.find(' ');
  if (space == std::string_view::npos || space + 1 == message.size()) {
    error_parts(message, {});
  } else {
    error_parts(message.substr(0, space), message.substr(space + 1));
  }
}

void TypedWriter::error_parts(std::string_view code, std::string_view message) {
  const std::size_t size = 9 + code.size() + message.size();
  char* dst = out_.prepare(size);
  dst[0] = typed_tag::kError;
  put_string(put_string(dst + 1, code), message);
  out_.commit(size);
}

void TypedWriter::integer(std::int64_t n) {
  put_scalar(out_, typed_tag::kInteger, static_cast<std::uint64_t>(n));
}

void TypedWriter::floating(double d) {
  put_scalar(out_, typed_tag::kDouble, std::bit_cast<std::uint64_t>(d));
}

void TypedWriter::bulk(std::string_view s) { tagged_string(typed_tag::kString, s); }

void TypedWriter::null() { out_.append_byte(typed_tag::kNil); }

void TypedWriter::null_array() { out_.append_byte(typed_tag::kNil); }

void TypedWriter::array(std::size_t n) {
  char* dst = out_.prepare(5);
  dst[0] = typed_tag::kArray;
  detail::store_u32le(dst + 1, checked_u32(n));
  out_.commit(5);
}

namespace {

void encode_into(TypedWriter& writer, const Value& value) {
  switch (value.kind()) {
    case ValueKind::kError:
      writer.error_parts(value.error_code(), value.error_message());
      return;
    case ValueKind::kArray:
      writer.array(value.items().size());
      for (const Value& item : value.items()) encode_into(writer, item);
      return;
    default:
      value.write_to(writer);
      return;
  }
}

}  // namespace

void encode_typed(io::Buffer& out, const Value& value) {
  TypedWriter writer(out);
  encode_into(writer, value);
}

}  // namespace tcpkit::codec
