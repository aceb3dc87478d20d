// Malformed RESP requests and the exact error text each gets (Redis's words).

#include <gtest/gtest.h>

#include <string>

#include "decode_harness.hpp"
#include "tcpkit/codec/resp.hpp"

namespace tcpkit::codec {
namespace {

using testing::bracketed;
using testing::decode_every_way;

struct Case {
  std::string input;
  std::string error;
  ProtocolErrc code;
};

RespLimits small_limits() {
  RespLimits limits;
  limits.max_array_length = 3;
  limits.max_bulk_length = 5;
  limits.max_inline_length = 3;
  return limits;
}

void expect_error(const Case& c, RespLimits limits) {
  SCOPED_TRACE(::testing::PrintToString(c.input));
  const auto outcome =
      decode_every_way([limits] { return RespRequestDecoder(limits); }, c.input,
                       [](const RespRequestDecoder& d) { return bracketed(d.args()); });
  EXPECT_EQ(outcome.error, c.error);
  RespRequestDecoder d(limits);
  ASSERT_EQ(d.decode(c.input).status, DecodeStatus::kError);
  EXPECT_EQ(d.error().code, c.code);
}

TEST(RespRequestErrors, MalformedInputsWithDefaultLimits) {
  using E = ProtocolErrc;
  const std::string mbulk = "Protocol error: invalid multibulk length";
  const std::string bulk = "Protocol error: invalid bulk length";
  const std::string quotes = "Protocol error: unbalanced quotes in request";
  const std::vector<Case> cases = {
      {"*abc\r\n", mbulk, E::kInvalidMultibulkLength},
      {"*\r\n", mbulk, E::kInvalidMultibulkLength},
      {"*-\r\n", mbulk, E::kInvalidMultibulkLength},
      {"*01\r\n", mbulk, E::kInvalidMultibulkLength},
      {"*+1\r\n", mbulk, E::kInvalidMultibulkLength},
      {"*1 \r\n", mbulk, E::kInvalidMultibulkLength},
      {"*1\rX", mbulk, E::kInvalidMultibulkLength},
      {"*99999999999999999999999\r\n", mbulk, E::kInvalidMultibulkLength},
      {"*2147483648\r\n", mbulk, E::kInvalidMultibulkLength},
      {"*1\r\n$abc\r\n", bulk, E::kInvalidBulkLength},
      {"*1\r\n$-1\r\n", bulk, E::kInvalidBulkLength},
      {"*1\r\n$03\r\nfoo\r\n", bulk, E::kInvalidBulkLength},
      {"*1\r\n$\r\n", bulk, E::kInvalidBulkLength},
      {"*1\r\n$536870913\r\n", bulk, E::kInvalidBulkLength},
      {"*1\r\nX3\r\nfoo\r\n", "Protocol error: expected '$', got 'X'", E::kExpectedDollar},
      {"*2\r\n$1\r\na\r\n:1\r\n", "Protocol error: expected '$', got ':'", E::kExpectedDollar},
      {"*1\r\n$3\r\nfooXY", "Protocol error: bulk string not terminated by CRLF", E::kMalformed},
      {"SET k \"abc\r\n", quotes, E::kUnbalancedQuotes},
      {"SET k \"a\"b\r\n", quotes, E::kUnbalancedQuotes},
      {"SET k 'abc\r\n", quotes, E::kUnbalancedQuotes},
      {"SET k 'a'b\r\n", quotes, E::kUnbalancedQuotes},
      {"SET k \"a\\\"\r\n", quotes, E::kUnbalancedQuotes},
      {std::string(64 * 1024 + 1, 'a'), "Protocol error: too big inline request", E::kLineTooLong},
      {"*" + std::string(64 * 1024, '1'), "Protocol error: too big mbulk count string",
       E::kLineTooLong},
      {"*1\r\n$" + std::string(64 * 1024, 'x'), "Protocol error: too big bulk count string",
       E::kLineTooLong},
  };
  for (const Case& c : cases) {
    // The big cases are slow to split at every offset; their splits are covered below.
    if (c.input.size() > 1000) {
      RespRequestDecoder d;
      ASSERT_EQ(d.decode(c.input).status, DecodeStatus::kError);
      EXPECT_EQ(d.error().text, c.error);
      EXPECT_EQ(d.error().code, c.code);
    } else {
      expect_error(c, {});
    }
  }
}

TEST(RespRequestErrors, OneOverEachLimit) {
  using E = ProtocolErrc;
  const std::vector<Case> cases = {
      {"*4\r\n", "Protocol error: invalid multibulk length", E::kInvalidMultibulkLength},
      {"*1\r\n$6\r\n", "Protocol error: invalid bulk length", E::kInvalidBulkLength},
      {"abcd", "Protocol error: too big inline request", E::kLineTooLong},
      {"abcd\r\n", "Protocol error: too big inline request", E::kLineTooLong},
      {"*100\r\n", "Protocol error: too big mbulk count string", E::kLineTooLong},
      {"*1000", "Protocol error: too big mbulk count string", E::kLineTooLong},
      {"*1\r\n$100\r\n", "Protocol error: too big bulk count string", E::kLineTooLong},
      {"*1\r\n$x000", "Protocol error: too big bulk count string", E::kLineTooLong},
  };
  for (const Case& c : cases) expect_error(c, small_limits());
}

TEST(RespRequestErrors, ExactlyAtEachLimitPasses) {
  const auto outcome =
      decode_every_way([] { return RespRequestDecoder(small_limits()); },
                       "*3\r\n$5\r\nabcde\r\n$0\r\n\r\n$1\r\nx\r\nabc\r\n",
                       [](const RespRequestDecoder& d) { return bracketed(d.args()); });
  EXPECT_EQ(outcome.frames, (std::vector<std::string>{"[abcde][][x]", "[abc]"}));
  EXPECT_FALSE(outcome.error);
}

TEST(RespRequestErrors, ErrorComesAfterEarlierFramesOfAPipeline) {
  const auto outcome =
      decode_every_way([] { return RespRequestDecoder(); }, "PING\r\n*1\r\n$x\r\n",
                       [](const RespRequestDecoder& d) { return bracketed(d.args()); });
  EXPECT_EQ(outcome.frames, std::vector<std::string>{"[PING]"});
  EXPECT_EQ(outcome.error, "Protocol error: invalid bulk length");
}

}  // namespace
}  // namespace tcpkit::codec
