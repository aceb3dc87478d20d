// Keyspace and TTL commands, lazy and active expiry with the manual clock.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

TEST(KvKeys, DelExistsType) {
  Harness h;
  h.run("MSET a 1 b 2");
  EXPECT_EQ(h.run("EXISTS a a b c"), ":3");
  EXPECT_EQ(h.run("TYPE a"), "+string");
  EXPECT_EQ(h.run("TYPE none"), "+none");
  EXPECT_EQ(h.run("DEL a c"), ":1");
  EXPECT_EQ(h.run("UNLINK b"), ":1");
  EXPECT_EQ(h.run("DBSIZE"), ":0");
}

TEST(KvKeys, KeysGlob) {
  Harness h;
  h.run("MSET hello 1 hallo 2 hxllo 3 hllo 4 heeeello 5 h*llo 6");
  auto keys = [&](const std::string& pattern) { return h.run("KEYS " + pattern); };
  const std::string four = keys("h?llo");
  EXPECT_EQ(std::count(four.begin(), four.end(), ','), 3) << four;
  EXPECT_EQ(four.find("heeeello"), std::string::npos);
  EXPECT_NE(keys("h[ae]llo").find("hello"), std::string::npos);
  EXPECT_EQ(keys("h[ae]llo").find("hxllo"), std::string::npos);
  EXPECT_EQ(keys("h[^e]llo").find("hello"), std::string::npos);
  EXPECT_NE(keys("h[^e]llo").find("hallo"), std::string::npos);
  EXPECT_EQ(keys("h\\*llo"), "[\"h*llo\"]");
  EXPECT_EQ(keys("nomatch*"), "[]");
}

TEST(KvKeys, RenameCopyMoveSwapdb) {
  Harness h;
  h.run("SET a 1 EX 100");
  EXPECT_EQ(h.run("RENAME nokey b"), "-ERR no such key");
  EXPECT_EQ(h.run("RENAME a b"), "+OK");
  EXPECT_EQ(h.run("TTL b"), ":100");
  EXPECT_EQ(h.run("RENAME b b"), "+OK");
  h.run("SET c 3");
  EXPECT_EQ(h.run("RENAMENX b c"), ":0");
  EXPECT_EQ(h.run("RENAMENX b d"), ":1");
  EXPECT_EQ(h.run("COPY d d"), "-ERR source and destination objects are the same");
  EXPECT_EQ(h.run("COPY d c"), ":0");
  EXPECT_EQ(h.run("COPY d c REPLACE"), ":1");
  EXPECT_EQ(h.run("GET c"), "\"1\"");
  EXPECT_EQ(h.run("TTL c"), ":100");
  EXPECT_EQ(h.run("COPY d d DB 2"), ":1");
  EXPECT_EQ(h.run("COPY d x DB 16"), "-ERR DB index is out of range");
  EXPECT_EQ(h.run("COPY d x FOO"), "-ERR syntax error");
  EXPECT_EQ(h.run("MOVE d 0"), "-ERR source and destination objects are the same");
  EXPECT_EQ(h.run("MOVE d 2"), ":0");  // exists there already
  EXPECT_EQ(h.run("MOVE c 3"), ":1");
  EXPECT_EQ(h.run("EXISTS c"), ":0");
  EXPECT_EQ(h.run("SWAPDB 0 3"), "+OK");
  EXPECT_EQ(h.run("GET c"), "\"1\"");
  EXPECT_EQ(h.run("SWAPDB a 0"), "-ERR invalid first DB index");
  EXPECT_EQ(h.run("SWAPDB 0 b"), "-ERR invalid second DB index");
  EXPECT_EQ(h.run("SWAPDB 0 99"), "-ERR DB index is out of range");
  EXPECT_EQ(h.run("SELECT 2"), "+OK");
  EXPECT_EQ(h.run("GET d"), "\"1\"");
  EXPECT_EQ(h.run("SELECT 16"), "-ERR DB index is out of range");
  EXPECT_EQ(h.run("SELECT x"), "-ERR value is not an integer or out of range");
}

