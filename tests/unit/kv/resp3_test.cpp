// RESP3: HELLO 2/3 switching a connection's encoding, and the RESP3 shapes of replies. Every
// expected byte sequence here was taken from redis-server 7.0.15 after HELLO 3.

#include <gtest/gtest.h>

#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

std::string command(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// A connection through the RESP codec; say() sends one command line and returns the bytes.
struct Conn {
  explicit Conn(Harness& h) : session(h.connect()) {}
  std::string say(std::string_view line) {
    return feed(*session, command(split_words(line))).output;
  }
  std::unique_ptr<server::Session> session;
};

const std::string kHello3Head =
    "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n"
    "$2\r\nid\r\n:";
const std::string kHello2Head =
    "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n"
    "$2\r\nid\r\n:";
const std::string kHelloTail =
    "$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST(KvResp3, HelloSwitchesTheConnection) {
  Harness h;
  Conn c(h);
  EXPECT_EQ(c.say("GET nokey"), "$-1\r\n");
  std::string hello = c.say("HELLO 3");  // its own reply is already RESP3
  EXPECT_TRUE(starts_with(hello, kHello3Head)) << hello;
  EXPECT_TRUE(ends_with(hello, kHelloTail)) << hello;
  EXPECT_EQ(c.say("GET nokey"), "_\r\n");
  EXPECT_TRUE(starts_with(c.say("HELLO"), kHello3Head));  // no version: the current one
  EXPECT_EQ(c.say("HELLO 4"), "-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(c.say("HELLO abc"), "-ERR Protocol version is not an integer or out of range\r\n");
  EXPECT_EQ(c.say("GET nokey"), "_\r\n");  // a refused HELLO changes nothing
  hello = c.say("HELLO 2");
  EXPECT_TRUE(starts_with(hello, kHello2Head)) << hello;
  EXPECT_TRUE(ends_with(hello, kHelloTail)) << hello;
  EXPECT_EQ(c.say("GET nokey"), "$-1\r\n");
  EXPECT_TRUE(starts_with(c.say("HELLO 3 SETNAME app"), kHello3Head));
  EXPECT_EQ(c.say("CLIENT GETNAME"), "$3\r\napp\r\n");
  EXPECT_EQ(c.say("RESET"), "+RESET\r\n");  // back to RESP2
  EXPECT_EQ(c.say("GET nokey"), "$-1\r\n");
}

TEST(KvResp3, PipelinedHelloAndExec) {
  Harness h;
  Conn c(h);
  const std::string out = feed(*c.session, command({"HELLO", "3"}) + command({"GET", "x"})).output;
  EXPECT_TRUE(ends_with(out, kHelloTail + "_\r\n")) << out;
  // HELLO inside EXEC switches mid-reply, as in Redis: the array header is RESP3's, HELLO 2's
  // map a RESP2 array, and the GET after it a RESP2 nil.
  EXPECT_EQ(c.say("MULTI"), "+OK\r\n");
  EXPECT_EQ(c.say("HELLO 2"), "+QUEUED\r\n");
  EXPECT_EQ(c.say("GET nokey"), "+QUEUED\r\n");
  const std::string exec = c.say("EXEC");
  EXPECT_TRUE(starts_with(exec, "*2\r\n" + kHello2Head)) << exec;
  EXPECT_TRUE(ends_with(exec, kHelloTail + "$-1\r\n")) << exec;
}

TEST(KvResp3, MapsSetsAndNulls) {
  Harness h;
  Conn c(h);
  c.say("HELLO 3");
  c.say("HSET h f v g w");
  EXPECT_EQ(c.say("HGETALL h"), "%2\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n$1\r\nw\r\n");
  EXPECT_EQ(c.say("HGETALL nohash"), "%0\r\n");
  EXPECT_EQ(c.say("HKEYS nohash"), "*0\r\n");
  EXPECT_EQ(c.say("HMGET h f z"), "*2\r\n$1\r\nv\r\n_\r\n");
  c.say("HSET one f v");
  EXPECT_EQ(c.say("HRANDFIELD one 10 WITHVALUES"), "*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
  EXPECT_EQ(c.say("HRANDFIELD one 10"), "*1\r\n$1\r\nf\r\n");
  c.say("SADD i 3 1 2");
  EXPECT_EQ(c.say("SMEMBERS i"), "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  EXPECT_EQ(c.say("SMEMBERS nos"), "~0\r\n");
  EXPECT_EQ(c.say("SINTER i nos"), "~0\r\n");
  EXPECT_EQ(c.say("SUNION i"), "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  EXPECT_EQ(c.say("SRANDMEMBER i 10"), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  EXPECT_EQ(c.say("SPOP nos 2"), "~0\r\n");
  EXPECT_EQ(c.say("SPOP i 10"), "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  EXPECT_EQ(c.say("LPOP nolist 2"), "_\r\n");
  EXPECT_EQ(c.say("CONFIG GET maxmemory"), "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
  c.say("SET x ohmytext");
  c.say("SET y mynewtext");
  EXPECT_EQ(c.say("LCS x y IDX"),
            "%2\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n"
            ":2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(c.say("COMMAND GETKEYSANDFLAGS set a b"),
            "*1\r\n*2\r\n$1\r\na\r\n~2\r\n+OW\r\n+update\r\n");
  EXPECT_EQ(c.say("COMMAND INFO nosuch"), "*1\r\n_\r\n");
}

TEST(KvResp3, DoublesAndScorePairs) {
  Harness h;
  Conn c(h);
  c.say("HELLO 3");
  c.say("ZADD z 1 a 2.5 b");
  EXPECT_EQ(c.say("ZSCORE z b"), ",2.5\r\n");
  EXPECT_EQ(c.say("ZSCORE z nope"), "_\r\n");
  EXPECT_EQ(c.say("ZMSCORE z a nope"), "*2\r\n,1\r\n_\r\n");
  EXPECT_EQ(c.say("ZINCRBY z 1 a"), ",2\r\n");
  EXPECT_EQ(c.say("ZADD z INCR 1 a"), ",3\r\n");
  EXPECT_EQ(c.say("ZADD z NX INCR 1 a"), "_\r\n");
  EXPECT_EQ(c.say("ZRANGE z 0 -1"), "*2\r\n$1\r\nb\r\n$1\r\na\r\n");
  EXPECT_EQ(c.say("ZRANGE z 0 -1 WITHSCORES"),
            "*2\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\na\r\n,3\r\n");
  EXPECT_EQ(c.say("ZUNION 1 z WITHSCORES"),
            "*2\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\na\r\n,3\r\n");
  EXPECT_EQ(c.say("ZSCAN z 0"),
            "*2\r\n$1\r\n0\r\n*4\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\na\r\n$1\r\n3\r\n");
  EXPECT_EQ(c.say("ZPOPMIN z"), "*2\r\n$1\r\nb\r\n,2.5\r\n");  // no count: flat
  c.say("ZADD z 1 a 2 c");
  EXPECT_EQ(c.say("ZPOPMIN z 2"), "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nc\r\n,2\r\n");
  c.say("ZADD z 1 a 2 b 3 c");
  EXPECT_EQ(c.say("ZMPOP 1 z MAX"), "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n,3\r\n");
  EXPECT_EQ(c.say("ZRANDMEMBER z 10 WITHSCORES"),
            "*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n");
  EXPECT_EQ(c.say("ZINCRBY z inf a"), ",inf\r\n");
  EXPECT_EQ(c.say("INCRBYFLOAT f 1.5"), "$3\r\n1.5\r\n");  // a bulk string in RESP3 too
}

TEST(KvResp3, VerbatimInfoAndClientList) {
  Harness h;
  Conn c(h);
  c.say("HELLO 3");
  const std::string info = c.say("INFO server");
  EXPECT_TRUE(starts_with(info, "=")) << info;
  EXPECT_NE(info.find("\r\ntxt:# Server\r\n"), std::string::npos) << info;
  const std::string client = c.say("CLIENT INFO");
  EXPECT_TRUE(starts_with(client, "=")) << client;
  EXPECT_TRUE(ends_with(client, "user=default redir=-1 resp=3\n\r\n")) << client;
  EXPECT_NE(c.say("CLIENT LIST").find("resp=3\n"), std::string::npos);
}

// Through execute() (a recording writer, RESP2 shapes by default) the commands still see the
// protocol version: RESP3's nesting shows in the recorded arrays.
TEST(KvResp3, CommandsSeeTheVersion) {
  Harness h;
  EXPECT_EQ(h.session->state().resp.load(), 2);
  EXPECT_NE(h.run("HELLO 3").find("\"proto\", :3, \"id\""), std::string::npos);
  EXPECT_EQ(h.session->state().resp.load(), 3);
  h.run("ZADD z 1 a 2 b");
  EXPECT_EQ(h.run("ZRANGE z 0 -1 WITHSCORES"), "[[\"a\", \"1\"], [\"b\", \"2\"]]");
  EXPECT_EQ(h.run("RESET"), "+RESET");
  EXPECT_EQ(h.session->state().resp.load(), 2);
  EXPECT_EQ(h.run("ZRANGE z 0 -1 WITHSCORES"), "[\"a\", \"1\", \"b\", \"2\"]");
}

TEST(KvResp3, NativeProtocolHasOneVersion) {
  Harness h(with_options([](KvOptions& o) { o.protocol = Protocol::kNative; }));
  EXPECT_EQ(h.run("HELLO 3"), "-NOPROTO unsupported protocol version");
  EXPECT_EQ(h.run("HELLO 2").substr(0, 10), "[\"server\",");
  EXPECT_EQ(h.session->state().resp.load(), 2);
}

}  // namespace
}  // namespace tcpkit::kv::testing
