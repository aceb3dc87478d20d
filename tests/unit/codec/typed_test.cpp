#include "tcpkit/codec/typed.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "decode_harness.hpp"

namespace tcpkit::codec {
namespace {

using testing::decode_every_way;
using testing::Outcome;

std::string typed_bytes(const Value& v) {
  io::Buffer out;
  encode_typed(out, v);
  return std::string(out.view());
}

std::string u32(std::uint32_t n) {
  return std::string{static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                     static_cast<char>((n >> 16) & 0xff), static_cast<char>(n >> 24)};
}

Outcome decode_typed(std::string_view input, TypedLimits limits = {}) {
  return decode_every_way([limits] { return TypedDecoder(limits); }, input,
                          [](const TypedDecoder& d) { return typed_bytes(d.value()); });
}

Value nested(std::size_t depth) {
  Value v = Value::integer(7);
  for (std::size_t i = 0; i < depth; ++i) v = Value::array({std::move(v)});
  return v;
}

std::vector<Value> samples() {
  return {
      Value::nil(),
      Value::simple("OK"),
      Value::error("WRONGTYPE", "Operation against a key holding the wrong kind of value"),
      Value::error("ERR", ""),
      Value::integer(0),
      Value::integer(std::numeric_limits<std::int64_t>::min()),
      Value::integer(std::numeric_limits<std::int64_t>::max()),
      Value::floating(-0.0),
      Value::floating(3.25),
      Value::floating(std::numeric_limits<double>::quiet_NaN()),
      Value::floating(-std::numeric_limits<double>::infinity()),
      Value::string(""),
      Value::string(std::string("bin\0\r\n\xff", 7)),
      Value::array({}),
      Value::array({Value::string("a"), Value::nil(), Value::array({Value::integer(1)})}),
      nested(32),
  };
}

TEST(TypedEncoding, WireBytesMatchTheHeaderExample) {
  const Value get = Value::array({Value::string("GET"), Value::string("k")});
  EXPECT_EQ(typed_bytes(get), "*" + u32(2) + "$" + u32(3) + "GET" + "$" + u32(1) + "k");
  EXPECT_EQ(typed_bytes(Value::nil()), "N");
  EXPECT_EQ(typed_bytes(Value::integer(-2)), ":" + std::string(1, '\xfe') + std::string(7, '\xff'));
  EXPECT_EQ(typed_bytes(Value::error("ERR", "x")), "-" + u32(3) + "ERR" + u32(1) + "x");
  EXPECT_EQ(typed_bytes(Value::floating(1.0)), "," + std::string(6, '\0') + "\xf0\x3f");
}

TEST(TypedDecoder, EveryKindRoundTripsEveryWay) {
  for (const Value& v : samples()) {
    const std::string bytes = typed_bytes(v);
    const Outcome o = decode_typed(bytes);
    ASSERT_EQ(o.frames.size(), 1u) << v.describe();
    EXPECT_EQ(o.frames[0], bytes);
    Value back;
    EXPECT_FALSE(decode_typed_value(bytes, back));
    EXPECT_EQ(back, v) << v.describe();
  }
}

TEST(TypedDecoder, PipelinedValuesAndTrailingPartial) {
  std::string all;
  for (const Value& v : samples()) all += typed_bytes(v);
  const std::string partial = typed_bytes(Value::string("incomplete")).substr(0, 8);
  const Outcome o = decode_typed(all + partial);
  EXPECT_EQ(o.frames.size(), samples().size());
  EXPECT_EQ(o.leftover, partial.size());
}

TEST(TypedDecoder, MalformedInputs) {
  struct Case {
    std::string input;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"X", "Protocol error: unknown type byte"},
      {"*" + u32(2) + "N" + "?", "Protocol error: unknown type byte"},
      {"$" + u32(0xffffffffu), "Protocol error: string too long"},
      {"*" + u32(0xffffffffu), "Protocol error: array too long"},
      {"-" + u32(1) + "E" + u32(0xffffffffu), "Protocol error: string too long"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(decode_typed(c.input).error, c.error) << c.input;
  }
}

TEST(TypedDecoder, LimitsAreInclusive) {
  TypedLimits limits;
  limits.max_string_length = 4;
  limits.max_array_length = 2;
  limits.max_depth = 3;
  EXPECT_EQ(decode_typed(typed_bytes(Value::string("abcd")), limits).frames.size(), 1u);
  EXPECT_EQ(decode_typed(typed_bytes(Value::string("abcde")), limits).error,
            "Protocol error: string too long");
  EXPECT_EQ(decode_typed(typed_bytes(Value::simple("abcde")), limits).error,
            "Protocol error: string too long");
  const Value two = Value::array({Value::nil(), Value::nil()});
  const Value three = Value::array({Value::nil(), Value::nil(), Value::nil()});
  EXPECT_EQ(decode_typed(typed_bytes(two), limits).frames.size(), 1u);
  EXPECT_EQ(decode_typed(typed_bytes(three), limits).error, "Protocol error: array too long");
  EXPECT_EQ(decode_typed(typed_bytes(nested(3)), limits).frames.size(), 1u);
  EXPECT_EQ(decode_typed(typed_bytes(nested(4)), limits).error, "Protocol error: nesting too deep");
  // An empty array still counts as a level.
  const Value empty4 = Value::array({Value::array({Value::array({Value::array({})})})});
  EXPECT_EQ(decode_typed(typed_bytes(empty4), limits).error, "Protocol error: nesting too deep");
}

TEST(TypedDecoder, DeclaredLengthsAllocateNothingUntilTheBytesArrive) {
  TypedDecoder d;
  // 500 MB announced, 3 bytes present: just need-more.
  EXPECT_EQ(d.decode("$" + u32(500u * 1000 * 1000) + "abc").status, DecodeStatus::kNeedMore);
  d.reset();
  EXPECT_EQ(d.decode("*" + u32(1000000)).status, DecodeStatus::kNeedMore);
}

TEST(DecodeTypedValue, RejectsTruncatedAndTrailingBytes) {
  Value v;
  const auto truncated = decode_typed_value("$" + u32(5) + "ab", v);
  ASSERT_TRUE(truncated);
  EXPECT_EQ(truncated->code, ProtocolErrc::kTruncated);
  const auto trailing = decode_typed_value("NN", v);
  ASSERT_TRUE(trailing);
  EXPECT_EQ(trailing->text, "Protocol error: trailing bytes after value");
}

TEST(TypedWriter, ReplyCallsProduceTheTypedForm) {
  io::Buffer out;
  TypedWriter w(out);
  w.array(6);
  w.simple("OK");
  w.error("ERR unknown command 'FOO'");
  w.integer(42);
  w.bulk("v");
  w.null_array();
  w.floating(2.5);
  const Value expected =
      Value::array({Value::simple("OK"), Value::error("ERR", "unknown command 'FOO'"),
                    Value::integer(42), Value::string("v"), Value::nil(), Value::floating(2.5)});
  EXPECT_EQ(out.view(), typed_bytes(expected));
}

TEST(TypedDecoder, FinishReportsTruncation) {
  TypedDecoder d;
  EXPECT_FALSE(d.finish(""));
  ASSERT_TRUE(d.finish("*"));
  EXPECT_EQ(d.finish("*")->code, ProtocolErrc::kTruncated);
}

}  // namespace
}  // namespace tcpkit::codec
