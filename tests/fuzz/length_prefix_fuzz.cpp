// Fuzzes LengthPrefixDecoder: split invariance, and re-encoding each payload gives the same
// bytes the frame had.

#include "fuzz_check.hpp"
#include "tcpkit/codec/length_prefix.hpp"

using namespace tcpkit::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto outcome = fuzz::check_split_invariance(
      data, size, [] { return LengthPrefixDecoder(4096); },
      [](const LengthPrefixDecoder& d) { return std::string(d.payload()); });
  std::string reencoded;
  for (const std::string& payload : outcome.frames) {
    FUZZ_CHECK(payload.size() <= 4096);
    tcpkit::io::Buffer out;
    encode_length_prefixed(out, payload);
    reencoded.append(out.view());
  }
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK(input.substr(0, reencoded.size()) == reencoded);
  return 0;
}
