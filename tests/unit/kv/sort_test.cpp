// SORT, SORT_RO and TOUCH, replies and errors as redis-server 7.0.15 gives them.

#include <gtest/gtest.h>

#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

TEST(KvSort, NumericAlphaDescAndLimit) {
  Harness h;
  h.run("RPUSH l 3 1 2 10 1.5");
  EXPECT_EQ(h.run("SORT l"), "[\"1\", \"1.5\", \"2\", \"3\", \"10\"]");
  EXPECT_EQ(h.run("SORT l DESC LIMIT 1 2"), "[\"3\", \"2\"]");
  EXPECT_EQ(h.run("SORT l ALPHA"), "[\"1\", \"1.5\", \"10\", \"2\", \"3\"]");
  EXPECT_EQ(h.run("SORT l LIMIT -5 2"), "[\"1\", \"1.5\"]");
  EXPECT_EQ(h.run("SORT l LIMIT 10 2"), "[]");
  EXPECT_EQ(h.run("SORT l LIMIT 1 -1"), "[\"1.5\", \"2\", \"3\", \"10\"]");
  EXPECT_EQ(h.run("SORT l LIMIT 2 0"), "[]");
  EXPECT_EQ(h.run("SORT l LIMIT 3 9223372036854775807"), "[\"3\", \"10\"]");
  EXPECT_EQ(h.run("SORT l LIMIT 9223372036854775807 9223372036854775807"), "[]");
  EXPECT_EQ(h.run("SORT_RO l DESC"), "[\"10\", \"3\", \"2\", \"1.5\", \"1\"]");
}

TEST(KvSort, ScoresParseAsStrtodDoes) {
  Harness h;
  h.run_args({"RPUSH", "n", " 1", "0x10", "inf", "-inf", "2", ""});
  EXPECT_EQ(h.run("SORT n"), "[\"-inf\", \"\", \" 1\", \"2\", \"0x10\", \"inf\"]");
  h.run("RPUSH bad a 1");
  EXPECT_EQ(h.run("SORT bad"), "-ERR One or more scores can't be converted into double");
  h.run("RPUSH big 1e400 1");
  EXPECT_EQ(h.run("SORT big"), "-ERR One or more scores can't be converted into double");
  h.run("RPUSH nan nan");
  EXPECT_EQ(h.run("SORT nan"), "-ERR One or more scores can't be converted into double");
}

TEST(KvSort, EqualScoresOrderByBytesAndDescReversesThem) {
  Harness h;
  h.run("RPUSH m 2 1 01");
  EXPECT_EQ(h.run("SORT m"), "[\"01\", \"1\", \"2\"]");
  EXPECT_EQ(h.run("SORT m DESC"), "[\"2\", \"1\", \"01\"]");
}

TEST(KvSort, ByPatternWithStringsHashFieldsAndMissingValues) {
  Harness h;
  h.run("RPUSH l 3 1 2 10 1.5");
  h.run("SET w_3 30");
  h.run("SET w_1 100");
  // Missing weights score 0; ties order by the element.
  EXPECT_EQ(h.run("SORT l BY w_*"), "[\"1.5\", \"10\", \"2\", \"3\", \"1\"]");
  EXPECT_EQ(h.run("SORT l BY w_* GET # GET w_*"),
            "[\"1.5\", (nil), \"10\", (nil), \"2\", (nil), \"3\", \"30\", \"1\", \"100\"]");
  h.run("RPUSH x b a c");
  h.run("HSET h_a f 3");
  h.run("HSET h_b f 1");
  h.run("HSET h_c g 1");
  EXPECT_EQ(h.run("SORT x BY h_*->f"), "[\"c\", \"b\", \"a\"]");
  EXPECT_EQ(h.run("SORT x BY h_*->f GET h_*->f GET #"),
            "[(nil), \"c\", \"1\", \"b\", \"3\", \"a\"]");
  // "->" with nothing after it is part of the key name.
  EXPECT_EQ(h.run("SORT x BY h_*->"), "[\"a\", \"b\", \"c\"]");
  // A BY value of the wrong type counts as missing; with ALPHA a missing value sorts first.
  h.run("RPUSH y 2 1");
  h.run("SET k_1 a");
  h.run("LPUSH k_2 a");
  EXPECT_EQ(h.run("SORT y BY k_* ALPHA"), "[\"2\", \"1\"]");
  EXPECT_EQ(h.run("SORT y GET k_*"), "[\"a\", (nil)]");
  // A GET pattern without '*' names no key.
  h.run("SET fixed 1");
  EXPECT_EQ(h.run("SORT y GET fixed GET #"), "[(nil), \"1\", (nil), \"2\"]");
  h.run("RPUSH bad a 1");
  h.run("SET wb_a x");
  EXPECT_EQ(h.run("SORT bad BY wb_*"), "-ERR One or more scores can't be converted into double");
}

