// Set commands, replies and errors as redis-server 7.0.15 gives them, the intset/hashtable
// encodings by its thresholds, and the orders Redis makes deterministic (intsets ascending).

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "kv/set.hpp"
#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

const std::string kWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";

// "SADD key first first+1 ... first+n-1"
std::vector<std::string> sadd_range(const std::string& key, long long first, int n) {
  std::vector<std::string> words = {"SADD", key};
  for (int i = 0; i < n; ++i) words.push_back(std::to_string(first + i));
  return words;
}

std::size_t items(const std::string& reply) {
  if (reply == "[]") return 0;
  return static_cast<std::size_t>(std::count(reply.begin(), reply.end(), ',')) + 1;
}

TEST(KvSets, AddRemoveMembers) {
  Harness h;
  EXPECT_EQ(h.run("SADD s 3 1 2 -5 10"), ":5");
  EXPECT_EQ(h.run("SADD s 1 1 4"), ":1");
  EXPECT_EQ(h.run("SMEMBERS s"), "[\"-5\", \"1\", \"2\", \"3\", \"4\", \"10\"]");  // ascending
  EXPECT_EQ(h.run("SCARD s"), ":6");
  EXPECT_EQ(h.run("SISMEMBER s 4"), ":1");
  EXPECT_EQ(h.run("SISMEMBER s 04"), ":0");
  EXPECT_EQ(h.run("SISMEMBER s x"), ":0");
  EXPECT_EQ(h.run("SMISMEMBER s 1 7 x"), "[:1, :0, :0]");
  EXPECT_EQ(h.run("SMISMEMBER nokey a b"), "[:0, :0]");
  EXPECT_EQ(h.run("SREM s 1 1 2 99 x"), ":2");
  EXPECT_EQ(h.run("SREM s -5 3 4 10"), ":4");
  EXPECT_EQ(h.run("EXISTS s"), ":0");  // an emptied set deletes its key
  EXPECT_EQ(h.run("SREM s a"), ":0");
  EXPECT_EQ(h.run("SCARD s"), ":0");
  EXPECT_EQ(h.run("SMEMBERS s"), "[]");
  EXPECT_EQ(h.run("SADD s"), "-ERR wrong number of arguments for 'sadd' command");
  EXPECT_EQ(h.run("SISMEMBER s"), "-ERR wrong number of arguments for 'sismember' command");
  h.run_args({"SADD", "b", std::string("bin\0\r\n", 6), ""});
  EXPECT_EQ(h.run_args({"SISMEMBER", "b", std::string("bin\0\r\n", 6)}), ":1");
  EXPECT_EQ(h.run_args({"SISMEMBER", "b", ""}), ":1");
}

// Redis's string2ll decides what an intset may hold: canonical decimal int64 only.
TEST(KvSets, IntsetTakesCanonicalIntegersOnly) {
  Harness h;
  for (const char* m : {"0", "-1", "9223372036854775807", "-9223372036854775808"}) {
    h.run(std::string("DEL k"));
    h.run_args({"SADD", "k", m});
    EXPECT_EQ(h.run("OBJECT ENCODING k"), "\"intset\"") << m;
  }
  for (const char* m : {"-0", "01", "+1", " 1", "1.0", "", "9223372036854775808", "00", "a"}) {
    h.run("DEL k");
    h.run_args({"SADD", "k", m});
    EXPECT_EQ(h.run("OBJECT ENCODING k"), "\"hashtable\"") << m;
  }
  h.run("SADD m 5 7");
  h.run("SADD m x");
  h.run("SREM m x");
  EXPECT_EQ(h.run("OBJECT ENCODING m"), "\"hashtable\"");  // never converted back
  EXPECT_EQ(h.run("TYPE m"), "+set");
}

