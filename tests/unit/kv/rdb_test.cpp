// RDB snapshots (rdb.hpp, rdb_format.hpp, snapshots.hpp): the blobs' encodings, round trips of
// every type in every encoding, and corrupt, truncated and hostile files with their errors.

#include "kv/rdb.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "kv/rdb_format.hpp"
#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

TEST(KvRdbFormat, Crc64CheckValue) { EXPECT_EQ(rdb::crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL); }

TEST(KvRdbFormat, ListpackRoundTripEveryEncoding) {
  const std::vector<std::string> elements = {"0",
                                             "127",
                                             "128",
                                             "-1",
                                             "4095",
                                             "-4096",
                                             "4096",
                                             "32767",
                                             "-32768",
                                             "32768",
                                             "8388607",
                                             "-8388608",
                                             "8388608",
                                             "2147483647",
                                             "-2147483648",
                                             "2147483648",
                                             "9223372036854775807",
                                             "-9223372036854775808",
                                             "007",
                                             "-0",
                                             "+1",
                                             "",
                                             "x",
                                             std::string(63, 'a'),
                                             std::string(64, 'b'),
                                             std::string(4095, 'c'),
                                             std::string(4096, 'd'),
                                             std::string(70000, 'e')};
  rdb::ListpackBuilder lp;
  for (const auto& e : elements) lp.add(e);
  const std::string blob = lp.finish();
  EXPECT_EQ(rdb::decode_listpack(blob), elements);
  // Every truncation is an error, never a crash.
  for (std::size_t n = 0; n < blob.size(); n += (n < 200 ? 1 : 997)) {
    EXPECT_THROW(rdb::decode_listpack(blob.substr(0, n)), rdb::FormatError) << n;
  }
}

TEST(KvRdbFormat, ListpackBadBacklenAndCount) {
  rdb::ListpackBuilder lp;
  lp.add("hello");
  std::string blob = lp.finish();
  std::string bad = blob;
  bad[6 + 6] = 9;  // the backlen of "hello" (1 + 5 bytes) is 6
  EXPECT_THROW(rdb::decode_listpack(bad), rdb::FormatError);
  bad = blob;
  bad[4] = 2;  // count
  EXPECT_THROW(rdb::decode_listpack(bad), rdb::FormatError);
}

TEST(KvRdbFormat, IntsetWidthsAndOrder) {
  for (const std::vector<std::int64_t>& ints :
       {std::vector<std::int64_t>{-3, 0, 7}, {-40000, 1, 40000}, {-(1LL << 40), 5, 1LL << 40}}) {
    std::vector<std::string> text;
    for (auto v : ints) text.push_back(std::to_string(v));
    EXPECT_EQ(rdb::decode_intset(rdb::make_intset(ints)), text);
  }
  EXPECT_EQ(rdb::make_intset({1, 2}).substr(0, 4), std::string("\x02\0\0\0", 4));
  EXPECT_THROW(rdb::decode_intset(rdb::make_intset({5, 2})), rdb::FormatError);
  EXPECT_THROW(rdb::decode_intset(rdb::make_intset({5, 5})), rdb::FormatError);
  EXPECT_THROW(rdb::decode_intset(rdb::make_intset({1, 2}) + "x"), rdb::FormatError);
}

// A ziplist (Redis before 7.0) of "ab", 12 (an immediate), 300 (int16), -70000 (int32).
std::string sample_ziplist() {
  std::string entries;
  entries += std::string(
      "\x00\x02"
      "ab",
      4);
  entries += std::string("\x04\xFD", 2);  // prevlen 4, immediate 12 (0xF1 + 12)
  entries += std::string("\x02\xC0\x2C\x01", 4);
  entries += std::string("\x04\xD0", 2) + std::string("\x90\xEE\xFE\xFF", 4);
  std::string zl(10, '\0');
  const std::size_t total = 10 + entries.size() + 1;
  zl[0] = static_cast<char>(total);
  zl[8] = 4;
  return zl + entries + "\xFF";
}

