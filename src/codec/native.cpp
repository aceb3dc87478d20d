#include "tcpkit/codec/native.hpp"

#include <string>

#include "tcpkit/codec/error_texts.hpp"
#include "tcpkit/codec/little_endian.hpp"

namespace tcpkit::codec {

namespace {

ProtocolError not_a_command() {
  return {ProtocolErrc::kMalformed, std::string(texts::kNotACommand)};
}

}  // namespace

std::optional<ProtocolError> parse_native_request(std::string_view payload,
                                                  std::vector<std::string_view>& args,
                                                  std::size_t max_args) {
  args.clear();
  if (payload.size() < 5 || payload[0] != typed_tag::kArray) return not_a_command();
  const std::size_t count = detail::load_u32le(payload.data() + 1);
  if (count > max_args)
    return ProtocolError{ProtocolErrc::kFrameTooLarge, std::string(texts::kArrayTooLong)};
  std::size_t at = 5;
  for (std::size_t i = 0; i < count; ++i) {
    if (payload.size() - at < 5 || payload[at] != typed_tag::kString) return not_a_command();
    const std::size_t length = detail::load_u32le(payload.data() + at + 1);
    at += 5;
    if (payload.size() - at < length) return not_a_command();
    args.push_back(payload.substr(at, length));
    at += length;
  }
  if (at != payload.size()) {
    return ProtocolError{ProtocolErrc::kMalformed, std::string(texts::kTrailingBytes)};
  }
  return std::nullopt;
}

NativeRequestDecoder::NativeRequestDecoder(std::size_t max_frame_size, std::size_t max_args)
    : framer_(max_frame_size), max_args_(max_args) {}

DecodeResult NativeRequestDecoder::decode(std::string_view input) {
  const DecodeResult r = framer_.decode(input);
  if (r.status == DecodeStatus::kError) error_ = framer_.error();
  if (r.status != DecodeStatus::kFrame) return r;
  if (auto err = parse_native_request(framer_.payload(), args_, max_args_)) {
    error_ = std::move(*err);
    return DecodeResult::error();
  }
  return r;
}

std::optional<ProtocolError> NativeRequestDecoder::finish(std::string_view remaining) const {
  return truncated_if_pending(remaining);
}

void encode_native_request(io::Buffer& out, std::span<const std::string_view> args) {
  const std::size_t mark = begin_length_prefixed(out);
  TypedWriter writer(out);
  writer.array(args.size());
  for (std::string_view arg : args) writer.bulk(arg);
  end_length_prefixed(out, mark);
}

void encode_native_request(io::Buffer& out, std::initializer_list<std::string_view> args) {
  encode_native_request(out, std::span<const std::string_view>(args.begin(), args.size()));
}

}  // namespace tcpkit::codec