TEST(KvSets, IntsetLimitIs512Members) {
  Harness h;
  h.run_args(sadd_range("s", 1, 512));
  EXPECT_EQ(h.run("OBJECT ENCODING s"), "\"intset\"");
  EXPECT_EQ(h.run("SADD s 513"), ":1");
  EXPECT_EQ(h.run("OBJECT ENCODING s"), "\"hashtable\"");
  h.run("SREM s 513");
  EXPECT_EQ(h.run("OBJECT ENCODING s"), "\"hashtable\"");
  EXPECT_EQ(h.run("SCARD s"), ":512");
  EXPECT_EQ(EncodingLimits{}.set_max_intset_entries, 512);
  // A hashtable member costs its chain pointer, its length and its bytes: the empty value takes
  // no room and the key is inline (an 8-byte member: a 20-byte allocation).
  EXPECT_EQ(sizeof(Set::Entry), sizeof(void*) + sizeof(std::uint32_t) + 4);  // tail padding
  EXPECT_EQ(Set::Members::allocation_size(8), 20u);
}

TEST(KvSets, Pop) {
  Harness h;
  h.run("SADD s 5 3 1 9");
  const std::set<std::string> all = {"\"1\"", "\"3\"", "\"5\"", "\"9\""};
  EXPECT_TRUE(all.count(h.run("SPOP s")));
  EXPECT_EQ(h.run("SCARD s"), ":3");
  EXPECT_EQ(items(h.run("SPOP s 2")), 2u);
  EXPECT_EQ(h.run("SCARD s"), ":1");
  EXPECT_EQ(h.run("SPOP s 0"), "[]");
  EXPECT_EQ(items(h.run("SPOP s 10")), 1u);
  EXPECT_EQ(h.run("EXISTS s"), ":0");
  EXPECT_EQ(h.run("SPOP s"), "(nil)");
  EXPECT_EQ(h.run("SPOP s 0"), "[]");
  EXPECT_EQ(h.run("SPOP s 5"), "[]");
  h.run("SADD w 5 3 1 9");
  EXPECT_EQ(h.run("SPOP w 4"), "[\"1\", \"3\", \"5\", \"9\"]");  // whole intset: ascending
  EXPECT_EQ(h.run("SPOP s -1"), "-ERR value is out of range, must be positive");
  EXPECT_EQ(h.run("SPOP s x"), "-ERR value is out of range, must be positive");
  EXPECT_EQ(h.run("SPOP s 99999999999999999999"), "-ERR value is out of range, must be positive");
  EXPECT_EQ(h.run("SPOP s 1 2"), "-ERR syntax error");
}

// SPOP of most of a set keeps the few left in a fresh set, built by the usual rules: a
// hashtable of integers becomes an intset again (as redis 7.0.15 does).
TEST(KvSets, PopMostRebuildsTheRest) {
  Harness h;
  h.run_args(sadd_range("s", 1, 600));
  EXPECT_EQ(h.run("OBJECT ENCODING s"), "\"hashtable\"");
  EXPECT_EQ(items(h.run("SPOP s 590")), 590u);
  EXPECT_EQ(h.run("SCARD s"), ":10");
  EXPECT_EQ(h.run("OBJECT ENCODING s"), "\"intset\"");
  h.run_args(sadd_range("t", 1, 600));
  EXPECT_EQ(items(h.run("SPOP t 10")), 10u);  // few popped: one at a time
  EXPECT_EQ(h.run("OBJECT ENCODING t"), "\"hashtable\"");
  h.run("EXPIRE s 100");
  h.run("SPOP s 9");
  EXPECT_EQ(h.run("TTL s"), ":100");
}

