// Hash commands, replies and errors as redis-server 7.0.15 gives them, and the encodings
// OBJECT ENCODING reports by Redis's thresholds.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

const std::string kWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";

TEST(KvHashes, SetGetDelete) {
  Harness h;
  EXPECT_EQ(h.run("HSET h f1 a f2 b"), ":2");
  EXPECT_EQ(h.run("HSET h f1 A f3 c"), ":1");
  EXPECT_EQ(h.run("HMSET h f4 d"), "+OK");
  EXPECT_EQ(h.run("HSETNX h f1 z"), ":0");
  EXPECT_EQ(h.run("HSETNX h f5 e"), ":1");
  EXPECT_EQ(h.run("HGET h f1"), "\"A\"");
  EXPECT_EQ(h.run("HGET h nope"), "(nil)");
  EXPECT_EQ(h.run("HGET nokey f"), "(nil)");
  EXPECT_EQ(h.run("HMGET h f2 nope f3"), "[\"b\", (nil), \"c\"]");
  EXPECT_EQ(h.run("HMGET nokey a b"), "[(nil), (nil)]");
  EXPECT_EQ(h.run("HLEN h"), ":5");
  EXPECT_EQ(h.run("HEXISTS h f2"), ":1");
  EXPECT_EQ(h.run("HEXISTS h nope"), ":0");
  EXPECT_EQ(h.run("HSTRLEN h f1"), ":1");
  EXPECT_EQ(h.run("HSTRLEN nokey f1"), ":0");
  EXPECT_EQ(h.run("HDEL h f1 f2 nope"), ":2");
  EXPECT_EQ(h.run("HDEL h f3 f4 f5"), ":3");
  EXPECT_EQ(h.run("EXISTS h"), ":0");  // an emptied hash deletes its key
  EXPECT_EQ(h.run("HDEL h f"), ":0");
  EXPECT_EQ(h.run("HSET h f"), "-ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(h.run("HMSET h f v g"), "-ERR wrong number of arguments for 'hmset' command");
}

TEST(KvHashes, GetAllKeysValsHaveEveryPair) {
  Harness h;
  h.run("HSET h a 1 b 2 c 3");
  std::string all = h.run("HGETALL h");
  for (const char* pair : {"\"a\", \"1\"", "\"b\", \"2\"", "\"c\", \"3\""}) {
    EXPECT_NE(all.find(pair), std::string::npos) << all;
  }
  EXPECT_EQ(h.run("HKEYS h").size(), std::string("[\"a\", \"b\", \"c\"]").size());
  EXPECT_EQ(h.run("HVALS h").size(), std::string("[\"1\", \"2\", \"3\"]").size());
  EXPECT_EQ(h.run("HGETALL nokey"), "[]");
  EXPECT_EQ(h.run("HKEYS nokey"), "[]");
}

TEST(KvHashes, Increments) {
  Harness h;
  EXPECT_EQ(h.run("HINCRBY h n 5"), ":5");
  EXPECT_EQ(h.run("HINCRBY h n -7"), ":-2");
  EXPECT_EQ(h.run("HINCRBY h n x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("HINCRBY h n 9223372036854775807"), ":9223372036854775805");
  EXPECT_EQ(h.run("HINCRBY h n 5"), "-ERR increment or decrement would overflow");
  h.run("HSET h s abc");
  EXPECT_EQ(h.run("HINCRBY h s 1"), "-ERR hash value is not an integer");
  EXPECT_EQ(h.run("HINCRBYFLOAT h f 1.5"), "\"1.5\"");
  EXPECT_EQ(h.run("HINCRBYFLOAT h f 0.1"), "\"1.6\"");
  EXPECT_EQ(h.run("HINCRBYFLOAT h s 1"), "-ERR hash value is not a float");
  EXPECT_EQ(h.run("HINCRBYFLOAT h f x"), "-ERR value is not a valid float");
  EXPECT_EQ(h.run("HINCRBYFLOAT h f inf"), "-ERR value is NaN or Infinity");
  EXPECT_EQ(h.run("HINCRBYFLOAT nokey f inf"), "-ERR value is NaN or Infinity");
  EXPECT_EQ(h.run("EXISTS nokey"), ":0");  // a failed increment creates nothing
}

TEST(KvHashes, RandomFields) {
  Harness h;
  h.run("HSET h a 1 b 2 c 3");
  const std::set<std::string> fields = {"\"a\"", "\"b\"", "\"c\""};
  EXPECT_TRUE(fields.count(h.run("HRANDFIELD h")));
  EXPECT_EQ(h.run("HRANDFIELD nokey"), "(nil)");
  EXPECT_EQ(h.run("HRANDFIELD nokey 5 WITHVALUES"), "[]");
  EXPECT_EQ(h.run("HRANDFIELD h 0"), "[]");
  const std::string two = h.run("HRANDFIELD h 2");
  EXPECT_EQ(std::count(two.begin(), two.end(), ','), 1) << two;
  EXPECT_NE(two.substr(1, 3), two.substr(6, 3)) << "distinct fields: " << two;
  const std::string all = h.run("HRANDFIELD h 10 WITHVALUES");
  EXPECT_EQ(std::count(all.begin(), all.end(), ','), 5) << all;
  const std::string repeated = h.run("HRANDFIELD h -7");
  EXPECT_EQ(std::count(repeated.begin(), repeated.end(), ','), 6) << repeated;
  EXPECT_EQ(h.run("HRANDFIELD h 1 foo"), "-ERR syntax error");
  EXPECT_EQ(h.run("HRANDFIELD h x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("HRANDFIELD h -9223372036854775808"),
            "-ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  EXPECT_EQ(h.run("HRANDFIELD h -9223372036854775807 WITHVALUES"), "-ERR value is out of range");
  // A deliberate bound (docs/kv.md): more than 2^24 repeated draws are refused.
  EXPECT_EQ(h.run("HRANDFIELD h -100000000"), "-ERR value is out of range");
}

TEST(KvHashes, ScanSmallHashWhole) {
  Harness h;
  h.run("HSET h f1 a f2 b g c");
  const std::string reply = h.run("HSCAN h 0 COUNT 1");  // listpack: all in one call
  EXPECT_EQ(reply.substr(0, 6), "[\"0\", ");
  EXPECT_EQ(std::count(reply.begin(), reply.end(), ','), 6) << reply;
  EXPECT_EQ(h.run("HSCAN h 0 MATCH g"), "[\"0\", [\"g\", \"c\"]]");
  EXPECT_EQ(h.run("HSCAN nokey 0 BOGUS"), "[\"0\", []]");  // options unread without a key
  EXPECT_EQ(h.run("HSCAN h x"), "-ERR invalid cursor");
  EXPECT_EQ(h.run("HSCAN h 0 COUNT 0"), "-ERR syntax error");
  EXPECT_EQ(h.run("HSCAN h 0 TYPE hash"), "-ERR syntax error");
  EXPECT_EQ(h.run("HSCAN h 0 COUNT"), "-ERR syntax error");
}

// Regression (differential seed 1): redis parses cursors with strtoul, so "-1" and "+0" are
// valid cursors; only leading spaces and trailing garbage are refused.
TEST(KvHashes, CursorParsedAsRedisDoes) {
  Harness h;
  h.run("HSET h f v");
  h.run("SET k v");
  EXPECT_EQ(h.run("HSCAN h -1"), "[\"0\", [\"f\", \"v\"]]");
  EXPECT_EQ(h.run("HSCAN h +0"), "[\"0\", [\"f\", \"v\"]]");
  EXPECT_EQ(h.run("HSCAN h \" 1\""), "-ERR invalid cursor");
  EXPECT_EQ(h.run("HSCAN h 18446744073709551616"), "-ERR invalid cursor");
  EXPECT_EQ(h.run("SCAN -18446744073709551615").substr(0, 4), "[\"0\"");
  EXPECT_EQ(h.run("SCAN 1x"), "-ERR invalid cursor");
}

TEST(KvHashes, ScanLargeHashVisitsEveryField) {
  Harness h;
  std::vector<std::string> hset = {"HSET", "h"};
  for (int i = 0; i < 600; ++i) hset.push_back("f" + std::to_string(i)), hset.push_back("v");
  h.run_args(hset);
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    KvSession& s = *h.session;
    std::vector<std::string> words = {"HSCAN", "h", cursor, "COUNT", "50"};
    std::vector<std::string_view> args(words.begin(), words.end());
    RecordingWriter w;
    s.execute(args, w);
    std::string reply = w.take();
    cursor = reply.substr(2, reply.find('"', 2) - 2);
    for (std::size_t at = reply.find("\"f"); at != std::string::npos;
         at = reply.find("\"f", at + 1)) {
      seen.insert(reply.substr(at + 1, reply.find('"', at + 1) - at - 1));
    }
    ++calls;
  } while (cursor != "0" && calls < 1000);
  EXPECT_EQ(seen.size(), 600u);
  EXPECT_GT(calls, 1);
}

// Regression (differential seed 1): Redis 7.0.15's hash-max-listpack-entries is 512, and a
// field or value over 64 bytes converts whatever command writes it (HINCRBY included).
TEST(KvHashes, EncodingFollowsRedisThresholds) {
  Harness h;
  std::vector<std::string> hset = {"HSET", "h"};
  for (int i = 0; i < 512; ++i) hset.push_back("f" + std::to_string(i)), hset.push_back("v");
  h.run_args(hset);
  EXPECT_EQ(h.run("OBJECT ENCODING h"), "\"listpack\"");
  h.run("HSET h one more");
  EXPECT_EQ(h.run("OBJECT ENCODING h"), "\"hashtable\"");
  h.run("HDEL h one");
  EXPECT_EQ(h.run("OBJECT ENCODING h"), "\"hashtable\"");  // never converted back
  h.run("HSET small f " + std::string(64, 'v'));
  EXPECT_EQ(h.run("OBJECT ENCODING small"), "\"listpack\"");
  h.run("HINCRBY small " + std::string(65, 'f') + " 1");
  EXPECT_EQ(h.run("OBJECT ENCODING small"), "\"hashtable\"");
  h.run("HSET other f " + std::string(65, 'v'));
  EXPECT_EQ(h.run("OBJECT ENCODING other"), "\"hashtable\"");
  EXPECT_EQ(h.run("TYPE other"), "+hash");
}

TEST(KvHashes, WrongTypeAndKeyspace) {
  Harness h;
  h.run("SET s x");
  h.run("RPUSH l a");
  for (const char* line :
       {"HSET s f v", "HSETNX s f v", "HGET s f", "HMGET s f", "HGETALL l", "HDEL l f",
        "HEXISTS l f", "HLEN l", "HKEYS l", "HVALS l", "HSTRLEN l f", "HINCRBY l f 1",
        "HINCRBYFLOAT l f 1", "HRANDFIELD l", "HSCAN l 0", "LPUSH h x"}) {
    h.run("HSET h f v");
    EXPECT_EQ(h.run(line), kWrongType) << line;
  }
  EXPECT_EQ(h.run("GET h"), kWrongType);
  EXPECT_EQ(h.run("SCAN 0 TYPE hash"), "[\"0\", [\"h\"]]");
  EXPECT_EQ(h.run("COPY h h2"), ":1");
  h.run("HSET h2 g w");
  EXPECT_EQ(h.run("HLEN h"), ":1");
  EXPECT_EQ(h.run("RENAME h2 h3"), "+OK");
  EXPECT_EQ(h.run("HLEN h3"), ":2");
}

TEST(KvHashes, MemoryAccounting) {
  Harness h;
  const std::size_t empty = h.service->store().used_memory();
  std::vector<std::string> hset = {"HSET", "h"};
  for (int i = 0; i < 1000; ++i) {
    hset.push_back("field" + std::to_string(i));
    hset.push_back(std::string(50, 'v'));
  }
  h.run_args(hset);
  EXPECT_GT(h.service->store().used_memory(), empty + 1000 * 50);
  h.run("DEL h");
  EXPECT_LE(h.service->store().used_memory(), empty + 1024);
}

TEST(KvHashes, CommandTable) {
  Harness h;
  EXPECT_TRUE(h.run("COMMAND INFO hset")
                  .starts_with("[[\"hset\", :-4, [+write, +denyoom, +fast], :1, :1, :1, "
                               "[+@write, +@hash, +@fast], [], [[\"flags\", [+RW, +update], "));
  EXPECT_TRUE(h.run("COMMAND INFO hgetall")
                  .starts_with("[[\"hgetall\", :2, [+readonly], :1, :1, :1, [+@read, +@hash, "
                               "+@slow], [\"nondeterministic_output_order\"], [[\"flags\", "
                               "[+RO, +access], "));
  EXPECT_EQ(h.run("COMMAND COUNT"), ":" + std::to_string(all_commands().size()));
  EXPECT_NE(find_command("HRANDFIELD"), nullptr);
  EXPECT_NE(find_command("hincrbyfloat"), nullptr);
}

}  // namespace
}  // namespace tcpkit::kv::testing

namespace tcpkit::kv::testing {
namespace {

TEST(KvEncodingConfig, SettingsAndAliasesAsRedisReportsThem) {
  Harness h;
  EXPECT_EQ(h.run("CONFIG GET hash-max-listpack-entries"),
            "[\"hash-max-listpack-entries\", \"512\"]");
  EXPECT_EQ(h.run("CONFIG SET hash-max-ziplist-entries 7"), "+OK");
  EXPECT_EQ(h.run("CONFIG GET hash-max-listpack-entries"),
            "[\"hash-max-listpack-entries\", \"7\"]");
  EXPECT_EQ(h.run("CONFIG SET zset-max-listpack-value 1kb"), "+OK");
  EXPECT_EQ(h.run("CONFIG GET zset-max-ziplist-value"), "[\"zset-max-ziplist-value\", \"1024\"]");
  EXPECT_EQ(h.run("CONFIG SET list-max-listpack-size -99999999999"),
            "-ERR CONFIG SET failed (possibly related to argument 'list-max-listpack-size') - "
            "argument must be between -2147483648 and 2147483647 inclusive");
  EXPECT_EQ(h.run("CONFIG SET list-compress-depth 1.5"),
            "-ERR CONFIG SET failed (possibly related to argument 'list-compress-depth') - "
            "argument couldn't be parsed into an integer");
  EXPECT_EQ(h.run("CONFIG SET set-max-intset-entries -1"),
            "-ERR CONFIG SET failed (possibly related to argument 'set-max-intset-entries') - "
            "argument must be between 0 and 9223372036854775807 inclusive");
  EXPECT_EQ(h.run("CONFIG SET hash-max-listpack-value abc"),
            "-ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-value') - "
            "argument must be a memory value");
  EXPECT_EQ(h.run("CONFIG SET hash-max-listpack-value 99999999999999999999"),
            "-ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-value') - "
            "argument must be between 0 and 9223372036854775807 inclusive");
  // Too big for 64 bits: out of range, as Redis's parse saturates; maxmemory takes any u64.
  EXPECT_EQ(h.run("CONFIG SET proto-max-bulk-len 99999999999999999999"),
            "-ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - "
            "argument must be between 1048576 and 9223372036854775807 inclusive");
  EXPECT_EQ(h.run("CONFIG SET maxmemory 18446744073709551615"), "+OK");
  EXPECT_EQ(h.run("CONFIG SET maxmemory 0"), "+OK");
  // A rejected value in a multi-setting CONFIG SET leaves every setting as it was.
  EXPECT_EQ(h.run("CONFIG SET hash-max-listpack-entries 5 hash-max-listpack-value x")[0], '-');
  EXPECT_EQ(h.run("CONFIG GET hash-max-listpack-entries"),
            "[\"hash-max-listpack-entries\", \"7\"]");
}

TEST(KvEncodingConfig, HashThresholdsFollowConfigSet) {
  Harness h;
  EXPECT_EQ(h.run("CONFIG SET hash-max-listpack-entries 2 hash-max-listpack-value 3"), "+OK");
  h.run("HSET h a 1 b 2");
  EXPECT_EQ(h.run("OBJECT ENCODING h"), "\"listpack\"");
  h.run("HSET h c 3");
  EXPECT_EQ(h.run("OBJECT ENCODING h"), "\"hashtable\"");
  h.run("HSET v a 123");
  EXPECT_EQ(h.run("OBJECT ENCODING v"), "\"listpack\"");
  h.run("HSET v a 1234");
  EXPECT_EQ(h.run("OBJECT ENCODING v"), "\"hashtable\"");
}

}  // namespace
}  // namespace tcpkit::kv::testing
