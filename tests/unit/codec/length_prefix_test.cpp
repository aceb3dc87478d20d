#include "tcpkit/codec/length_prefix.hpp"

#include <gtest/gtest.h>

#include <string>

#include "decode_harness.hpp"

namespace tcpkit::codec {
namespace {

using testing::decode_every_way;
using testing::Outcome;

std::string framed(std::string_view payload) {
  io::Buffer out;
  encode_length_prefixed(out, payload);
  return std::string(out.view());
}

std::string header(std::uint32_t n) {
  return std::string{static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                     static_cast<char>((n >> 16) & 0xff), static_cast<char>(n >> 24)};
}

Outcome decode_frames(std::string_view input,
                      std::size_t max = LengthPrefixDecoder::kDefaultMaxFrameSize) {
  return decode_every_way([max] { return LengthPrefixDecoder(max); }, input,
                          [](const LengthPrefixDecoder& d) { return std::string(d.payload()); });
}

TEST(LengthPrefixEncoder, WritesLittleEndianHeaderThenPayload) {
  EXPECT_EQ(framed("abc"), std::string("\x03\x00\x00\x00"
                                       "abc",
                                       7));
  EXPECT_EQ(framed(""), std::string(4, '\0'));
  EXPECT_EQ(framed(std::string(0x0102, 'x')).substr(0, 4), std::string("\x02\x01\x00\x00", 4));
}

TEST(LengthPrefixDecoder, PipelinedFramesEveryWay) {
  const std::string binary("a\0b\nc", 5);
  const Outcome o = decode_frames(framed("hello") + framed("") + framed(binary));
  EXPECT_EQ(o.frames, (std::vector<std::string>{"hello", "", binary}));
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.leftover, 0u);
}

TEST(LengthPrefixDecoder, TrailingPartialFrame) {
  EXPECT_EQ(decode_frames(framed("x") + header(9)).leftover, 4u);
  EXPECT_EQ(decode_frames(framed("x") + header(9) + "abc").leftover, 7u);
  EXPECT_EQ(decode_frames(std::string("\x01\x00", 2)).leftover, 2u);
}

TEST(LengthPrefixDecoder, LimitIsInclusive) {
  EXPECT_EQ(decode_frames(framed("0123456789"), 10).frames.size(), 1u);
  const Outcome over = decode_frames(framed("0123456789X"), 10);
  EXPECT_EQ(over.error, "Protocol error: frame too large");
  EXPECT_TRUE(over.frames.empty());
}

TEST(LengthPrefixDecoder, OversizedHeaderFailsBeforeThePayloadArrives) {
  LengthPrefixDecoder d;  // 32 MiB
  EXPECT_EQ(d.decode(header(32u * 1024 * 1024)).status, DecodeStatus::kNeedMore);
  const DecodeResult r = d.decode(header(32u * 1024 * 1024 + 1));
  EXPECT_EQ(r.status, DecodeStatus::kError);
  EXPECT_EQ(d.error().code, ProtocolErrc::kFrameTooLarge);
  EXPECT_EQ(d.decode(header(0xffffffffu)).status, DecodeStatus::kError);
}

TEST(LengthPrefixDecoder, FinishReportsTruncation) {
  LengthPrefixDecoder d;
  EXPECT_FALSE(d.finish(""));
  ASSERT_TRUE(d.finish(header(3)));
  EXPECT_EQ(d.finish(header(3))->code, ProtocolErrc::kTruncated);
}

TEST(LengthPrefixInPlace, PatchesTheHeaderAfterOtherDataAndGrowth) {
  io::Buffer out;
  out.append("earlier reply");
  const std::size_t capacity = out.capacity();
  const std::size_t mark = begin_length_prefixed(out);
  // Big enough to make the buffer reallocate; small enough for decode_every_way's
  // byte-at-a-time pass under ThreadSanitizer.
  const std::string big(4 * capacity + 1000, 'b');
  out.append(big);
  EXPECT_GT(out.capacity(), capacity);
  end_length_prefixed(out, mark);
  const std::string_view bytes = out.view();
  EXPECT_EQ(bytes.substr(0, 13), "earlier reply");
  const Outcome o = decode_frames(bytes.substr(13));
  ASSERT_EQ(o.frames.size(), 1u);
  EXPECT_EQ(o.frames[0], big);
}

TEST(LengthPrefixInPlace, EmptyPayload) {
  io::Buffer out;
  end_length_prefixed(out, begin_length_prefixed(out));
  EXPECT_EQ(out.view(), std::string(4, '\0'));
}

}  // namespace
}  // namespace tcpkit::codec
