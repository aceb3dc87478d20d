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

// Half the inputs (by their last byte) also get the unauthenticated limits, below the others.
RespLimits small_limits(bool unauthenticated) {
  RespLimits limits;
  limits.max_bulk_length = 512;
  limits.max_array_length = 64;
  limits.max_inline_length = 256;
  if (unauthenticated) {
    limits.unauthenticated_max_array_length = 10;
    limits.unauthenticated_max_bulk_length = 100;
  }
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const RespLimits limits = small_limits(size > 0 && (data[size - 1] & 1) != 0);
  const auto outcome = fuzz::check_split_invariance(
      data, size, [&limits] { return RespRequestDecoder(limits); },
      [](const RespRequestDecoder& d) { return joined(d.args()); });
  // Replay whole to get at the arguments themselves.
  const std::string input(reinterpret_cast<const char*>(data), size);
  RespRequestDecoder decoder(limits);
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
