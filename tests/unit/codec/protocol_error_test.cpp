#include <gtest/gtest.h>

#include <string>
#include <system_error>

#include "tcpkit/codec/decode.hpp"
#include "tcpkit/codec/parse_int.hpp"

namespace tcpkit::codec {
namespace {

TEST(ProtocolCategory, NamesAndMessages) {
  const std::error_code ec = ProtocolErrc::kInvalidBulkLength;
  EXPECT_EQ(&ec.category(), &protocol_category());
  EXPECT_STREQ(ec.category().name(), "tcpkit.protocol");
  EXPECT_EQ(ec.message(), "invalid bulk length");
  EXPECT_EQ(make_error_code(ProtocolErrc::kTruncated).message(), "truncated frame");
  EXPECT_NE(ec, std::make_error_code(std::errc::invalid_argument));
}

TEST(TruncatedIfPending, OnlyWhenBytesRemain) {
  EXPECT_FALSE(truncated_if_pending(""));
  const auto err = truncated_if_pending("x");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, ProtocolErrc::kTruncated);
}

TEST(ParseInt64, FollowsRedisString2ll) {
  struct Case {
    std::string text;
    bool ok;
    std::int64_t value;
  };
  const std::vector<Case> cases = {
      {"0", true, 0},
      {"7", true, 7},
      {"-7", true, -7},
      {"9223372036854775807", true, INT64_MAX},
      {"-9223372036854775808", true, INT64_MIN},
      {"9223372036854775808", false, 0},
      {"-9223372036854775809", false, 0},
      {"99999999999999999999", false, 0},
      {"", false, 0},
      {"-", false, 0},
      {"-0", false, 0},
      {"01", false, 0},
      {"+1", false, 0},
      {" 1", false, 0},
      {"1 ", false, 0},
      {"1a", false, 0},
  };
  for (const Case& c : cases) {
    std::int64_t v = 0;
    EXPECT_EQ(parse_int64(c.text, v), c.ok) << c.text;
    if (c.ok) {
      EXPECT_EQ(v, c.value) << c.text;
    }
  }
}

}  // namespace
}  // namespace tcpkit::codec
