#pragma once
// Shared by the fuzz targets: an always-on check, and the invariant every decoder must keep —
// the frames (and error) are the same whether the input arrives whole or split in two.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/codec/decode.hpp"

#define FUZZ_CHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

namespace tcpkit::codec::fuzz {

struct Outcome {
  std::vector<std::string> frames;
  std::optional<std::string> error;
  std::size_t leftover = 0;
  bool operator==(const Outcome&) const = default;
};

// Feeds the chunks like a connection does; describe(decoder) serializes each frame.
template <class Decoder, class Describe>
Outcome feed(Decoder& decoder, std::string_view first, std::string_view second, Describe describe) {
  Outcome out;
  std::string pending;
  for (std::string_view chunk : {first, second}) {
    pending.append(chunk);
    for (;;) {
      const DecodeResult r = decoder.decode(pending);
      if (r.status == DecodeStatus::kNeedMore) break;
      if (r.status == DecodeStatus::kError) {
        out.error = decoder.error().text;
        FUZZ_CHECK(!out.error->empty());
        return out;
      }
      FUZZ_CHECK(r.consumed > 0 && r.consumed <= pending.size());
      out.frames.push_back(describe(decoder));
      pending.erase(0, r.consumed);
    }
  }
  out.leftover = pending.size();
  return out;
}

// Decodes the input whole and split at a point derived from its last byte; aborts if the two
// disagree. Returns the whole-input outcome.
template <class Make, class Describe>
Outcome check_split_invariance(const std::uint8_t* data, std::size_t size, Make make,
                               Describe describe) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto whole_decoder = make();
  const Outcome whole = feed(whole_decoder, input, {}, describe);
  const std::size_t cut = size == 0 ? 0 : (data[size - 1] * 131u + size / 2) % (size + 1);
  auto split_decoder = make();
  const Outcome split = feed(split_decoder, input.substr(0, cut), input.substr(cut), describe);
  FUZZ_CHECK(split == whole);
  return whole;
}

}  // namespace tcpkit::codec::fuzz
