// Fuzzes RespValueDecoder: split invariance, and each decoded Value written with RespWriter
// decodes back to an equal Value.

#include "fuzz_check.hpp"
#include "tcpkit/codec/resp_value.hpp"

using namespace tcpkit::codec;

namespace {

RespLimits small_limits() {
  RespLimits limits;
  limits.max_bulk_length = 512;
  limits.max_array_length = 64;
  limits.max_inline_length = 256;
  limits.max_depth = 8;
  return limits;
}

std::string resp(const Value& v) {
  tcpkit::io::Buffer out;
  RespWriter writer(out);
  v.write_to(writer);
  return std::string(out.view());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<Value> values;
  fuzz::check_split_invariance(
      data, size, [] { return RespValueDecoder(small_limits()); },
      [&values](const RespValueDecoder& d) {
        values.push_back(d.value());
        return resp(d.value());
      });
  for (const Value& v : values) {
    const std::string bytes = resp(v);
    RespValueDecoder again(small_limits());
    const DecodeResult r = again.decode(bytes);
    FUZZ_CHECK(r.status == DecodeStatus::kFrame && r.consumed == bytes.size());
    // CR or LF inside a status or error line becomes a space when written; compare after.
    FUZZ_CHECK(resp(again.value()) == bytes);
  }
  return 0;
}