TEST(KvRdbFormat, ZiplistDecode) {
  EXPECT_EQ(rdb::decode_ziplist(sample_ziplist()),
            (std::vector<std::string>{"ab", "12", "300", "-70000"}));
  std::string bad = sample_ziplist();
  bad[8] = 5;
  EXPECT_THROW(rdb::decode_ziplist(bad), rdb::FormatError);
  EXPECT_THROW(rdb::decode_ziplist(sample_ziplist().substr(0, 12)), rdb::FormatError);
}

TEST(KvRdbFormat, ScoreText) {
  EXPECT_EQ(rdb::score_text(1), "1");
  EXPECT_EQ(rdb::score_text(-2.5), "-2.5");
  EXPECT_EQ(rdb::score_text(0.1), "0.10000000000000001");
  EXPECT_EQ(rdb::score_text(1e300), "1.0000000000000001e+300");
  EXPECT_EQ(rdb::score_text(-INFINITY), "-inf");
}

// The items of a flat array reply "[a, b]" (the test data has no ", " inside values).
std::vector<std::string> split_items(std::string reply) {
  std::vector<std::string> items;
  if (reply.size() < 2 || reply == "[]") return items;
  reply = reply.substr(1, reply.size() - 2);
  for (std::size_t at = 0;;) {
    const std::size_t end = reply.find(", ", at);
    items.push_back(reply.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos) return items;
    at = end + 2;
  }
}

// Everything a store holds, key by key, as commands see it: type, encoding, value, PTTL.
std::string describe(Harness& h) {
  std::ostringstream out;
  for (int db = 0; db < Store::kDatabases; ++db) {
    h.run("SELECT " + std::to_string(db));
    std::string keys = h.run("KEYS *");
    std::vector<std::string> names;
    // Keys are plain words here: "[\"a\", \"b\"]".
    for (std::size_t at = keys.find('"'); at != std::string::npos; at = keys.find('"', at)) {
      const std::size_t end = keys.find('"', at + 1);
      names.push_back(keys.substr(at + 1, end - at - 1));
      at = end + 1;
    }
    std::sort(names.begin(), names.end());
    for (const std::string& k : names) {
      const std::string type = h.run_args({"TYPE", k});
      out << db << " " << k << " " << type << " " << h.run_args({"OBJECT", "ENCODING", k}) << " "
          << h.run_args({"PTTL", k}) << " ";
      if (type == "+string") out << h.run_args({"GET", k});
      if (type == "+list") out << h.run_args({"LRANGE", k, "0", "-1"});
      if (type == "+zset") out << h.run_args({"ZRANGE", k, "0", "-1", "WITHSCORES"});
      if (type == "+set" || type == "+hash") {
        // Sorted items (pairs for a hash): the order of a hashtable is not part of the value.
        std::vector<std::string> items =
            split_items(h.run_args({type == "+set" ? "SMEMBERS" : "HGETALL", k}));
        if (type == "+hash") {
          std::vector<std::string> pairs;
          for (std::size_t i = 0; i + 1 < items.size(); i += 2)
            pairs.push_back(items[i] + "=" + items[i + 1]);
          items = pairs;
        }
        std::sort(items.begin(), items.end());
        for (const auto& item : items) out << item << ",";
      }
      out << "\n";
    }
  }
  h.run("SELECT 0");
  return out.str();
}

void fill(Harness& h) {
  std::mt19937_64 rng(7);
  auto random_bytes = [&](std::size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>('a' + rng() % 26);
    return s;
  };
  h.run("SET int 12345");
  h.run("SET neg -7");
  h.run("SET big 12345678901234");
  h.run("SET small hello");
  h.run_args({"SET", "compressible", std::string(5000, 'z')});
  h.run_args({"SET", "random", random_bytes(3000)});
  h.run_args({"SET", "empty", ""});
  h.run("RPUSH list a 1 -2 300 b");
  for (int i = 0; i < 2000; ++i)
    h.run_args({"RPUSH", "biglist", std::to_string(i * 7919),
                random_bytes(static_cast<std::size_t>(i % 50))});
  h.run_args({"RPUSH", "biglist", std::string(20000, 'q')});
  h.run("SADD intset 5 -3 100000 9000000000");
  h.run("SADD strset a b c 1");
  for (int i = 0; i < 600; ++i) h.run_args({"SADD", "bigintset", std::to_string(i * 3)});
  h.run("HSET hash f1 v1 f2 2 f3 -3");
  for (int i = 0; i < 600; ++i)
    h.run_args({"HSET", "bighash", "f" + std::to_string(i), random_bytes(10)});
  h.run_args({"HSET", "longvalue", "f", std::string(100, 'v')});
  h.run("ZADD zset 1 a 2.5 b -inf c inf d 0 e");
  for (int i = 0; i < 300; ++i)
    h.run_args({"ZADD", "bigzset", std::to_string(i * 0.37), "m" + std::to_string(i)});
  h.run("SET ttl x PX 100000");
  h.run("RPUSH ttllist x");
  h.run("PEXPIRE ttllist 5000000");
  h.run("SELECT 3");
  h.run("SET indb3 y");
  h.run("HSET h3 a b");
  h.run("SELECT 15");
  h.run("ZADD z15 1 x");
  h.run("SELECT 0");
}

