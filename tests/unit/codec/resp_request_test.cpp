#include <gtest/gtest.h>

#include <string>

#include "decode_harness.hpp"
#include "tcpkit/codec/resp.hpp"

namespace tcpkit::codec {
namespace {

using testing::bracketed;
using testing::decode_every_way;
using testing::Outcome;

Outcome decode_requests(std::string_view input, RespLimits limits = {}) {
  return decode_every_way([limits] { return RespRequestDecoder(limits); }, input,
                          [](const RespRequestDecoder& d) { return bracketed(d.args()); });
}

std::string command(std::initializer_list<std::string_view> args) {
  io::Buffer out;
  encode_command(out, args);
  return std::string(out.view());
}

using Frames = std::vector<std::string>;

TEST(RespRequestDecoder, MultibulkEveryWay) {
  const Outcome o = decode_requests("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
  EXPECT_EQ(o.frames, Frames{"[SET][key][value]"});
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.leftover, 0u);
}

TEST(RespRequestDecoder, BulksAreBinarySafe) {
  const std::string tricky("a\r\nb\0*$", 7);
  const Outcome o = decode_requests(command({"SET", tricky, ""}));
  EXPECT_EQ(o.frames, Frames{"[SET][" + tricky + "][]"});
}

TEST(RespRequestDecoder, EmptyAndNegativeCountsAreEmptyCommands) {
  const Outcome o = decode_requests("*0\r\n*-1\r\n*-7\r\n*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(o.frames, (Frames{"", "", "", "[PING]"}));
}

TEST(RespRequestDecoder, PipelinedWithTrailingPartial) {
  std::string input;
  for (int i = 0; i < 5; ++i) input += command({"INCR", "counter:" + std::to_string(i)});
  const std::string last = command({"GET", "x"});
  const Outcome o = decode_requests(input + last.substr(0, last.size() - 3));
  ASSERT_EQ(o.frames.size(), 5u);
  EXPECT_EQ(o.frames[4], "[INCR][counter:4]");
  EXPECT_EQ(o.leftover, last.size() - 3);
}

TEST(RespRequestDecoder, InlineCommands) {
  EXPECT_EQ(decode_requests("PING\r\n").frames, Frames{"[PING]"});
  EXPECT_EQ(decode_requests("PING\n").frames, Frames{"[PING]"});
  EXPECT_EQ(decode_requests("  SET   k\t v  \r\n").frames, Frames{"[SET][k][v]"});
  EXPECT_EQ(decode_requests("SET k \"a b\"\r\n").frames, Frames{"[SET][k][a b]"});
  EXPECT_EQ(decode_requests("SET k 'it''s'\r\n").error,
            "Protocol error: unbalanced quotes in request");
  EXPECT_EQ(decode_requests("SET k 'it\\'s'\r\n").frames, Frames{"[SET][k][it's]"});
  EXPECT_EQ(decode_requests("SET k 'a\\nb'\r\n").frames, Frames{"[SET][k][a\\nb]"});
  EXPECT_EQ(decode_requests("SET k \"\\x41\\x7a\\n\\t\\\\\\\"\"\r\n").frames,
            Frames{"[SET][k][Az\n\t\\\"]"});
  EXPECT_EQ(decode_requests("SET k \"\\x4g\"\r\n").frames, Frames{"[SET][k][x4g]"});
  EXPECT_EQ(decode_requests("ECHO \"\"\r\n").frames, Frames{"[ECHO][]"});
  EXPECT_EQ(decode_requests("ab\"c d\"e f\r\n").error,
            "Protocol error: unbalanced quotes in request");
  EXPECT_EQ(decode_requests("ab\"c d\" f\r\n").frames, Frames{"[abc d][f]"});
  EXPECT_EQ(decode_requests("a\rb\n").frames, Frames{"[a][b]"});
  EXPECT_EQ(decode_requests("a\vb\n").frames, Frames{"[a\vb]"});
}

TEST(RespRequestDecoder, InlineNulEndsTheLineAsInRedis) {
  EXPECT_EQ(decode_requests(std::string("GET a\0 b\r\n", 10)).frames, Frames{"[GET][a]"});
  EXPECT_EQ(decode_requests(std::string("GET \"a\0\"\r\n", 10)).error,
            "Protocol error: unbalanced quotes in request");
}

TEST(RespRequestDecoder, EmptyInlineLineIsAFrameWithNoArguments) {
  EXPECT_EQ(decode_requests("\r\n\n   \r\nPING\r\n").frames, (Frames{"", "", "", "[PING]"}));
}

TEST(RespRequestDecoder, InlineAndMultibulkMixed) {
  const Outcome o = decode_requests("PING\r\n" + command({"ECHO", "hi"}) + "QUIT\n");
  EXPECT_EQ(o.frames, (Frames{"[PING]", "[ECHO][hi]", "[QUIT]"}));
}

TEST(RespRequestDecoder, ArgumentsOfAMultibulkViewTheInput) {
  RespRequestDecoder d;
  const std::string input = command({"GET", "key"});
  ASSERT_EQ(d.decode(input).status, DecodeStatus::kFrame);
  EXPECT_EQ(d.args()[1].data(), input.data() + input.find("key"));
}

TEST(RespRequestDecoder, ArgumentVectorKeepsItsCapacityAcrossFrames) {
  RespRequestDecoder d;
  const std::string a = command({"SET", "key:000001", "value"});
  const std::string b = command({"SET", "key:000002", "value"});
  ASSERT_EQ(d.decode(a).status, DecodeStatus::kFrame);
  const std::string_view* storage = d.args().data();
  ASSERT_EQ(d.decode(b).status, DecodeStatus::kFrame);
  EXPECT_EQ(d.args().data(), storage);
  EXPECT_EQ(d.args()[1], "key:000002");
}

TEST(RespRequestDecoder, LimitsExactlyAtTheLimitPass) {
  RespLimits limits;
  limits.max_array_length = 3;
  limits.max_bulk_length = 5;
  limits.max_inline_length = 10;
  EXPECT_EQ(decode_requests(command({"a", "b", "c"}), limits).frames.size(), 1u);
  EXPECT_EQ(decode_requests(command({"12345"}), limits).frames.size(), 1u);
  EXPECT_EQ(decode_requests("0123456789\r\n", limits).frames.size(), 1u);
  // A CR after exactly the limit may still end the line.
  EXPECT_EQ(decode_requests("0123456789\r", limits).leftover, 11u);
}

TEST(RespRequestDecoder, LongBulkByteByByteIsLinear) {
  const std::string input = command({"SET", "k", std::string(200 * 1024, 'v')});
  RespRequestDecoder d;
  std::string pending;
  for (std::size_t i = 0; i + 1 < input.size(); ++i) {
    pending += input[i];
    ASSERT_EQ(d.decode(pending).status, DecodeStatus::kNeedMore);
  }
  pending += input.back();
  ASSERT_EQ(d.decode(pending).status, DecodeStatus::kFrame);
  EXPECT_EQ(d.args()[2].size(), 200u * 1024);
}

TEST(RespRequestDecoder, FinishReportsTruncation) {
  RespRequestDecoder d;
  EXPECT_FALSE(d.finish(""));
  ASSERT_TRUE(d.finish("*1\r\n$3\r\nGE"));
  EXPECT_EQ(d.finish("PIN")->code, ProtocolErrc::kTruncated);
}

TEST(EncodeCommand, WritesAMultibulkOfBulks) {
  EXPECT_EQ(command({"SET", "k", "v"}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
  EXPECT_EQ(command({}), "*0\r\n");
  const std::vector<std::string_view> args = {"GET", ""};
  io::Buffer out;
  encode_command(out, args);
  EXPECT_EQ(out.view(), "*2\r\n$3\r\nGET\r\n$0\r\n\r\n");
}

}  // namespace
}  // namespace tcpkit::codec
