// Fuzzes TypedDecoder and the native request parser: split invariance; every decoded value
// re-encodes to exactly the bytes it came from, and decodes back to an equal Value.

#include "fuzz_check.hpp"
#include "tcpkit/codec/native.hpp"
#include "tcpkit/codec/typed.hpp"

using namespace tcpkit::codec;

namespace {

std::string encoded(const Value& v) {
  tcpkit::io::Buffer out;
  encode_typed(out, v);
  return std::string(out.view());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  TypedLimits limits;
  limits.max_string_length = 1024;
  limits.max_array_length = 64;
  limits.max_depth = 8;
  const auto outcome = fuzz::check_split_invariance(
      data, size, [limits] { return TypedDecoder(limits); },
      [](const TypedDecoder& d) { return encoded(d.value()); });
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t at = 0;
  for (const std::string& bytes : outcome.frames) {
    // The typed form is canonical: the frame's own bytes are its encoding.
    FUZZ_CHECK(input.substr(at, bytes.size()) == bytes);
    at += bytes.size();
    Value back;
    FUZZ_CHECK(!decode_typed_value(bytes, back, limits));
    FUZZ_CHECK(encoded(back) == bytes);
  }
  std::vector<std::string_view> args;
  if (!parse_native_request(input, args)) {
    tcpkit::io::Buffer out;
    encode_native_request(out, args);
    FUZZ_CHECK(out.view().substr(4) == input);
  }
  return 0;
}