std::string dump(Harness& h) {
  ShardLock all(h.service->store().shards(), kAllShards);
  return rdb::save_to_string(h.service->store(), {h.clock->now_ms(), 1234, true, {}});
}

Result<rdb::LoadStats> load(Harness& h, std::string_view bytes) {
  return rdb::load_string(h.service->store(), bytes, "dump.rdb", EncodingLimits{},
                          h.clock->now_ms());
}

TEST(KvRdb, RoundTripEveryTypeAndEncoding) {
  Harness a;
  fill(a);
  const std::string bytes = dump(a);
  EXPECT_EQ(bytes.substr(0, 9), "REDIS0010");
  Harness b;
  auto loaded = load(b, bytes);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->keys_loaded, 22u);
  EXPECT_EQ(loaded->version, 10);
  EXPECT_EQ(describe(a), describe(b));
  // The encodings chosen on load are Redis's for the same contents.
  EXPECT_EQ(b.run("OBJECT ENCODING bigintset"), "\"hashtable\"");
  EXPECT_EQ(b.run("OBJECT ENCODING intset"), "\"intset\"");
  EXPECT_EQ(b.run("OBJECT ENCODING bighash"), "\"hashtable\"");
  EXPECT_EQ(b.run("OBJECT ENCODING bigzset"), "\"skiplist\"");
  EXPECT_EQ(b.run("OBJECT ENCODING zset"), "\"listpack\"");
  EXPECT_EQ(b.run("OBJECT ENCODING int"), "\"int\"");
  // Saving the loaded store gives the same bytes again (same clock, same layout).
  b.clock->set_ms(a.clock->now_ms());
  EXPECT_EQ(describe(a), describe(b));
}

TEST(KvRdb, ExpiredKeysAreSkippedOnLoad) {
  Harness a;
  a.run("SET soon x PX 1000");
  a.run("SET later y PX 100000");
  const std::string bytes = dump(a);
  Harness b;
  b.clock->set_ms(a.clock->now_ms() + 5000);
  auto loaded = load(b, bytes);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->keys_loaded, 1u);
  EXPECT_EQ(loaded->keys_expired, 1u);
  EXPECT_EQ(b.run("PTTL later"), ":95000");
}

TEST(KvRdb, EveryTruncationIsAnErrorWithItsOffset) {
  Harness a;
  a.run("SET k v");
  a.run("RPUSH l a b c");
  a.run("HSET h f v");
  a.run("ZADD z 1.5 m");
  a.run("SADD s 1 2 x");
  a.run("SET t x PX 50000");
  const std::string bytes = dump(a);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    Harness b;
    auto r = load(b, std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(r) << "prefix of " << n << " bytes loaded";
    EXPECT_NE(r.error().message().find("dump.rdb: offset "), std::string::npos)
        << r.error().message();
  }
}

TEST(KvRdb, EveryFlippedByteIsAnError) {
  Harness a;
  a.run("SET k v");
  a.run("RPUSH l a b c");
  a.run("HSET h f v");
  a.run("ZADD z 1.5 m");
  const std::string bytes = dump(a);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x41);
    Harness b;
    EXPECT_FALSE(load(b, bad)) << "byte " << i;
  }
}

std::string with_crc(std::string body) {
  const std::uint64_t crc = rdb::crc64(0, body);
  for (int i = 0; i < 8; ++i) body += static_cast<char>((crc >> (8 * i)) & 0xff);
  return body;
}

