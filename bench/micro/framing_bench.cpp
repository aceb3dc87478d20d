// Framing micro-benchmarks: length-prefix and line decoding of pipelined frames, and the
// native (length-prefixed typed) request decoder.

#include <benchmark/benchmark.h>

#include <string>

#include "tcpkit/codec/length_prefix.hpp"
#include "tcpkit/codec/line.hpp"
#include "tcpkit/codec/native.hpp"

namespace {

using tcpkit::codec::DecodeStatus;

template <class Decoder>
std::size_t drain(Decoder& decoder, std::string_view input) {
  std::size_t frames = 0;
  for (;;) {
    const auto r = decoder.decode(input);
    if (r.status != DecodeStatus::kFrame) return frames;
    ++frames;
    input.remove_prefix(r.consumed);
  }
}

template <class Decoder>
void run(benchmark::State& state, Decoder& decoder, const std::string& input, int frames) {
  for (auto _ : state) benchmark::DoNotOptimize(drain(decoder, input));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(input.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * frames);
}

// 1000 frames of range(0) payload bytes.
void BM_LengthPrefixDecode(benchmark::State& state) {
  const std::string payload(static_cast<std::size_t>(state.range(0)), 'p');
  tcpkit::io::Buffer out;
  for (int i = 0; i < 1000; ++i) tcpkit::codec::encode_length_prefixed(out, payload);
  tcpkit::codec::LengthPrefixDecoder decoder;
  run(state, decoder, std::string(out.view()), 1000);
}
BENCHMARK(BM_LengthPrefixDecode)->Arg(32)->Arg(1024);

// 1000 lines of range(0) bytes.
void BM_LineDecode(benchmark::State& state) {
  const std::string line(static_cast<std::size_t>(state.range(0)), 'l');
  tcpkit::io::Buffer out;
  for (int i = 0; i < 1000; ++i) tcpkit::codec::encode_line(out, line);
  tcpkit::codec::LineDecoder decoder;
  run(state, decoder, std::string(out.view()), 1000);
}
BENCHMARK(BM_LineDecode)->Arg(32)->Arg(1024);

void BM_NativeRequestDecodeSet(benchmark::State& state) {
  tcpkit::io::Buffer out;
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "key:" + std::to_string(100000 + i);
    tcpkit::codec::encode_native_request(out, {"SET", key, "value"});
  }
  tcpkit::codec::NativeRequestDecoder decoder;
  run(state, decoder, std::string(out.view()), 1000);
}
BENCHMARK(BM_NativeRequestDecodeSet);

}  // namespace
