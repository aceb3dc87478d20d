// RespWriter's RESP3 calls in both versions. The RESP3 bytes are redis-server 7.0.15's, as it
// answered the command named beside each case after HELLO 3.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "tcpkit/codec/resp.hpp"

namespace tcpkit::codec {
namespace {

template <class Write>
std::string written(RespVersion version, Write write) {
  io::Buffer out;
  RespWriter w(out, version);
  write(w);
  return std::string(out.view());
}

template <class Write>
std::string resp2(Write write) {
  return written(RespVersion::kResp2, write);
}

template <class Write>
std::string resp3(Write write) {
  return written(RespVersion::kResp3, write);
}

void every_resp2_call(RespWriter& w) {
  w.array(9);
  w.simple("OK");
  w.error("ERR bad");
  w.integer(-7);
  w.bulk("hello");
  w.bulk("");
  w.null();
  w.null_array();
  w.floating(10.5);
  w.array(0);
}

TEST(Resp3Writer, DefaultVersionIsResp2) {
  io::Buffer out;
  EXPECT_EQ(RespWriter(out).version(), RespVersion::kResp2);
}

// The calls RESP2 already had say the same bytes in both versions, except the nulls.
TEST(Resp3Writer, Resp2CallsUnchanged) {
  const std::string two = resp2(every_resp2_call);
  EXPECT_EQ(two,
            "*9\r\n+OK\r\n-ERR bad\r\n:-7\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*-1\r\n"
            "$4\r\n10.5\r\n*0\r\n");
  EXPECT_EQ(resp3(every_resp2_call),
            "*9\r\n+OK\r\n-ERR bad\r\n:-7\r\n$5\r\nhello\r\n$0\r\n\r\n_\r\n_\r\n"
            "$4\r\n10.5\r\n*0\r\n");
}

TEST(Resp3Writer, Resp2ShapesOfTheResp3Calls) {
  EXPECT_EQ(resp2([](RespWriter& w) {
              w.map(1);
              w.bulk("f");
              w.bulk("v");
            }),
            "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
  EXPECT_EQ(resp2([](RespWriter& w) { w.set(2); }), "*2\r\n");
  EXPECT_EQ(resp2([](RespWriter& w) { w.push(3); }), "*3\r\n");
  EXPECT_EQ(resp2([](RespWriter& w) { w.boolean(true); }), ":1\r\n");
  EXPECT_EQ(resp2([](RespWriter& w) { w.boolean(false); }), ":0\r\n");
  // ZSCORE without HELLO 3: Redis 7.0 sends %.17g as a bulk string.
  EXPECT_EQ(resp2([](RespWriter& w) { w.double_value(0.1); }), "$19\r\n0.10000000000000001\r\n");
  EXPECT_EQ(resp2([](RespWriter& w) { w.double_value(INFINITY); }), "$3\r\ninf\r\n");
  EXPECT_EQ(resp2([](RespWriter& w) { w.big_number("-123"); }), "$4\r\n-123\r\n");
  EXPECT_EQ(resp2([](RespWriter& w) { w.verbatim("txt", "a\nb"); }), "$3\r\na\nb\r\n");
}

TEST(Resp3Writer, AggregatesAndNullsAsRedisSendsThem) {
  // HGETALL h (two fields).
  EXPECT_EQ(resp3([](RespWriter& w) {
              w.map(2);
              for (const char* s : {"f", "v", "g", "w"}) w.bulk(s);
            }),
            "%2\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n$1\r\nw\r\n");
  // SMEMBERS s; SPOP of a missing key with a count.
  EXPECT_EQ(resp3([](RespWriter& w) {
              w.set(2);
              w.bulk("x");
              w.bulk("y");
            }),
            "~2\r\n$1\r\nx\r\n$1\r\ny\r\n");
  EXPECT_EQ(resp3([](RespWriter& w) { w.set(0); }), "~0\r\n");
  // SUBSCRIBE ch.
  EXPECT_EQ(resp3([](RespWriter& w) {
              w.push(3);
              w.bulk("subscribe");
              w.bulk("ch");
              w.integer(1);
            }),
            ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
  // GET of a missing key; BLPOP that timed out.
  EXPECT_EQ(resp3([](RespWriter& w) { w.null(); }), "_\r\n");
  EXPECT_EQ(resp3([](RespWriter& w) { w.null_array(); }), "_\r\n");
}

TEST(Resp3Writer, DoublesAsZscoreSendsThem) {
  struct Case {
    double value;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {1.5, ",1.5\r\n"},
      {2, ",2\r\n"},
      {0.1, ",0.10000000000000001\r\n"},
      {1e20, ",1e+20\r\n"},
      {1e-5, ",1.0000000000000001e-05\r\n"},
      {1234567.125, ",1234567.125\r\n"},
      {3.141, ",3.141\r\n"},  // DEBUG PROTOCOL double
      {std::numeric_limits<double>::infinity(), ",inf\r\n"},
      {-std::numeric_limits<double>::infinity(), ",-inf\r\n"},
      // Not from Redis 7.0 (which never replies NaN): RESP3's spelling, for any NaN.
      {std::numeric_limits<double>::quiet_NaN(), ",nan\r\n"},
      {-std::numeric_limits<double>::quiet_NaN(), ",nan\r\n"},
      {-0.0, ",-0\r\n"},
      {-1.7976931348623157e308, ",-1.7976931348623157e+308\r\n"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(resp3([&](RespWriter& w) { w.double_value(c.value); }), c.bytes) << c.bytes;
  }
  // floating() stays a bulk string: Redis sends INCRBYFLOAT's result so under RESP3 too.
  EXPECT_EQ(resp3([](RespWriter& w) { w.floating(0.1); }), "$3\r\n0.1\r\n");
}

TEST(Resp3Writer, DebugProtocolScalars) {
  EXPECT_EQ(resp3([](RespWriter& w) { w.boolean(true); }), "#t\r\n");
  EXPECT_EQ(resp3([](RespWriter& w) { w.boolean(false); }), "#f\r\n");
  EXPECT_EQ(resp3([](RespWriter& w) { w.big_number("1234567999999999999999999999999999999"); }),
            "(1234567999999999999999999999999999999\r\n");
  EXPECT_EQ(resp3([](RespWriter& w) { w.verbatim("txt", "This is a verbatim\nstring"); }),
            "=29\r\ntxt:This is a verbatim\nstring\r\n");
  EXPECT_EQ(resp3([](RespWriter& w) { w.verbatim("mkd", ""); }), "=4\r\nmkd:\r\n");
}

TEST(Resp3Writer, HelloReply) {
  const std::string bytes = resp3([](RespWriter& w) {
    w.map(7);
    w.bulk("server");
    w.bulk("redis");
    w.bulk("version");
    w.bulk("7.0.15");
    w.bulk("proto");
    w.integer(3);
    w.bulk("id");
    w.integer(3);
    w.bulk("mode");
    w.bulk("standalone");
    w.bulk("role");
    w.bulk("master");
    w.bulk("modules");
    w.array(0);
  });
  EXPECT_EQ(bytes,
            "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n"
            ":3\r\n$2\r\nid\r\n:3\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\n"
            "master\r\n$7\r\nmodules\r\n*0\r\n");
}

TEST(Resp3Writer, VersionSwitchesBetweenCalls) {
  io::Buffer out;
  RespWriter w(out);
  w.null();
  w.set_version(RespVersion::kResp3);
  EXPECT_EQ(w.version(), RespVersion::kResp3);
  w.null();
  w.set_version(RespVersion::kResp2);
  w.null();
  EXPECT_EQ(out.view(), "$-1\r\n_\r\n$-1\r\n");
}

TEST(Resp3Writer, DoubleText) {
  EXPECT_EQ(double_text(0.1).view(), "0.10000000000000001");
  EXPECT_EQ(double_text(100).view(), "100");
  EXPECT_EQ(double_text(1e17).view(), "1e+17");
  EXPECT_EQ(double_text(5e-324).view(), "4.9406564584124654e-324");
}

}  // namespace
}  // namespace tcpkit::codec