std::string error_of(std::string_view bytes) {
  Harness b;
  auto r = load(b, bytes);
  return r ? std::string("loaded") : r.error().context();
}

TEST(KvRdb, ErrorMessages) {
  EXPECT_EQ(error_of("RADIS0010"),
            "dump.rdb: offset 0: not an RDB file (it does not start with \"REDIS\")");
  EXPECT_EQ(error_of("REDIS0011"), "dump.rdb: offset 5: RDB version 11 is not supported (1 to 10)");
  EXPECT_EQ(error_of("REDIS0010"),
            "dump.rdb: offset 9: expected 1 bytes of an opcode or a type, "
            "the file has 0 left");
  std::string good = with_crc(std::string("REDIS0010\xFF", 10));
  EXPECT_EQ(error_of(good), "loaded");
  std::string bad = good;
  bad[10] ^= 1;
  EXPECT_NE(error_of(bad).find("dump.rdb: offset 10: checksum mismatch"), std::string::npos);
  EXPECT_EQ(error_of(std::string("REDIS0010\xFE\x10", 11)),
            "dump.rdb: offset 9: database 16 out of range (kv has 16)");
  EXPECT_EQ(error_of(std::string("REDIS0010\x0F\x01k", 12)),
            "dump.rdb: offset 12: streams are not supported by kv (type 15)");
  EXPECT_EQ(error_of(std::string("REDIS0010\x02\x01k\x02\x01"
                                 "a\x01"
                                 "a",
                                 17)),
            "dump.rdb: offset 17: duplicate set member 'a'");
}

TEST(KvRdb, CraftedLengthsAllocateNothing) {
  // A string claiming 2^62 bytes: refused against the bytes the file has.
  std::string huge("REDIS0010\x00\x81\x40\x00\x00\x00\x00\x00\x00\x00", 19);
  EXPECT_EQ(error_of(huge),
            "dump.rdb: offset 19: expected 4611686018427387904 bytes of a string, the file has 0 "
            "left");
  // LZF claiming 4 GiB from 3 bytes.
  std::string lzf(
      "REDIS0010\x00\x01k\xC3\x03\x80\xFF\xFF\xFF\xFF"
      "abc",
      22);
  EXPECT_NE(error_of(lzf).find("LZF string of 4294967295 bytes from 3 compressed bytes"),
            std::string::npos);
  // A list claiming 2^60 elements with one present: ends at the end of the data.
  std::string list(
      "REDIS0010\x01\x01k\x81\x10\x00\x00\x00\x00\x00\x00\x00\x01"
      "a",
      23);
  EXPECT_NE(error_of(list).find("offset 23: expected 1 bytes of a length"), std::string::npos);
}

TEST(KvRdb, LoadsRedisOlderEncodings) {
  // A ziplist list, a ziplist hash, a text-score zset (type 3), a ZSET_2, an LZF string, an
  // int-encoded key, and the seconds expiry opcode, as older Redis wrote them.
  std::string body("REDIS0009", 9);
  body += std::string("\x0A\x02zl", 4);
  const std::string zl = sample_ziplist();
  body += static_cast<char>(zl.size()) + zl;
  body += std::string(
      "\x03\x01z\x02\x01"
      "a\x03"
      "1.5\x01"
      "b\xFE",
      13);
  std::string lzf_payload = std::string(30, 'x');
  body += std::string("\x00\xC0\x07", 3);  // key: the integer 7
  // LZF: a literal run "x" then a back reference of 29 bytes at distance 1.
  body += std::string("\xC3\x05\x1E\x00x\xE0\x14\x00", 8);
  body += std::string(
      "\xFD\xFF\xFF\xFF\x7F\x00\x01"
      "e\x01"
      "v",
      10);  // expires in 2038
  body += '\xFF';
  Harness b;
  auto r = load(b, with_crc(body));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(b.run("LRANGE zl 0 -1"), "[\"ab\", \"12\", \"300\", \"-70000\"]");
  EXPECT_EQ(b.run("ZRANGE z 0 -1 WITHSCORES"), "[\"a\", \"1.5\", \"b\", \"inf\"]");
  EXPECT_EQ(b.run("GET 7"), "\"" + lzf_payload + "\"");
  EXPECT_EQ(b.run("PEXPIRETIME e"), ":2147483647000");
}

