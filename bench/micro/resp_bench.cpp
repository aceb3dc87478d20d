// RESP micro-benchmarks: decoding pipelined SET commands, encoding replies.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "tcpkit/base/assert.hpp"
#include "tcpkit/codec/resp.hpp"
#include "tcpkit/codec/resp_value.hpp"

namespace {

using tcpkit::codec::DecodeStatus;

// `count` pipelined "SET key:NNNNNN value" multibulk commands (41 bytes each).
std::string pipelined_sets(int count) {
  tcpkit::io::Buffer out;
  char key[16];
  for (int i = 0; i < count; ++i) {
    std::snprintf(key, sizeof key, "key:%06d", i % 1000000);
    tcpkit::codec::encode_command(out, {"SET", key, "value"});
  }
  return std::string(out.view());
}

// Decodes the whole pipeline per iteration, as a server does after one large read.
void BM_RespDecodePipelinedSet(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const std::string input = pipelined_sets(count);
  tcpkit::codec::RespRequestDecoder decoder;
  std::size_t args = 0;
  for (auto _ : state) {
    std::string_view rest = input;
    for (;;) {
      const auto r = decoder.decode(rest);
      if (r.status != DecodeStatus::kFrame) break;
      args += decoder.args().size();
      rest.remove_prefix(r.consumed);
    }
    TCPKIT_ASSERT(rest.empty());
  }
  benchmark::DoNotOptimize(args);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(input.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * count);
}
BENCHMARK(BM_RespDecodePipelinedSet)->Arg(1000)->Arg(100000);

// The same stream delivered in 4 KiB reads: resumption at arbitrary split points.
void BM_RespDecodeSetIn4KReads(benchmark::State& state) {
  const std::string input = pipelined_sets(100000);
  constexpr std::size_t kRead = 4096;
  tcpkit::codec::RespRequestDecoder decoder;
  for (auto _ : state) {
    std::size_t begin = 0;
    std::size_t end = 0;
    while (end < input.size()) {
      end = std::min(end + kRead, input.size());
      for (;;) {
        const auto r = decoder.decode(std::string_view(input).substr(begin, end - begin));
        if (r.status != DecodeStatus::kFrame) break;
        begin += r.consumed;
      }
    }
    TCPKIT_ASSERT(begin == input.size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(input.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 100000);
}
BENCHMARK(BM_RespDecodeSetIn4KReads);

void BM_RespDecodeInlinePing(benchmark::State& state) {
  std::string input;
  for (int i = 0; i < 1000; ++i) input += "PING\r\n";
  tcpkit::codec::RespRequestDecoder decoder;
  for (auto _ : state) {
    std::string_view rest = input;
    while (decoder.decode(rest).status == DecodeStatus::kFrame) rest.remove_prefix(6);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(input.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1000);
}
BENCHMARK(BM_RespDecodeInlinePing);

// Encoding `count` bulk replies of range(0) bytes into a reused output buffer.
void BM_RespEncodeBulk(benchmark::State& state) {
  const std::string payload(static_cast<std::size_t>(state.range(0)), 'v');
  constexpr int kReplies = 1000;
  tcpkit::io::Buffer out;
  for (auto _ : state) {
    tcpkit::codec::RespWriter writer(out);
    for (int i = 0; i < kReplies; ++i) writer.bulk(payload);
    benchmark::DoNotOptimize(out.data());
    out.clear();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kReplies *
                          (state.range(0) + 7));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kReplies);
}
BENCHMARK(BM_RespEncodeBulk)->Arg(5)->Arg(1024);

void BM_RespEncodeInteger(benchmark::State& state) {
  tcpkit::io::Buffer out;
  for (auto _ : state) {
    tcpkit::codec::RespWriter writer(out);
    for (std::int64_t i = 0; i < 1000; ++i) writer.integer(i * 7919);
    benchmark::DoNotOptimize(out.data());
    out.clear();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1000);
}
BENCHMARK(BM_RespEncodeInteger);

// Client side: decoding 1000 pipelined "+OK" / bulk replies into Values.
void BM_RespValueDecodeReplies(benchmark::State& state) {
  std::string input;
  for (int i = 0; i < 500; ++i) input += "+OK\r\n$5\r\nvalue\r\n";
  tcpkit::codec::RespValueDecoder decoder;
  for (auto _ : state) {
    std::string_view rest = input;
    for (;;) {
      const auto r = decoder.decode(rest);
      if (r.status != DecodeStatus::kFrame) break;
      rest.remove_prefix(r.consumed);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(input.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1000);
}
BENCHMARK(BM_RespValueDecodeReplies);

}  // namespace
