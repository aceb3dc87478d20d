#pragma once
// Test harness for the decoders: feeds input in chunks the way a connection does (appending to
// a pending string that is reallocated as it grows, dropping consumed bytes after each frame),
// and checks that whole, byte-by-byte and every two-way split give the same outcome.

#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/codec/decode.hpp"

namespace tcpkit::codec::testing {

struct Outcome {
  std::vector<std::string> frames;   // one description per decoded frame
  std::optional<std::string> error;  // the error text, if decoding failed
  std::size_t leftover = 0;          // unconsumed bytes at the end (0 after an error)

  friend bool operator==(const Outcome&, const Outcome&) = default;
};

inline void PrintTo(const Outcome& o, std::ostream* os) {
  *os << "{frames:";
  for (const auto& f : o.frames) *os << " <" << f << ">";
  *os << ", error: " << o.error.value_or("none") << ", leftover: " << o.leftover << "}";
}

// Feeds `chunks` one after another; `describe(decoder)` turns each frame into a string.
template <class Decoder, class Describe>
Outcome feed(Decoder& decoder, const std::vector<std::string_view>& chunks, Describe describe) {
  Outcome out;
  std::string pending;
  for (std::string_view chunk : chunks) {
    pending.append(chunk);
    for (;;) {
      const DecodeResult r = decoder.decode(pending);
      if (r.status == DecodeStatus::kNeedMore) {
        EXPECT_EQ(r.consumed, 0u);
        break;
      }
      if (r.status == DecodeStatus::kError) {
        out.error = decoder.error().text;
        return out;
      }
      EXPECT_GT(r.consumed, 0u);
      EXPECT_LE(r.consumed, pending.size());
      out.frames.push_back(describe(decoder));
      pending.erase(0, r.consumed);
    }
  }
  out.leftover = pending.size();
  return out;
}

inline std::vector<std::string_view> bytewise(std::string_view input) {
  std::vector<std::string_view> chunks;
  for (std::size_t i = 0; i < input.size(); ++i) chunks.push_back(input.substr(i, 1));
  return chunks;
}

// Decodes `input` whole, byte by byte and split at every offset with a fresh decoder from
// `make()` each time; expects one outcome and returns it.
template <class Make, class Describe>
Outcome decode_every_way(Make make, std::string_view input, Describe describe) {
  auto whole_decoder = make();
  const Outcome whole = feed(whole_decoder, {input}, describe);
  auto byte_decoder = make();
  EXPECT_EQ(feed(byte_decoder, bytewise(input), describe), whole) << "byte by byte";
  for (std::size_t i = 1; i < input.size(); ++i) {
    auto decoder = make();
    EXPECT_EQ(feed(decoder, {input.substr(0, i), input.substr(i)}, describe), whole)
        << "split at " << i;
  }
  return whole;
}

// "[a][b]": the arguments of a request, for comparisons.
template <class Args>
std::string bracketed(const Args& args) {
  std::string s;
  for (std::string_view a : args) s.append("[").append(a).append("]");
  return s;
}

}  // namespace tcpkit::codec::testing
