// Fuzzes RespValueDecoder with RESP3: split invariance, and each decoded Value written with a
// RESP3 RespWriter decodes back to a Value that writes the same bytes.

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

std::string resp3(const Value& v) {
  tcpkit::io::Buffer out;
  RespWriter writer(out, RespVersion::kResp3);
  v.write_to(writer);
  return std::string(out.view());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<Value> values;
  fuzz::check_split_invariance(
      data, size, [] { return RespValueDecoder(small_limits(), RespVersion::kResp3); },
      [&values](const RespValueDecoder& d) {
        values.push_back(d.value());
        std::string frame = resp3(d.value()) + d.value().describe();
        for (const Value& a : d.attributes()) {
          FUZZ_CHECK(a.kind() == ValueKind::kMap);
          frame += "|" + resp3(a);
        }
        return frame;
      });
  for (const Value& v : values) {
    const std::string bytes = resp3(v);
    // Default limits: a blob error comes back as a '-' line, longer than small_limits allow.
    RespValueDecoder again({}, RespVersion::kResp3);
    const DecodeResult r = again.decode(bytes);
    FUZZ_CHECK(r.status == DecodeStatus::kFrame && r.consumed == bytes.size());
    FUZZ_CHECK(again.attributes().empty());
    // CR or LF inside a status or error line becomes a space when written; compare after.
    FUZZ_CHECK(resp3(again.value()) == bytes);
  }
  return 0;
}