TEST(KvKeys, RandomKey) {
  Harness h;
  EXPECT_EQ(h.run("RANDOMKEY"), "(nil)");
  h.run("SET only 1");
  EXPECT_EQ(h.run("RANDOMKEY"), "\"only\"");
}

TEST(KvExpire, ExpireFamilyAndFlags) {
  Harness h;
  EXPECT_EQ(h.run("EXPIRE nokey 10"), ":0");
  h.run("SET k v");
  EXPECT_EQ(h.run("TTL k"), ":-1");
  EXPECT_EQ(h.run("TTL nokey"), ":-2");
  EXPECT_EQ(h.run("EXPIRETIME k"), ":-1");
  EXPECT_EQ(h.run("EXPIRE k 100 XX"), ":0");
  EXPECT_EQ(h.run("EXPIRE k 100 GT"), ":0");
  EXPECT_EQ(h.run("EXPIRE k 100 NX"), ":1");
  EXPECT_EQ(h.run("EXPIRE k 200 NX"), ":0");
  EXPECT_EQ(h.run("EXPIRE k 50 GT"), ":0");
  EXPECT_EQ(h.run("EXPIRE k 200 GT"), ":1");
  EXPECT_EQ(h.run("EXPIRE k 300 LT"), ":0");
  EXPECT_EQ(h.run("EXPIRE k 50 LT"), ":1");
  EXPECT_EQ(h.run("TTL k"), ":50");
  EXPECT_EQ(h.run("PEXPIRE k 1234"), ":1");
  EXPECT_EQ(h.run("PTTL k"), ":1234");
  EXPECT_EQ(h.run("TTL k"), ":1");
  EXPECT_EQ(h.run("EXPIRE k 10 NX XX"),
            "-ERR NX and XX, GT or LT options at the same time are not compatible");
  EXPECT_EQ(h.run("EXPIRE k 10 GT LT"),
            "-ERR GT and LT options at the same time are not compatible");
  EXPECT_EQ(h.run("EXPIRE k 10 FOO"), "-ERR Unsupported option FOO");
  EXPECT_EQ(h.run("EXPIRE k abc"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("EXPIRE k 9223372036854775807"), "-ERR invalid expire time in 'expire' command");
  const std::int64_t at = h.clock->now_ms() / 1000 + 60;
  EXPECT_EQ(h.run("EXPIREAT k " + std::to_string(at)), ":1");
  EXPECT_EQ(h.run("EXPIRETIME k"), ":" + std::to_string(at));
  EXPECT_EQ(h.run("PEXPIREAT k " + std::to_string(at * 1000 + 7)), ":1");
  EXPECT_EQ(h.run("PEXPIRETIME k"), ":" + std::to_string(at * 1000 + 7));
  EXPECT_EQ(h.run("PERSIST k"), ":1");
  EXPECT_EQ(h.run("PERSIST k"), ":0");
  EXPECT_EQ(h.run("EXPIRE k -1"), ":1");  // in the past: deleted
  EXPECT_EQ(h.run("EXISTS k"), ":0");
}

TEST(KvExpire, LazyExpiryIsMillisecondAccurate) {
  Harness h;
  h.run("SET k v PX 100");
  h.clock->advance_ms(99);
  EXPECT_EQ(h.run("GET k"), "\"v\"");
  EXPECT_EQ(h.run("PTTL k"), ":1");
  h.clock->advance_ms(1);
  EXPECT_EQ(h.run("GET k"), "(nil)");
  EXPECT_EQ(h.run("DBSIZE"), ":0");
}

TEST(KvExpire, ActiveExpiryDeletesUnreadKeys) {
  Harness h;
  for (int i = 0; i < 1000; ++i) h.run("SET key:" + std::to_string(i) + " v PX 50");
  for (int i = 0; i < 100; ++i) h.run("SET keep:" + std::to_string(i) + " v");
  EXPECT_EQ(h.run("DBSIZE"), ":1100");
  h.clock->advance_ms(51);
  for (int i = 0; i < 20 && h.run("DBSIZE") != ":100"; ++i) h.service->tick();
  EXPECT_EQ(h.run("DBSIZE"), ":100");
  EXPECT_NE(h.run("INFO stats").find("expired_keys:1000"), std::string::npos);
}

TEST(KvScan, CursorOptionsAndErrors) {
  Harness h;
  for (int i = 0; i < 100; ++i) h.run("SET key:" + std::to_string(i) + " v");
  h.run("SET other v");
  std::set<std::string> seen;
  std::string cursor = "0";
  do {
    RecordingWriter w;
    std::vector<std::string> words = {"SCAN", cursor, "MATCH", "key:*", "COUNT", "7"};
    std::string reply = h.run_args(words);
    // [ "cursor", [ "k1", ... ] ]
    auto first = reply.find('"'), second = reply.find('"', first + 1);
    cursor = reply.substr(first + 1, second - first - 1);
    for (auto p = reply.find("\"key:", second + 1); p != std::string::npos;
         p = reply.find("\"key:", p + 1)) {
      seen.insert(reply.substr(p + 1, reply.find('"', p + 1) - p - 1));
    }
    EXPECT_EQ(reply.find("other"), std::string::npos);
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(h.run("SCAN abc"), "-ERR invalid cursor");
  EXPECT_EQ(h.run("SCAN 0 COUNT 0"), "-ERR syntax error");
  EXPECT_EQ(h.run("SCAN 0 COUNT x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("SCAN 0 FOO bar"), "-ERR syntax error");
  EXPECT_EQ(h.run("SCAN 0 TYPE hash COUNT 1000"), "[\"0\", []]");
}

// IDLETIME counts seconds since the key was last used (at the LRU clock the tick moves, as
// Redis's cron does); a read or a write resets it, OBJECT itself does not.
TEST(KvKeys, ObjectIdletimeFollowsUse) {
  Harness h;
  h.run("SET k v");
  EXPECT_EQ(h.run("OBJECT IDLETIME k"), ":0");
  h.clock->advance_ms(5000);
  h.service->tick();
  EXPECT_EQ(h.run("OBJECT IDLETIME k"), ":5");
  EXPECT_EQ(h.run("OBJECT IDLETIME k"), ":5");
  h.run("GET k");
  EXPECT_EQ(h.run("OBJECT IDLETIME k"), ":0");
  h.clock->advance_ms(3000);
  h.service->tick();
  h.run("APPEND k w");
  EXPECT_EQ(h.run("OBJECT IDLETIME k"), ":0");
  EXPECT_EQ(h.run("OBJECT IDLETIME nokey"), "(nil)");
  EXPECT_EQ(h.run("OBJECT FREQ k").substr(0, 40), "-ERR An LFU maxmemory policy is not sele");
}

// REFCOUNT as Redis 7.0 reports it: its shared integers 0..9999 have INT_MAX references.
TEST(KvKeys, ObjectRefcount) {
  Harness h;
  h.run("SET small 9999");
  h.run("SET big 10000");
  h.run("SET neg -1");
  h.run("SET text hello");
  h.run("RPUSH list a");
  EXPECT_EQ(h.run("OBJECT REFCOUNT small"), ":2147483647");
  EXPECT_EQ(h.run("OBJECT REFCOUNT big"), ":1");
  EXPECT_EQ(h.run("OBJECT REFCOUNT neg"), ":1");
  EXPECT_EQ(h.run("OBJECT REFCOUNT text"), ":1");
  EXPECT_EQ(h.run("OBJECT REFCOUNT list"), ":1");
  EXPECT_EQ(h.run("INCR big"), ":10001");
  EXPECT_EQ(h.run("DECRBY big 9000"), ":1001");
  EXPECT_EQ(h.run("OBJECT REFCOUNT big"), ":2147483647");
}

#ifndef NDEBUG
// Debug builds check every key access against the shards the thread holds: a command whose
// key set were computed wrong would abort the test suite here instead of racing in production.
TEST(KvKeysDeathTest, KeyAccessWithoutItsShardAborts) {
  Harness h;
  EXPECT_DEATH(h.service->store().db(0).find("k", 0), "assertion failed");
}
#endif

}  // namespace
}  // namespace tcpkit::kv::testing
