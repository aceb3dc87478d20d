#include "tcpkit/codec/line.hpp"

#include <gtest/gtest.h>

#include <string>

#include "decode_harness.hpp"

namespace tcpkit::codec {
namespace {

using testing::decode_every_way;
using testing::Outcome;

std::string describe_line(const LineDecoder& d) { return std::string(d.line()); }

Outcome decode_lines(std::string_view input, std::size_t max = LineDecoder::kDefaultMaxLineLength) {
  return decode_every_way([max] { return LineDecoder(max); }, input, describe_line);
}

TEST(LineDecoder, LfAndCrlfLinesPipelined) {
  const Outcome o = decode_lines("alpha\nbeta\r\ngamma\n");
  EXPECT_EQ(o.frames, (std::vector<std::string>{"alpha", "beta", "gamma"}));
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.leftover, 0u);
}

TEST(LineDecoder, EmptyLinesAndInnerCarriageReturns) {
  const Outcome o = decode_lines("\n\r\na\rb\n\r\r\n");
  EXPECT_EQ(o.frames, (std::vector<std::string>{"", "", "a\rb", "\r"}));
}

TEST(LineDecoder, TrailingPartialLineStaysUnconsumed) {
  const Outcome o = decode_lines("one\ntwo\nthr");
  EXPECT_EQ(o.frames, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(o.leftover, 3u);
}

TEST(LineDecoder, ConsumedCountsTheTerminator) {
  LineDecoder d;
  DecodeResult r = d.decode("ab\r\ncd");
  ASSERT_EQ(r.status, DecodeStatus::kFrame);
  EXPECT_EQ(r.consumed, 4u);
  EXPECT_EQ(d.line(), "ab");
  r = d.decode("cd");
  EXPECT_EQ(r.status, DecodeStatus::kNeedMore);
  EXPECT_EQ(r.consumed, 0u);
}

TEST(LineDecoder, ExactlyAtTheLimitPasses) {
  EXPECT_EQ(decode_lines("12345\n", 5).frames, (std::vector<std::string>{"12345"}));
  EXPECT_EQ(decode_lines("12345\r\n", 5).frames, (std::vector<std::string>{"12345"}));
  // Five bytes and a CR may still become a valid line: wait.
  EXPECT_EQ(decode_lines("12345\r", 5).leftover, 6u);
}

TEST(LineDecoder, OneOverTheLimitFailsEvenBeforeTheNewline) {
  EXPECT_EQ(decode_lines("123456\n", 5).error, "Protocol error: line too long");
  EXPECT_EQ(decode_lines("123456", 5).error, "Protocol error: line too long");
  EXPECT_EQ(decode_lines("ok\n123456", 5).frames, (std::vector<std::string>{"ok"}));
  LineDecoder d(5);
  ASSERT_EQ(d.decode("123456").status, DecodeStatus::kError);
  EXPECT_EQ(d.error().code, ProtocolErrc::kLineTooLong);
}

TEST(LineDecoder, LongLineByteByByteIsLinear) {
  // 256 KiB fed one byte at a time; a decoder that rescanned from zero would take minutes.
  const std::string line(256 * 1024, 'x');
  LineDecoder d(1024 * 1024);
  std::string pending;
  for (char c : line) {
    pending += c;
    ASSERT_EQ(d.decode(pending).status, DecodeStatus::kNeedMore);
  }
  pending += '\n';
  ASSERT_EQ(d.decode(pending).status, DecodeStatus::kFrame);
  EXPECT_EQ(d.line().size(), line.size());
}

TEST(LineDecoder, FinishReportsATruncatedLine) {
  LineDecoder d;
  EXPECT_FALSE(d.finish(""));
  const auto err = d.finish("half a li");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, ProtocolErrc::kTruncated);
  EXPECT_EQ(err->text, "Protocol error: connection closed in the middle of a frame");
}

TEST(LineEncoder, RoundTrips) {
  const std::vector<std::string> lines = {"", "hello", "with\rcr", std::string(5000, 'z')};
  io::Buffer out;
  for (const auto& l : lines) encode_line(out, l);
  EXPECT_EQ(out.view().substr(0, 7), "\nhello\n");
  EXPECT_EQ(decode_lines(out.view()).frames, lines);
}

}  // namespace
}  // namespace tcpkit::codec
