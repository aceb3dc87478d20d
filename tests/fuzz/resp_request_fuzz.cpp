// Fuzzes RespRequestDecoder: split invariance (which also compares the whole-frame fast path
// with the resumable path), and every decoded command re-encoded with encode_command decodes
// to the same arguments.

#include "fuzz_check.hpp"
#include "tcpkit/codec/resp.hpp"

using namespace tcpkit::codec;

namespace {

std::string joined(std::span<const std::string_view> args) {
  std::string s;
  for (std::string_view a : args) s.append(std::to_string(a.size())).append(":").append(a);
  return s;
}

RespLimits small_limits() {
  RespLimits limits;
  limits.max_bulk_length = 512;
  limits.max_array_length = 64;
  limits.max_inline_length = 256;
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto outcome = fuzz::check_split_invariance(
      data, size, [] { return RespRequestDecoder(small_limits()); },
      [](const RespRequestDecoder& d) { return joined(d.args()); });
  // Replay whole to get at the arguments themselves.
  const std::string input(reinterpret_cast<const char*>(data), size);
  RespRequestDecoder decoder(small_limits());
  std::string_view rest = input;
  for (std::size_t i = 0; i < outcome.frames.size(); ++i) {
    const DecodeResult r = decoder.decode(rest);
    FUZZ_CHECK(r.status == DecodeStatus::kFrame);
    const std::span<const std::string_view> args = decoder.args();
    tcpkit::io::Buffer out;
    encode_command(out, args);
    RespRequestDecoder again;
    const DecodeResult r2 = again.decode(out.view());
    FUZZ_CHECK(r2.status == DecodeStatus::kFrame && r2.consumed == out.size());
    FUZZ_CHECK(joined(again.args()) == outcome.frames[i]);
    rest.remove_prefix(r.consumed);
  }
  return 0;
}
