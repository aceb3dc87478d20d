#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "tcpkit/codec/resp.hpp"

namespace tcpkit::codec {
namespace {

template <class Write>
std::string written(Write write) {
  io::Buffer out;
  RespWriter w(out);
  write(w);
  return std::string(out.view());
}

TEST(RespWriter, EveryReplyType) {
  EXPECT_EQ(written([](RespWriter& w) { w.simple("OK"); }), "+OK\r\n");
  EXPECT_EQ(written([](RespWriter& w) { w.error("ERR bad"); }), "-ERR bad\r\n");
  EXPECT_EQ(written([](RespWriter& w) { w.integer(0); }), ":0\r\n");
  EXPECT_EQ(written([](RespWriter& w) { w.integer(INT64_MIN); }), ":-9223372036854775808\r\n");
  EXPECT_EQ(written([](RespWriter& w) { w.bulk("hello"); }), "$5\r\nhello\r\n");
  EXPECT_EQ(written([](RespWriter& w) { w.bulk(""); }), "$0\r\n\r\n");
  EXPECT_EQ(written([](RespWriter& w) { w.null(); }), "$-1\r\n");
  EXPECT_EQ(written([](RespWriter& w) { w.null_array(); }), "*-1\r\n");
  EXPECT_EQ(written([](RespWriter& w) {
              w.array(2);
              w.bulk("a");
              w.integer(7);
            }),
            "*2\r\n$1\r\na\r\n:7\r\n");
}

TEST(RespWriter, LineBreaksInStatusAndErrorBecomeSpaces) {
  EXPECT_EQ(written([](RespWriter& w) { w.simple("a\r\nb"); }), "+a  b\r\n");
  EXPECT_EQ(written([](RespWriter& w) { w.error("ERR x\ny"); }), "-ERR x y\r\n");
}

TEST(RespWriter, FloatingLikeRedisIncrByFloat) {
  struct Case {
    double value;
    std::string text;
  };
  const std::vector<Case> cases = {
      {10.5, "10.5"},
      {3.0, "3"},
      {0.1, "0.1"},
      {10.5 + 0.1, "10.6"},
      {-2.25, "-2.25"},
      {1e20, "100000000000000000000"},
      {5.0e-5, "0.00005"},
      {std::numeric_limits<double>::infinity(), "inf"},
      {-std::numeric_limits<double>::infinity(), "-inf"},
      {std::nan(""), "nan"},
  };
  for (const Case& c : cases) {
    const std::string expected = "$" + std::to_string(c.text.size()) + "\r\n" + c.text + "\r\n";
    EXPECT_EQ(written([&](RespWriter& w) { w.floating(c.value); }), expected) << c.text;
  }
  // The largest double still fits (309 digits).
  const std::string max = written([](RespWriter& w) { w.floating(1.7976931348623157e308); });
  EXPECT_EQ(max.substr(0, 6), "$309\r\n");
}

TEST(RespWriter, LargeBulkAndManyRepliesShareOneBuffer) {
  io::Buffer out;
  RespWriter w(out);
  const std::string big(1 << 20, 'q');
  w.bulk(big);
  for (int i = 0; i < 1000; ++i) w.integer(i);
  const std::string_view bytes = out.view();
  EXPECT_EQ(bytes.substr(0, 10), "$1048576\r\n");
  EXPECT_EQ(bytes.substr(10 + big.size(), 2), "\r\n");
  EXPECT_EQ(bytes.substr(bytes.size() - 6), ":999\r\n");
}

}  // namespace
}  // namespace tcpkit::codec