TEST(KvRdb, SaveBgsaveLastsaveAndInfo) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tcpkit-rdb-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Harness h(with_options([&](KvOptions& o) { o.dir = dir.string(); }));
  EXPECT_EQ(h.run("CONFIG GET dbfilename"), "[\"dbfilename\", \"dump.rdb\"]");
  fill(h);
  EXPECT_EQ(h.run("SAVE"), "+OK");
  EXPECT_NE(h.run("INFO persistence").find("rdb_changes_since_last_save:0\r\n"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "dump.rdb"));
  h.run("SET after-save 1");
  EXPECT_EQ(h.run("CONFIG SET dbfilename bg.rdb"), "+OK");
  EXPECT_EQ(h.run("BGSAVE"), "+Background saving started");
  for (int i = 0; i < 500 && h.service->snapshots().in_progress(); ++i) {
    h.service->tick();
    ::usleep(10000);
  }
  const std::string info = h.run("INFO persistence");
  EXPECT_NE(info.find("rdb_bgsave_in_progress:0"), std::string::npos) << info;
  EXPECT_NE(info.find("rdb_last_bgsave_status:ok"), std::string::npos) << info;
  EXPECT_NE(info.find("rdb_changes_since_last_save:0\r\n"), std::string::npos) << info;
  Harness b;
  auto r = rdb::load_file(b.service->store(), (dir / "bg.rdb").string(), EncodingLimits{},
                          b.clock->now_ms());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(b.run("GET after-save"), "\"1\"");
  b.clock->set_ms(h.clock->now_ms());
  EXPECT_EQ(describe(h), describe(b));
  EXPECT_EQ(h.run("CONFIG SET dbfilename a/b"),
            "-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename "
            "can't be a path, just a filename");
  EXPECT_EQ(h.run("CONFIG SET save \"1 2 3\""),
            "-ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save "
            "parameters");
  EXPECT_EQ(h.run("CONFIG SET dir /nonexistent-tcpkit"),
            "-ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or "
            "directory");
  EXPECT_EQ(h.run("BGSAVE x"), "-ERR syntax error");
  // SAVE and SHUTDOWN are refused inside MULTI, and the transaction fails (Redis's no_multi).
  EXPECT_EQ(h.run("MULTI"), "+OK");
  EXPECT_EQ(h.run("SAVE"), "-ERR Command not allowed inside a transaction");
  EXPECT_EQ(h.run("SHUTDOWN"), "-ERR Command not allowed inside a transaction");
  EXPECT_EQ(h.run("LASTSAVE"), "+QUEUED");
  EXPECT_EQ(h.run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.");
  std::filesystem::remove_all(dir);
}