TEST(KvSort, NosortKeepsListOrderAndDescReversesIt) {
  Harness h;
  h.run("RPUSH x b a c");
  EXPECT_EQ(h.run("SORT x BY nosort"), "[\"b\", \"a\", \"c\"]");
  EXPECT_EQ(h.run("SORT x BY constant DESC"), "[\"c\", \"a\", \"b\"]");
  EXPECT_EQ(h.run("SORT x BY nosort DESC LIMIT 1 5"), "[\"a\", \"b\"]");
  // Once a BY without '*' was seen, a later BY with '*' does not turn sorting back on.
  EXPECT_EQ(h.run("SORT x BY nosort BY w_*"), "[\"b\", \"a\", \"c\"]");
}

TEST(KvSort, StoreWritesAListAndDeletesOnEmpty) {
  Harness h;
  h.run("RPUSH x b a c");
  h.run("SET str x");
  EXPECT_EQ(h.run("SORT x ALPHA DESC STORE str"), ":3");
  EXPECT_EQ(h.run("TYPE str"), "+list");
  EXPECT_EQ(h.run("LRANGE str 0 -1"), "[\"c\", \"b\", \"a\"]");
  EXPECT_EQ(h.run("SORT x ALPHA GET nope STORE d"), ":3");
  EXPECT_EQ(h.run("LRANGE d 0 -1"), "[\"\", \"\", \"\"]");
  EXPECT_EQ(h.run("SORT x ALPHA STORE x"), ":3");
  EXPECT_EQ(h.run("LRANGE x 0 -1"), "[\"a\", \"b\", \"c\"]");
  EXPECT_EQ(h.run("SORT x ALPHA LIMIT 0 0 STORE d"), ":0");
  EXPECT_EQ(h.run("EXISTS d"), ":0");
  EXPECT_EQ(h.run("SORT nokey STORE x"), ":0");
  EXPECT_EQ(h.run("EXISTS x"), ":0");
}

TEST(KvSort, Errors) {
  Harness h;
  h.run("SET str x");
  h.run("HSET hh a 1");
  h.run("RPUSH l 1");
  EXPECT_EQ(h.run("SORT str"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(h.run("SORT hh"), "-WRONGTYPE Operation against a key holding the wrong kind of value");
  // Options are parsed before the key's type is checked.
  EXPECT_EQ(h.run("SORT str foo"), "-ERR syntax error");
  EXPECT_EQ(h.run("SORT str LIMIT 0 x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("SORT l LIMIT 0"), "-ERR syntax error");
  EXPECT_EQ(h.run("SORT l STORE"), "-ERR syntax error");
  EXPECT_EQ(h.run("SORT l GET"), "-ERR syntax error");
  EXPECT_EQ(h.run("SORT_RO l STORE x"), "-ERR syntax error");
  EXPECT_EQ(h.run("SORT"), "-ERR wrong number of arguments for 'sort' command");
  EXPECT_EQ(h.run("SORT nokey"), "[]");
}

TEST(KvTouch, CountsExistingKeys) {
  Harness h;
  h.run("SET a 1");
  h.run("RPUSH l x");
  EXPECT_EQ(h.run("TOUCH a l nokey a"), ":3");
  EXPECT_EQ(h.run("TOUCH"), "-ERR wrong number of arguments for 'touch' command");
}

}  // namespace
}  // namespace tcpkit::kv::testing

namespace tcpkit::kv::testing {
namespace {

TEST(KvSort, SetsAndSortedSets) {
  Harness h;
  h.run("SADD s 3 1 2");
  EXPECT_EQ(h.run("SORT s"), "[\"1\", \"2\", \"3\"]");
  EXPECT_EQ(h.run("SORT s BY nosort"), "[\"1\", \"2\", \"3\"]");  // an intset is ascending
  h.run("SADD w b c a");
  // A set sorted with STORE is sorted ALPHA whatever BY says, so the list is deterministic.
  EXPECT_EQ(h.run("SORT w BY nosort STORE d"), ":3");
  EXPECT_EQ(h.run("LRANGE d 0 -1"), "[\"a\", \"b\", \"c\"]");
  h.run("ZADD z 1 c 2 b 3 a");
  EXPECT_EQ(h.run("OBJECT ENCODING z"), "\"listpack\"");
  EXPECT_EQ(h.run("SORT z BY nosort"), "[\"c\", \"b\", \"a\"]");  // score order
  EXPECT_EQ(h.run("SORT z BY nosort DESC LIMIT 1 1"), "[\"b\"]");
  EXPECT_EQ(h.run("SORT z ALPHA"), "[\"a\", \"b\", \"c\"]");
  // As in Redis, sorting converts a small sorted set to the skiplist encoding.
  EXPECT_EQ(h.run("OBJECT ENCODING z"), "\"skiplist\"");
  EXPECT_EQ(h.run("SORT z BY nosort STORE d"), ":3");
  EXPECT_EQ(h.run("LRANGE d 0 -1"), "[\"c\", \"b\", \"a\"]");
}

}  // namespace
}  // namespace tcpkit::kv::testing
