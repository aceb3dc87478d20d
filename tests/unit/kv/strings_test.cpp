// String commands, replies and errors as Redis 7.0 gives them.

#include <gtest/gtest.h>

#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

TEST(KvStrings, GetSetBasics) {
  Harness h;
  EXPECT_EQ(h.run("GET k"), "(nil)");
  EXPECT_EQ(h.run("SET k v"), "+OK");
  EXPECT_EQ(h.run("get k"), "\"v\"");
  EXPECT_EQ(h.run("SET k \"hello world\""), "+OK");
  EXPECT_EQ(h.run("GET k"), "\"hello world\"");
  EXPECT_EQ(h.run("GET"), "-ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(h.run("SET k"), "-ERR wrong number of arguments for 'set' command");
}

TEST(KvStrings, SetOptions) {
  Harness h;
  EXPECT_EQ(h.run("SET k v NX"), "+OK");
  EXPECT_EQ(h.run("SET k w NX"), "(nil)");
  EXPECT_EQ(h.run("SET k w XX"), "+OK");
  EXPECT_EQ(h.run("SET other w XX"), "(nil)");
  EXPECT_EQ(h.run("SET k x GET"), "\"w\"");
  EXPECT_EQ(h.run("SET fresh x NX GET"), "(nil)");
  EXPECT_EQ(h.run("SET k y NX GET"), "\"x\"");
  EXPECT_EQ(h.run("GET k"), "\"x\"");
  EXPECT_EQ(h.run("SET k v NX XX"), "-ERR syntax error");
  EXPECT_EQ(h.run("SET k v EX 10 PX 100"), "-ERR syntax error");
  EXPECT_EQ(h.run("SET k v EX 10 KEEPTTL"), "-ERR syntax error");
  EXPECT_EQ(h.run("SET k v EX"), "-ERR syntax error");
  EXPECT_EQ(h.run("SET k v FOO"), "-ERR syntax error");
  EXPECT_EQ(h.run("SET k v EX abc"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("SET k v EX 0"), "-ERR invalid expire time in 'set' command");
  EXPECT_EQ(h.run("SET k v PX -5"), "-ERR invalid expire time in 'set' command");
  EXPECT_EQ(h.run("SET k v EX 9223372036854775807"), "-ERR invalid expire time in 'set' command");
}

TEST(KvStrings, SetExpiryForms) {
  Harness h;
  const std::int64_t now = h.clock->now_ms();
  EXPECT_EQ(h.run("SET a v EX 10"), "+OK");
  EXPECT_EQ(h.run("PTTL a"), ":10000");
  EXPECT_EQ(h.run("SET a v PX 1500"), "+OK");
  EXPECT_EQ(h.run("PTTL a"), ":1500");
  EXPECT_EQ(h.run("SET a v PXAT " + std::to_string(now + 2500)), "+OK");
  EXPECT_EQ(h.run("PEXPIRETIME a"), ":" + std::to_string(now + 2500));
  EXPECT_EQ(h.run("SET a v EXAT " + std::to_string(now / 1000 + 100)), "+OK");
  EXPECT_EQ(h.run("EXPIRETIME a"), ":" + std::to_string(now / 1000 + 100));
  EXPECT_EQ(h.run("SET a w KEEPTTL"), "+OK");
  EXPECT_EQ(h.run("EXPIRETIME a"), ":" + std::to_string(now / 1000 + 100));
  EXPECT_EQ(h.run("SET a w"), "+OK");
  EXPECT_EQ(h.run("TTL a"), ":-1");
}

TEST(KvStrings, SetnxSetexPsetexGetsetGetdel) {
  Harness h;
  EXPECT_EQ(h.run("SETNX k 1"), ":1");
  EXPECT_EQ(h.run("SETNX k 2"), ":0");
  EXPECT_EQ(h.run("SETEX k 5 v"), "+OK");
  EXPECT_EQ(h.run("TTL k"), ":5");
  EXPECT_EQ(h.run("SETEX k 0 v"), "-ERR invalid expire time in 'setex' command");
  EXPECT_EQ(h.run("SETEX k x v"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("PSETEX k 250 v"), "+OK");
  EXPECT_EQ(h.run("PTTL k"), ":250");
  EXPECT_EQ(h.run("PSETEX k -1 v"), "-ERR invalid expire time in 'psetex' command");
  EXPECT_EQ(h.run("GETSET k new"), "\"v\"");
  EXPECT_EQ(h.run("TTL k"), ":-1");
  EXPECT_EQ(h.run("GETSET nokey x"), "(nil)");
  EXPECT_EQ(h.run("GETDEL k"), "\"new\"");
  EXPECT_EQ(h.run("GETDEL k"), "(nil)");
  EXPECT_EQ(h.run("EXISTS k"), ":0");
}

TEST(KvStrings, Getex) {
  Harness h;
  EXPECT_EQ(h.run("GETEX nokey EX 5"), "(nil)");
  h.run("SET k v");
  EXPECT_EQ(h.run("GETEX k EX 5"), "\"v\"");
  EXPECT_EQ(h.run("TTL k"), ":5");
  EXPECT_EQ(h.run("GETEX k PERSIST"), "\"v\"");
  EXPECT_EQ(h.run("TTL k"), ":-1");
  EXPECT_EQ(h.run("GETEX k EX 0"), "-ERR invalid expire time in 'getex' command");
  EXPECT_EQ(h.run("GETEX k EX 5 PERSIST"), "-ERR syntax error");
  EXPECT_EQ(h.run("GETEX k FOO"), "-ERR syntax error");
  EXPECT_EQ(h.run("GETEX k PXAT 1"), "\"v\"");  // in the past: the key is deleted
  EXPECT_EQ(h.run("EXISTS k"), ":0");
}

// Checked against redis-server 7.0.15: option syntax first, then a missing key is nil
// whatever its expiry argument says, then the expiry value; repeating the same option is
// accepted (the last value wins), mixing units or PERSIST with an expiry is a syntax error.
TEST(KvStrings, GetexArgumentErrorOrder) {
  Harness h;
  for (const char* arg :
       {"EX abc", "EX 0", "EX -1", "PX 9223372036854775807", "EX 9223372036854775807", "EXAT 0",
        "EX 10 EX 20", "PERSIST PERSIST", "EXAT 10 EXAT abc"}) {
    EXPECT_EQ(h.run(std::string("GETEX missing ") + arg), "(nil)") << arg;
  }
  for (const char* arg :
       {"EX", "FOO", "EX 10 PX 10", "PERSIST EX 10", "EX 10 PERSIST", "KEEPTTL", "NX", "GET"}) {
    EXPECT_EQ(h.run(std::string("GETEX missing ") + arg), "-ERR syntax error") << arg;
  }
  EXPECT_EQ(h.run("SET k v"), "+OK");
  EXPECT_EQ(h.run("GETEX k EX abc"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("GETEX k EX 9223372036854775"), "-ERR invalid expire time in 'getex' command");
  EXPECT_EQ(h.run("GETEX k PX 10 PX abc"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("GETEX k EX 10 EX 20"), "\"v\"");
  EXPECT_EQ(h.run("TTL k"), ":20");
  EXPECT_EQ(h.run("GETEX k PERSIST PERSIST"), "\"v\"");
  EXPECT_EQ(h.run("TTL k"), ":-1");
  // SET reads its options with the same rules.
  EXPECT_EQ(h.run("SET k v EX 10 EX 20"), "+OK");
  EXPECT_EQ(h.run("TTL k"), ":20");
  EXPECT_EQ(h.run("SET k v KEEPTTL KEEPTTL"), "+OK");
  EXPECT_EQ(h.run("SET k v PX 10 PX abc"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("SET k v EX 10 KEEPTTL"), "-ERR syntax error");
  EXPECT_EQ(h.run("SET k v NX XX"), "-ERR syntax error");
}

TEST(KvStrings, MgetMsetMsetnx) {
  Harness h;
  EXPECT_EQ(h.run("MSET a 1 b 2"), "+OK");
  EXPECT_EQ(h.run("MGET a b c"), "[\"1\", \"2\", (nil)]");
  EXPECT_EQ(h.run("MSET a 1 b"), "-ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(h.run("MSETNX c 3 a 9"), ":0");
  EXPECT_EQ(h.run("GET c"), "(nil)");
  EXPECT_EQ(h.run("MSETNX c 3 d 4"), ":1");
  EXPECT_EQ(h.run("MGET c d"), "[\"3\", \"4\"]");
}

TEST(KvStrings, AppendStrlenRanges) {
  Harness h;
  EXPECT_EQ(h.run("APPEND k Hello"), ":5");
  EXPECT_EQ(h.run("APPEND k \" World\""), ":11");
  EXPECT_EQ(h.run("STRLEN k"), ":11");
  EXPECT_EQ(h.run("STRLEN none"), ":0");
  EXPECT_EQ(h.run("GETRANGE k 0 4"), "\"Hello\"");
  EXPECT_EQ(h.run("GETRANGE k -5 -1"), "\"World\"");
  EXPECT_EQ(h.run("GETRANGE k 5 2"), "\"\"");
  EXPECT_EQ(h.run("GETRANGE k -1 -5"), "\"\"");
  EXPECT_EQ(h.run("GETRANGE k 0 100"), "\"Hello World\"");
  EXPECT_EQ(h.run("GETRANGE none 0 1"), "\"\"");
  EXPECT_EQ(h.run("GETRANGE k a 1"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("SETRANGE k 6 Redis"), ":11");
  EXPECT_EQ(h.run("GET k"), "\"Hello Redis\"");
  EXPECT_EQ(h.run("SETRANGE k -1 x"), "-ERR offset is out of range");
  EXPECT_EQ(h.run("SETRANGE pad 3 ab"), ":5");
  EXPECT_EQ(h.run("GET pad"), std::string("\"\0\0\0ab\"", 7));
  EXPECT_EQ(h.run("SETRANGE empty 3 \"\""), ":0");
  EXPECT_EQ(h.run("EXISTS empty"), ":0");
  EXPECT_EQ(h.run("SETRANGE k 536870912 x"),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
}

TEST(KvStrings, Counters) {
  Harness h;
  EXPECT_EQ(h.run("INCR n"), ":1");
  EXPECT_EQ(h.run("INCRBY n 10"), ":11");
  EXPECT_EQ(h.run("DECR n"), ":10");
  EXPECT_EQ(h.run("DECRBY n 20"), ":-10");
  EXPECT_EQ(h.run("INCRBY n x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("DECRBY n -9223372036854775808"), "-ERR decrement would overflow");
  h.run("SET s abc");
  EXPECT_EQ(h.run("INCR s"), "-ERR value is not an integer or out of range");
  h.run("SET s \" 1\"");
  EXPECT_EQ(h.run("INCR s"), "-ERR value is not an integer or out of range");
  h.run("SET big 9223372036854775807");
  EXPECT_EQ(h.run("INCR big"), "-ERR increment or decrement would overflow");
  h.run("SET small -9223372036854775808");
  EXPECT_EQ(h.run("DECR small"), "-ERR increment or decrement would overflow");
  h.run("SET t 5 EX 100");
  EXPECT_EQ(h.run("INCR t"), ":6");
  EXPECT_EQ(h.run("TTL t"), ":100");  // INCR keeps the TTL
}

TEST(KvStrings, IncrByFloat) {
  Harness h;
  h.run("SET f 1.0");
  EXPECT_EQ(h.run("INCRBYFLOAT f 0.1"), "\"1.1\"");
  EXPECT_EQ(h.run("INCRBYFLOAT f 5.0e3"), "\"5001.10000000000000009\"");
  h.run("SET n 12");
  EXPECT_EQ(h.run("INCRBYFLOAT n 1.5"), "\"13.5\"");
  EXPECT_EQ(h.run("INCRBYFLOAT n 1.5"), "\"15\"");
  EXPECT_EQ(h.run("OBJECT ENCODING n"), "\"embstr\"");
  EXPECT_EQ(h.run("INCRBYFLOAT new -2"), "\"-2\"");
  EXPECT_EQ(h.run("INCRBYFLOAT n abc"), "-ERR value is not a valid float");
  h.run("SET s abc");
  EXPECT_EQ(h.run("INCRBYFLOAT s 1"), "-ERR value is not a valid float");
  EXPECT_EQ(h.run("INCRBYFLOAT n nan"), "-ERR value is not a valid float");
  EXPECT_EQ(h.run("INCRBYFLOAT n inf"), "-ERR increment would produce NaN or Infinity");
}

TEST(KvStrings, ObjectEncoding) {
  Harness h;
  h.run("SET i 12345");
  h.run("SET e abc");
  h.run("SET r " + std::string(45, 'x'));
  h.run("SET z 007");
  EXPECT_EQ(h.run("OBJECT ENCODING i"), "\"int\"");
  EXPECT_EQ(h.run("OBJECT ENCODING e"), "\"embstr\"");
  EXPECT_EQ(h.run("OBJECT ENCODING r"), "\"raw\"");
  EXPECT_EQ(h.run("OBJECT ENCODING z"), "\"embstr\"");
  EXPECT_EQ(h.run("OBJECT ENCODING none"), "(nil)");
  h.run("APPEND e d");
  EXPECT_EQ(h.run("OBJECT ENCODING e"), "\"raw\"");
  h.run("INCR e2");
  EXPECT_EQ(h.run("OBJECT ENCODING e2"), "\"int\"");
  EXPECT_EQ(h.run("OBJECT FOO i"), "-ERR unknown subcommand 'FOO'. Try OBJECT HELP.");
}

}  // namespace
}  // namespace tcpkit::kv::testing