TEST(KvRdb, SavePointStartsABackgroundSave) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tcpkit-rdb-points-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Harness h(with_options([&](KvOptions& o) {
    o.dir = dir.string();
    o.save = "0 3";  // after 3 changes, at once
  }));
  h.run("SET a 1");
  h.run("SET b 1");
  h.service->tick();
  EXPECT_FALSE(h.service->snapshots().in_progress());
  h.run("SET c 1");
  // Due once a whole second has passed since start-up (Redis's "more than <seconds>").
  for (int i = 0; i < 300 && h.service->snapshots().saves() == 0; ++i) {
    h.service->tick();
    ::usleep(10000);
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "dump.rdb"));
  EXPECT_EQ(h.service->snapshots().saves(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(KvRdb, ShutdownSavesWhenAskedAndStops) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tcpkit-rdb-shutdown-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  int stops = 0;
  Harness h(with_options([&](KvOptions& o) {
    o.dir = dir.string();
    o.shutdown = [&stops] { ++stops; };
  }));
  h.run("SET k v");
  EXPECT_EQ(h.run("SHUTDOWN SAVE NOSAVE"), "-ERR syntax error");
  EXPECT_EQ(h.run("SHUTDOWN ABORT"), "-ERR No shutdown in progress.");
  EXPECT_EQ(h.run("SHUTDOWN NOSAVE"), "");  // no reply: the connection closes
  EXPECT_TRUE(h.last_close);
  EXPECT_EQ(stops, 1);
  EXPECT_FALSE(std::filesystem::exists(dir / "dump.rdb"));
  auto s2 = h.open(1);
  EXPECT_EQ(h.run("SHUTDOWN SAVE", s2.get()), "");
  EXPECT_EQ(stops, 2);
  EXPECT_TRUE(std::filesystem::exists(dir / "dump.rdb"));
  // With save points, FLUSHALL saves the empty data set at once, as Redis's does.
  auto s3 = h.open(2);
  EXPECT_EQ(h.run("CONFIG SET save \"3600 1\"", s3.get()), "+OK");
  EXPECT_EQ(h.run("FLUSHALL", s3.get()), "+OK");
  Harness b;
  auto r = rdb::load_file(b.service->store(), (dir / "dump.rdb").string(), EncodingLimits{},
                          b.clock->now_ms());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->keys_loaded, 0u);
  // Without a way to stop, SHUTDOWN fails as Redis's does when it cannot.
  Harness none;
  EXPECT_EQ(none.run("SHUTDOWN NOSAVE"), "-ERR Errors trying to SHUTDOWN. Check logs.");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tcpkit::kv::testing

namespace tcpkit::kv {
namespace {

TEST(KvRdbSettings, RdbchecksumNoWritesAZeroChecksumThatLoads) {
  testing::Harness h;
  EXPECT_EQ(h.run("CONFIG GET rdbchecksum"), "[\"rdbchecksum\", \"yes\"]");
  EXPECT_EQ(h.run("CONFIG SET rdbchecksum maybe"),
            "-ERR CONFIG SET failed (possibly related to argument 'rdbchecksum') - argument "
            "must be 'yes' or 'no'");
  EXPECT_EQ(h.run("CONFIG SET rdbchecksum no"), "+OK");
  EXPECT_EQ(h.run("CONFIG SET rdbcompression no"), "+OK");
  EXPECT_EQ(h.run("CONFIG GET rdbcompression"), "[\"rdbcompression\", \"no\"]");
  h.run("SET k " + std::string(100, 'x'));
  ShardLock all(h.service->store().shards(), kAllShards);
  const std::string bytes =
      rdb::save_to_string(h.service->store(), h.service->snapshots().options(h.clock->now_ms(), 0));
  all.unlock();
  EXPECT_EQ(bytes.substr(bytes.size() - 8), std::string(8, '\0'));
  EXPECT_NE(bytes.find(std::string(100, 'x')), std::string::npos);  // not compressed
  testing::Harness b;
  auto r = rdb::load_string(b.service->store(), bytes, "t", EncodingLimits{}, b.clock->now_ms());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(b.run("STRLEN k"), ":100");
}

TEST(KvRdbSettings, StopWritesOnBgsaveError) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tcpkit-rdb-misconf-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  testing::Harness h(testing::with_options([&](KvOptions& o) {
    o.dir = dir.string();
    o.save = "3600 1";
  }));
  h.run("SET a 1");
  std::filesystem::remove_all(dir);  // the child cannot write its file
  EXPECT_EQ(h.run("BGSAVE"), "+Background saving started");
  for (int i = 0; i < 500 && h.service->snapshots().in_progress(); ++i) {
    h.service->tick();
    ::usleep(10000);
  }
  ASSERT_FALSE(h.service->snapshots().last_bgsave_ok());
  const std::string misconf =
      "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "
      "to disk. Commands that may modify the data set are disabled, because this instance is "
      "configured to report errors during writes if RDB snapshotting fails "
      "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
      "RDB error.";
  EXPECT_EQ(h.run("SET b 1"), misconf);
  EXPECT_EQ(h.run("PING"), misconf);
  EXPECT_EQ(h.run("GET a"), "\"1\"");  // reads work
  EXPECT_EQ(h.run("CONFIG SET stop-writes-on-bgsave-error no"), "+OK");
  EXPECT_EQ(h.run("SET b 1"), "+OK");
  EXPECT_EQ(h.run("CONFIG SET stop-writes-on-bgsave-error yes"), "+OK");
  EXPECT_EQ(h.run("CONFIG SET save \"\""), "+OK");  // no save points: writes allowed (Redis)
  EXPECT_EQ(h.run("SET c 1"), "+OK");
}

}  // namespace
}  // namespace tcpkit::kv
