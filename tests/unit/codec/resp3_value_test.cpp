// RespValueDecoder with RespVersion::kResp3: every type whole, byte by byte and split at every
// offset; malformed input with its exact error; limits; round trips through RespWriter.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "decode_harness.hpp"
#include "tcpkit/codec/resp_value.hpp"

namespace tcpkit::codec {
namespace {

using testing::decode_every_way;
using testing::Outcome;
using Frames = std::vector<std::string>;

// A frame as its redis-cli text, then " |" and each attribute's text.
std::string describe_frame(const RespValueDecoder& d) {
  std::string s = d.value().describe();
  for (const Value& a : d.attributes()) s += " |" + a.describe();
  return s;
}

Outcome decode3(std::string_view input, RespLimits limits = {}) {
  return decode_every_way([limits] { return RespValueDecoder(limits, RespVersion::kResp3); }, input,
                          describe_frame);
}

// Decodes exactly one frame, whole.
Value one(std::string_view input) {
  RespValueDecoder d({}, RespVersion::kResp3);
  const DecodeResult r = d.decode(input);
  EXPECT_EQ(r.status, DecodeStatus::kFrame) << input;
  EXPECT_EQ(r.consumed, input.size()) << input;
  return d.value();
}

std::string resp3_bytes(const Value& v) {
  io::Buffer out;
  RespWriter w(out, RespVersion::kResp3);
  v.write_to(w);
  return std::string(out.view());
}

TEST(Resp3ValueDecoder, EveryTypeEveryWay) {
  const Outcome o = decode3(
      "_\r\n#t\r\n,1.5\r\n(-12345678901234567890\r\n!9\r\nERR oops!\r\n=6\r\ntxt:hi\r\n"
      "%1\r\n+k\r\n~2\r\n:1\r\n#f\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nz\r\n"
      "|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n*2\r\n|0\r\n:1\r\n,inf\r\n%0\r\n$-1\r\n*-1\r\n+OK\r\n");
  EXPECT_EQ(o.frames,
            (Frames{"(nil)", "(true)", "(double) 1.5", "(big number) -12345678901234567890",
                    "(error) ERR oops!", "hi", "1# k => \n   1~ (integer) 1\n   2~ (false)",
                    "1) \"invalidate\"\n2) 1) \"z\"", "\"v\" |1# ttl => (integer) 3",
                    "1) (integer) 1\n2) (double) inf |(empty hash)", "(empty hash)", "(nil)",
                    "(nil)", "OK"}));
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.leftover, 0u);
}

TEST(Resp3ValueDecoder, BuildsTheRightValues) {
  EXPECT_EQ(one("_\r\n"), Value::nil());
  EXPECT_EQ(one("#f\r\n"), Value::boolean(false));
  EXPECT_EQ(one(",-0\r\n"), Value::floating(-0.0));
  EXPECT_EQ(one(",1e+20\r\n"), Value::floating(1e20));
  EXPECT_EQ(one(",+2.5E-1\r\n"), Value::floating(0.25));
  EXPECT_EQ(one(",-inf\r\n"), Value::floating(-std::numeric_limits<double>::infinity()));
  EXPECT_EQ(one(",nan\r\n"), Value::floating(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_EQ(one(",4.9406564584124654e-324\r\n"), Value::floating(5e-324));
  EXPECT_EQ(one("(+7\r\n"), Value::big_number("+7"));
  EXPECT_EQ(one("!0\r\n\r\n"), Value::error_from_text(""));
  EXPECT_EQ(one("!10\r\nERR a\r\nb c\r\n"), Value::error("ERR", "a\r\nb c"));
  EXPECT_EQ(one("=4\r\nmkd:\r\n"), Value::verbatim("mkd", ""));
  EXPECT_EQ(one("%1\r\n$1\r\nk\r\n_\r\n"), Value::map({Value::string("k"), Value::nil()}));
  EXPECT_EQ(one("~1\r\n~0\r\n"), Value::set({Value::set({})}));
  EXPECT_EQ(one(">1\r\n>0\r\n"), Value::push({Value::push({})}));
}

// Replies as redis-server 7.0.15 sent them after HELLO 3.
TEST(Resp3ValueDecoder, RedisReplies) {
  EXPECT_EQ(
      one("*2\r\n*2\r\n$1\r\nd\r\n,-inf\r\n*2\r\n$1\r\ne\r\n,0.10000000000000001\r\n").describe(),
      "1) 1) \"d\"\n   2) (double) -inf\n2) 1) \"e\"\n   2) (double) 0.10000000000000001");
  EXPECT_EQ(one("=29\r\ntxt:This is a verbatim\nstring\r\n").describe(),
            "This is a verbatim\nstring");
  // DEBUG PROTOCOL attrib: the attribute comes first, the reply after it.
  RespValueDecoder d({}, RespVersion::kResp3);
  const std::string attrib =
      "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
      "$39\r\nSome real reply following the attribute\r\n";
  ASSERT_EQ(d.decode(attrib).status, DecodeStatus::kFrame);
  EXPECT_EQ(d.value(), Value::string("Some real reply following the attribute"));
  ASSERT_EQ(d.attributes().size(), 1u);
  EXPECT_EQ(d.attributes()[0],
            Value::map({Value::string("key-popularity"),
                        Value::array({Value::string("key:123"), Value::integer(90)})}));
  // A later frame without one clears them.
  ASSERT_EQ(d.decode(":1\r\n").status, DecodeStatus::kFrame);
  EXPECT_TRUE(d.attributes().empty());
}

TEST(Resp3ValueDecoder, MalformedReplies) {
  struct Case {
    std::string input;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"_x\r\n", "Protocol error: invalid null"},
      {"#\r\n", "Protocol error: invalid boolean"},
      {"#true\r\n", "Protocol error: invalid boolean"},
      {",\r\n", "Protocol error: invalid double"},
      {",1.\r\n", "Protocol error: invalid double"},
      {",.5\r\n", "Protocol error: invalid double"},
      {",1e\r\n", "Protocol error: invalid double"},
      {",1e999\r\n", "Protocol error: invalid double"},
      {",infinity\r\n", "Protocol error: invalid double"},
      {",-nan\r\n", "Protocol error: invalid double"},
      {",0x10\r\n", "Protocol error: invalid double"},
      {", 1\r\n", "Protocol error: invalid double"},
      {"(\r\n", "Protocol error: invalid big number"},
      {"(-\r\n", "Protocol error: invalid big number"},
      {"(12a\r\n", "Protocol error: invalid big number"},
      {"!-1\r\n", "Protocol error: invalid bulk length"},
      {"!x\r\n", "Protocol error: invalid bulk length"},
      {"=3\r\n", "Protocol error: invalid verbatim string"},
      {"=5\r\ntxt-a\r\n", "Protocol error: invalid verbatim string"},
      {"=5\r\ntxt:aXY", "Protocol error: bulk string not terminated by CRLF"},
      {"%-1\r\n", "Protocol error: invalid multibulk length"},
      {"~-1\r\n", "Protocol error: invalid multibulk length"},
      {">x\r\n", "Protocol error: invalid multibulk length"},
      {"|-1\r\n", "Protocol error: invalid multibulk length"},
      {"%9223372036854775807\r\n", "Protocol error: invalid multibulk length"},
      {"$?\r\n", "Protocol error: streamed strings and aggregates are not supported"},
      {"*?\r\n", "Protocol error: streamed strings and aggregates are not supported"},
      {"%1\r\n:1\r\n~?\r\n", "Protocol error: streamed strings and aggregates are not supported"},
      {";4\r\nabcd\r\n", "Protocol error: unknown type byte"},
      {".\r\n", "Protocol error: unknown type byte"},
      {"#t\n", "Protocol error: line not terminated by CRLF"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(decode3(c.input).error, c.error) << c.input;
  }
  RespValueDecoder d({}, RespVersion::kResp3);
  ASSERT_EQ(d.decode("*?\r\n").status, DecodeStatus::kError);
  EXPECT_EQ(d.error().code, ProtocolErrc::kUnsupported);
}

// A RESP2 decoder (the default) still takes RESP2 only, with the errors it always gave.
TEST(Resp3ValueDecoder, Resp2DecoderRejectsResp3Types) {
  for (std::string_view input : {"_\r\n", "#t\r\n", ",1\r\n", "(1\r\n", "!1\r\nx\r\n",
                                 "=5\r\ntxt:x\r\n", "%0\r\n", "~0\r\n", ">0\r\n", "|0\r\n:1\r\n"}) {
    const Outcome o =
        decode_every_way([] { return RespValueDecoder(); }, input,
                         [](const RespValueDecoder& d) { return d.value().describe(); });
    EXPECT_EQ(o.error, "Protocol error: unknown type byte") << input;
  }
  EXPECT_EQ(decode_every_way([] { return RespValueDecoder(); }, "$?\r\n",
                             [](const RespValueDecoder& d) { return d.value().describe(); })
                .error,
            "Protocol error: invalid bulk length");
}

TEST(Resp3ValueDecoder, LimitsAreInclusive) {
  RespLimits limits;
  limits.max_bulk_length = 5;
  limits.max_array_length = 2;
  limits.max_inline_length = 4;
  limits.max_depth = 2;
  EXPECT_FALSE(decode3("%2\r\n:1\r\n:2\r\n:3\r\n:4\r\n", limits).error);  // 2 pairs
  EXPECT_EQ(decode3("%3\r\n", limits).error, "Protocol error: invalid multibulk length");
  EXPECT_EQ(decode3("~3\r\n", limits).error, "Protocol error: invalid multibulk length");
  EXPECT_EQ(decode3(">3\r\n", limits).error, "Protocol error: invalid multibulk length");
  EXPECT_EQ(decode3("|3\r\n", limits).error, "Protocol error: invalid multibulk length");
  EXPECT_FALSE(decode3("!5\r\nERR x\r\n", limits).error);
  EXPECT_EQ(decode3("!6\r\n", limits).error, "Protocol error: invalid bulk length");
  EXPECT_EQ(decode3("=6\r\n", limits).error, "Protocol error: invalid bulk length");
  EXPECT_FALSE(decode3("(1234\r\n", limits).error);
  EXPECT_EQ(decode3("(12345\r\n", limits).error, "Protocol error: line too long");
  EXPECT_EQ(decode3(",1.234", limits).error, "Protocol error: line too long");
  // Depth: an attribute is a level like any aggregate.
  EXPECT_FALSE(decode3("%1\r\n:1\r\n~1\r\n:2\r\n", limits).error);
  EXPECT_EQ(decode3("%1\r\n:1\r\n~1\r\n>0\r\n", limits).error, "Protocol error: nesting too deep");
  EXPECT_FALSE(decode3("|1\r\n:1\r\n:2\r\n*1\r\n:3\r\n", limits).error);
  EXPECT_EQ(decode3("*1\r\n|1\r\n:1\r\n*0\r\n", limits).error, "Protocol error: nesting too deep");
}

TEST(Resp3ValueDecoder, AttributesAnywhere) {
  // Inside an aggregate, before its second item; one inside another; two in a row.
  const Outcome o = decode3(
      "*2\r\n:1\r\n|1\r\n+a\r\n:2\r\n:3\r\n"
      "|1\r\n+outer\r\n|1\r\n+inner\r\n:0\r\n:1\r\n#t\r\n"
      "|0\r\n|0\r\n_\r\n");
  EXPECT_EQ(o.frames, (Frames{"1) (integer) 1\n2) (integer) 3 |1# a => (integer) 2",
                              "(true) |1# inner => (integer) 0 |1# outer => (integer) 1",
                              "(nil) |(empty hash) |(empty hash)"}));
  // An attribute alone is not a frame.
  EXPECT_EQ(decode3("|1\r\n+a\r\n:1\r\n").leftover, 12u);
}

TEST(Resp3ValueDecoder, ValuesRoundTripThroughRespWriter) {
  const std::vector<Value> values = {
      Value::nil(),
      Value::boolean(true),
      Value::floating(0.1),
      Value::floating(-std::numeric_limits<double>::infinity()),
      Value::floating(std::numeric_limits<double>::quiet_NaN()),
      Value::floating(-0.0),
      Value::big_number("-340282366920938463463374607431768211456"),
      Value::verbatim("txt", std::string("a\r\n\0b", 5)),
      Value::map({Value::string("k"), Value::set({Value::integer(1)}), Value::integer(2),
                  Value::push({Value::nil(), Value::boolean(false)})}),
      Value::array({Value::map({}), Value::set({}), Value::push({}), Value::array({})}),
  };
  for (const Value& v : values) {
    const std::string bytes = resp3_bytes(v);
    EXPECT_EQ(one(bytes), v) << bytes;
  }
}

TEST(Resp3ValueDecoder, SetVersionBetweenReplies) {
  RespValueDecoder d;
  EXPECT_EQ(d.version(), RespVersion::kResp2);
  ASSERT_EQ(d.decode("%0\r\n").status, DecodeStatus::kError);
  d.set_version(RespVersion::kResp3);
  ASSERT_EQ(d.decode("%0\r\n").status, DecodeStatus::kFrame);
  EXPECT_EQ(d.value(), Value::map({}));
}

}  // namespace
}  // namespace tcpkit::codec