TEST(KvSets, RandomMembers) {
  Harness h;
  h.run("SADD s 5 3 1 9");
  const std::set<std::string> all = {"\"1\"", "\"3\"", "\"5\"", "\"9\""};
  EXPECT_TRUE(all.count(h.run("SRANDMEMBER s")));
  EXPECT_EQ(h.run("SRANDMEMBER nokey"), "(nil)");
  EXPECT_EQ(h.run("SRANDMEMBER nokey 5"), "[]");
  EXPECT_EQ(h.run("SRANDMEMBER nokey -5"), "[]");
  EXPECT_EQ(h.run("SRANDMEMBER s 0"), "[]");
  EXPECT_EQ(h.run("SRANDMEMBER s 10"), "[\"1\", \"3\", \"5\", \"9\"]");  // whole: ascending
  const std::string two = h.run("SRANDMEMBER s 2");
  EXPECT_EQ(items(two), 2u);
  EXPECT_NE(two.substr(1, 3), two.substr(6, 3)) << "distinct members: " << two;
  EXPECT_EQ(items(h.run("SRANDMEMBER s -7")), 7u);
  EXPECT_EQ(h.run("SCARD s"), ":4");
  EXPECT_EQ(h.run("SRANDMEMBER s x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("SRANDMEMBER s 1 2"), "-ERR syntax error");
  EXPECT_EQ(h.run("SRANDMEMBER s -9223372036854775808"),
            "-ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  // A deliberate bound (docs/kv.md): more than 2^24 repeated draws are refused.
  EXPECT_EQ(h.run("SRANDMEMBER s -100000000"), "-ERR value is out of range");
  h.run("SADD big a b c d e f g h i j");
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(h.run("SRANDMEMBER big"));
  EXPECT_EQ(seen.size(), 10u);
}

TEST(KvSets, Move) {
  Harness h;
  h.run("SADD src 1 2 3");
  h.run("SET str x");
  EXPECT_EQ(h.run("SMOVE src dst 1"), ":1");
  EXPECT_EQ(h.run("OBJECT ENCODING dst"), "\"intset\"");
  EXPECT_EQ(h.run("SMOVE src dst 1"), ":0");
  EXPECT_EQ(h.run("SMOVE src src 2"), ":1");
  EXPECT_EQ(h.run("SMOVE src src 9"), ":0");
  EXPECT_EQ(h.run("SMOVE nokey str a"), ":0");  // a missing source wins over a wrong dest
  EXPECT_EQ(h.run("SMOVE str dst a"), kWrongType);
  EXPECT_EQ(h.run("SMOVE src str 9"), kWrongType);
  EXPECT_EQ(h.run("SMOVE src dst 2"), ":1");
  EXPECT_EQ(h.run("SMOVE src dst 3"), ":1");
  EXPECT_EQ(h.run("EXISTS src"), ":0");
  EXPECT_EQ(h.run("SMEMBERS dst"), "[\"1\", \"2\", \"3\"]");
  h.run("SADD words x");
  EXPECT_EQ(h.run("SMOVE words dst x"), ":1");
  EXPECT_EQ(h.run("OBJECT ENCODING dst"), "\"hashtable\"");
}

TEST(KvSets, InterUnionDiff) {
  Harness h;
  h.run("SADD a 5 3 1 9");
  h.run("SADD c 1 5 100");
  h.run("SET str x");
  EXPECT_EQ(h.run("SINTER a c"), "[\"1\", \"5\"]");
  EXPECT_EQ(h.run("SINTER a"), "[\"1\", \"3\", \"5\", \"9\"]");
  EXPECT_EQ(h.run("SINTER a a"), "[\"1\", \"3\", \"5\", \"9\"]");
  EXPECT_EQ(h.run("SINTER a nokey"), "[]");
  EXPECT_EQ(h.run("SUNION c a"), "[\"1\", \"3\", \"5\", \"9\", \"100\"]");
  EXPECT_EQ(h.run("SUNION nokey"), "[]");
  EXPECT_EQ(h.run("SDIFF a c"), "[\"3\", \"9\"]");
  EXPECT_EQ(h.run("SDIFF a nokey"), "[\"1\", \"3\", \"5\", \"9\"]");
  EXPECT_EQ(h.run("SDIFF a a"), "[]");
  EXPECT_EQ(h.run("SDIFF nokey a"), "[]");
  // Every key is type-checked, even after a missing one.
  for (const char* line : {"SINTER nokey str", "SINTER str nokey", "SUNION nokey str",
                           "SDIFF nokey str", "SINTERSTORE d nokey str", "SDIFFSTORE d nokey str",
                           "SUNIONSTORE d a str", "SINTERCARD 2 nokey str"}) {
    EXPECT_EQ(h.run(line), kWrongType) << line;
  }
  h.run("SADD w x 1");
  const std::string u = h.run("SUNION a w");  // a hashtable result: any order
  EXPECT_EQ(items(u), 5u);
  EXPECT_NE(u.find("\"x\""), std::string::npos);
  EXPECT_EQ(h.run("SINTER"), "-ERR wrong number of arguments for 'sinter' command");
}

TEST(KvSets, Stores) {
  Harness h;
  h.run("SADD a 5 3 1 9");
  h.run("SADD c 1 5 100");
  h.run("SET str x");
  EXPECT_EQ(h.run("SINTERSTORE d a c"), ":2");
  EXPECT_EQ(h.run("OBJECT ENCODING d"), "\"intset\"");
  EXPECT_EQ(h.run("SINTERSTORE d a nokey"), ":0");
  EXPECT_EQ(h.run("EXISTS d"), ":0");  // an empty result deletes the destination
  h.run("SET d x");
  h.run("EXPIRE str 100");
  EXPECT_EQ(h.run("SUNIONSTORE str a c"), ":5");  // replaces any type, drops the TTL
  EXPECT_EQ(h.run("TYPE str"), "+set");
  EXPECT_EQ(h.run("TTL str"), ":-1");
  EXPECT_EQ(h.run("SDIFFSTORE d nokey a"), ":0");
  EXPECT_EQ(h.run("EXISTS d"), ":0");
  EXPECT_EQ(h.run("SDIFFSTORE a a c"), ":2");  // the destination may be a source
  EXPECT_EQ(h.run("SMEMBERS a"), "[\"3\", \"9\"]");
  EXPECT_EQ(h.run("SINTERSTORE d"), "-ERR wrong number of arguments for 'sinterstore' command");
}

// SDIFF picks the algorithm Redis picks (by cost), which decides whether the stored result of
// a hashtable of integers is an intset: checked against redis-server 7.0.15.
TEST(KvSets, DiffAlgorithmDecidesEncoding) {
  Harness h;
  h.run_args(sadd_range("big", 1, 520));
  h.run_args(sadd_range("tiny", 1, 11));
  h.run("SADD small 1 2 3");
  EXPECT_EQ(h.run("SDIFFSTORE r5 big tiny"), ":509");  // by lookup
  EXPECT_EQ(h.run("OBJECT ENCODING r5"), "\"intset\"");
  EXPECT_EQ(h.run("SDIFFSTORE r6 big tiny small"), ":509");  // by removal from a copy
  EXPECT_EQ(h.run("OBJECT ENCODING r6"), "\"hashtable\"");
  EXPECT_EQ(h.run("SDIFFSTORE r7 big tiny nokey"), ":509");  // missing keys cost nothing
  EXPECT_EQ(h.run("OBJECT ENCODING r7"), "\"intset\"");
  EXPECT_EQ(h.run("SDIFFSTORE r8 big tiny tiny"), ":509");
  EXPECT_EQ(h.run("OBJECT ENCODING r8"), "\"hashtable\"");
  h.run_args(sadd_range("huge", 1, 600));
  EXPECT_EQ(h.run("SUNIONSTORE u small huge"), ":600");
  EXPECT_EQ(h.run("OBJECT ENCODING u"), "\"hashtable\"");
}

TEST(KvSets, InterCard) {
  Harness h;
  h.run("SADD a 1 2 3 4 5");
  h.run("SADD b 2 3 4 5 6");
  EXPECT_EQ(h.run("SINTERCARD 2 a b"), ":4");
  EXPECT_EQ(h.run("SINTERCARD 2 a b LIMIT 2"), ":2");
  EXPECT_EQ(h.run("SINTERCARD 2 a b limit 0"), ":4");
  EXPECT_EQ(h.run("SINTERCARD 2 a b LIMIT 1 LIMIT 3"), ":3");
  EXPECT_EQ(h.run("SINTERCARD 2 a nokey"), ":0");
  EXPECT_EQ(h.run("SINTERCARD 0 a"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(h.run("SINTERCARD x a"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(h.run("SINTERCARD 99999999999999999999 a"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(h.run("SINTERCARD 3 a b"), "-ERR Number of keys can't be greater than number of args");
  EXPECT_EQ(h.run("SINTERCARD 1 a LIMIT -1"), "-ERR LIMIT can't be negative");
  EXPECT_EQ(h.run("SINTERCARD 1 a LIMIT x"), "-ERR LIMIT can't be negative");
  EXPECT_EQ(h.run("SINTERCARD 1 a LIMIT"), "-ERR syntax error");
  EXPECT_EQ(h.run("SINTERCARD 1 a foo"), "-ERR syntax error");
  EXPECT_EQ(h.run("SINTERCARD 1"), "-ERR wrong number of arguments for 'sintercard' command");
}

TEST(KvSets, ScanIntsetWholeAndHashtableByCursor) {
  Harness h;
  h.run("SADD s 3 1 2 -5 10");
  EXPECT_EQ(h.run("SSCAN s 0 COUNT 1"), "[\"0\", [\"-5\", \"1\", \"2\", \"3\", \"10\"]]");
  EXPECT_EQ(h.run("SSCAN s 5 MATCH *1*"), "[\"0\", [\"1\", \"10\"]]");
  EXPECT_EQ(h.run("SSCAN nokey 0 BOGUS"), "[\"0\", []]");  // options unread without a key
  EXPECT_EQ(h.run("SSCAN s x"), "-ERR invalid cursor");
  EXPECT_EQ(h.run("SSCAN s 0 COUNT 0"), "-ERR syntax error");
  EXPECT_EQ(h.run("SSCAN s 0 COUNT x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("SSCAN s 0 TYPE set"), "-ERR syntax error");
  EXPECT_EQ(h.run("SSCAN s 0 COUNT"), "-ERR syntax error");
  std::vector<std::string> words = {"SADD", "h"};
  for (int i = 0; i < 600; ++i) words.push_back("m" + std::to_string(i));
  h.run_args(words);
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    const std::string reply = h.run("SSCAN h " + cursor + " COUNT 50");
    cursor = reply.substr(2, reply.find('"', 2) - 2);
    for (std::size_t at = reply.find("\"m"); at != std::string::npos;
         at = reply.find("\"m", at + 1)) {
      seen.insert(reply.substr(at + 1, reply.find('"', at + 1) - at - 1));
    }
    ++calls;
  } while (cursor != "0" && calls < 1000);
  EXPECT_EQ(seen.size(), 600u);
  EXPECT_GT(calls, 1);
}

TEST(KvSets, WrongTypeAndKeyspace) {
  Harness h;
  h.run("SET str x");
  h.run("RPUSH l a");
  for (const char* line :
       {"SADD str a", "SREM str a", "SMEMBERS l", "SISMEMBER l a", "SMISMEMBER l a", "SCARD l",
        "SPOP l", "SPOP l 0", "SRANDMEMBER l", "SRANDMEMBER l 0", "SSCAN l 0", "SINTER l",
        "SUNION l", "SDIFF l", "SINTERCARD 1 l", "LPUSH s x", "HSET s f v", "GET s"}) {
    h.run("SADD s a");
    EXPECT_EQ(h.run(line), kWrongType) << line;
  }
  EXPECT_EQ(h.run("MGET s"), "[(nil)]");
  EXPECT_EQ(h.run("SCAN 0 TYPE set"), "[\"0\", [\"s\"]]");
  EXPECT_EQ(h.run("COPY s s2"), ":1");
  h.run("SADD s2 b");
  EXPECT_EQ(h.run("SCARD s"), ":1");  // a deep copy
  EXPECT_EQ(h.run("RENAME s2 s3"), "+OK");
  EXPECT_EQ(h.run("SCARD s3"), ":2");
  EXPECT_EQ(h.run("MOVE s3 1"), ":1");
  EXPECT_EQ(h.run("EXPIRE s 10"), ":1");
  h.clock->advance_ms(11000);
  EXPECT_EQ(h.run("SCARD s"), ":0");
  EXPECT_EQ(h.run("SET s x"), "+OK");  // SET replaces a set
}

TEST(KvSets, MemoryAccounting) {
  Harness h;
  const std::size_t empty = h.service->store().used_memory();
  h.run_args(sadd_range("ints", 1, 500));
  const std::size_t with_intset = h.service->store().used_memory();
  EXPECT_GT(with_intset, empty + 500 * 8);
  EXPECT_LT(with_intset, empty + 500 * 8 * 3);
  std::vector<std::string> words = {"SADD", "words"};
  for (int i = 0; i < 1000; ++i) words.push_back(std::string(40, 'm') + std::to_string(i));
  h.run_args(words);
  EXPECT_GT(h.service->store().used_memory(), with_intset + 1000 * 40);
  h.run("SADD ints x");  // the conversion is accounted too
  h.run("DEL ints words");
  EXPECT_LE(h.service->store().used_memory(), empty + 1024);
}

TEST(KvSets, Watch) {
  Harness h;
  auto other = h.open(1);
  h.run("SADD s 1");
  h.run("WATCH s");
  h.run("SADD s 2", other.get());
  h.run("MULTI");
  h.run("SCARD s");
  EXPECT_EQ(h.run("EXEC"), "(nil-array)");
}

TEST(KvSets, CommandTable) {
  Harness h;
  EXPECT_TRUE(h.run("COMMAND INFO sadd")
                  .starts_with("[[\"sadd\", :-3, [+write, +denyoom, +fast], :1, :1, :1, [+@write, "
                               "+@set, +@fast], [], [["));
  EXPECT_TRUE(h.run("COMMAND INFO sintercard")
                  .starts_with("[[\"sintercard\", :-3, [+readonly, +movablekeys], :0, :0, :0, "
                               "[+@read, +@set, +@slow], [], [["));
  EXPECT_TRUE(
      h.run("COMMAND INFO smove")
          .starts_with(
              "[[\"smove\", :4, [+write, +fast], :1, :2, :1, [+@write, +@set, +@fast], [], [["));
  EXPECT_TRUE(h.run("COMMAND INFO sdiffstore")
                  .starts_with("[[\"sdiffstore\", :-3, [+write, +denyoom], :1, :-1, :1, [+@write, "
                               "+@set, +@slow], [], [["));
  EXPECT_NE(find_command("SRANDMEMBER"), nullptr);
  EXPECT_NE(find_command("sunionstore"), nullptr);
}

}  // namespace
}  // namespace tcpkit::kv::testing

namespace tcpkit::kv::testing {
namespace {

TEST(KvEncodingConfig, SetAndSortedSetThresholdsFollowConfigSet) {
  Harness h;
  EXPECT_EQ(h.run("CONFIG SET set-max-intset-entries 2 zset-max-listpack-entries 2 "
                  "zset-max-listpack-value 3"),
            "+OK");
  h.run("SADD s 1 2");
  EXPECT_EQ(h.run("OBJECT ENCODING s"), "\"intset\"");
  h.run("SADD s 3");
  EXPECT_EQ(h.run("OBJECT ENCODING s"), "\"hashtable\"");
  h.run("ZADD z 1 a 2 b");
  EXPECT_EQ(h.run("OBJECT ENCODING z"), "\"listpack\"");
  h.run("ZADD z 3 c");
  EXPECT_EQ(h.run("OBJECT ENCODING z"), "\"skiplist\"");
  h.run("ZADD y 1 abcd");
  EXPECT_EQ(h.run("OBJECT ENCODING y"), "\"skiplist\"");
  // A store destination is encoded by its result's size under the same settings.
  h.run("ZADD x 1 a 2 b");
  EXPECT_EQ(h.run("ZUNIONSTORE d 1 x"), ":2");
  EXPECT_EQ(h.run("OBJECT ENCODING d"), "\"listpack\"");
  EXPECT_EQ(h.run("ZUNIONSTORE d 2 x z"), ":3");
  EXPECT_EQ(h.run("OBJECT ENCODING d"), "\"skiplist\"");
}

}  // namespace
}  // namespace tcpkit::kv::testing
