// The append-only file: record encoding and parsing (whole, every prefix, trailing data, a table
// of malformed inputs), the manifest, what each kind of command logs, and loading a log back
// (truncated tail dropped, corrupt middle refused).

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "kv/aof_format.hpp"
#include "kv/kv_service.hpp"
#include "kv/kv_session.hpp"
#include "kv_test_support.hpp"

namespace tcpkit::kv {
namespace {

using aof::ParsedRecord;
using testing::Harness;
using testing::with_options;

std::string record(std::initializer_list<std::string_view> args) {
  std::string out;
  aof::append_record(out, args);
  return out;
}

TEST(KvAofRecord, EncodesAsRedisWritesIt) {
  EXPECT_EQ(record({"SET", "k", "v"}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
  EXPECT_EQ(record({"SET", "", "a\r\nb"}), "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\na\r\nb\r\n");
}

TEST(KvAofRecord, ParsesWholeAndWithTrailingData) {
  const std::string one = record({"SET", "k", std::string_view("a\0\r\nb", 5)});
  const std::string two = one + record({"INCR", "n"});
  ParsedRecord r = aof::parse_record(two, 0);
  ASSERT_EQ(r.status, ParsedRecord::Status::kOk);
  EXPECT_EQ(r.end, one.size());
  ASSERT_EQ(r.args.size(), 3u);
  EXPECT_EQ(r.args[2], std::string_view("a\0\r\nb", 5));
  r = aof::parse_record(two, one.size());
  ASSERT_EQ(r.status, ParsedRecord::Status::kOk);
  EXPECT_EQ(r.end, two.size());
  EXPECT_EQ(r.args[0], "INCR");
}

TEST(KvAofRecord, EveryPrefixIsTruncated) {
  const std::string one = record({"SET", "key", "value"});
  for (std::size_t n = 1; n < one.size(); ++n) {
    EXPECT_EQ(aof::parse_record(one.substr(0, n), 0).status, ParsedRecord::Status::kTruncated)
        << "prefix of " << n << " bytes";
  }
}

TEST(KvAofRecord, MalformedInputs) {
  const struct {
    std::string_view bytes;
    std::string_view error;
  } cases[] = {
      {"+OK\r\n", "expected '*'"},
      {"*x\r\n", "expected a number"},
      {"*-1\r\n", "expected a number"},
      {"*0\r\n", "a command with no arguments"},
      {"*1\r\n%3\r\nabc\r\n", "expected '$'"},
      {"*1\r\n$3\r\nabcXY", "expected CRLF after an argument"},
      {"*1\r\n$3x\r\nabc\r\n", "expected a number"},
      {"*2x", "expected a number"},
  };
  for (const auto& c : cases) {
    ParsedRecord r = aof::parse_record(c.bytes, 0);
    EXPECT_EQ(r.status, ParsedRecord::Status::kCorrupt) << c.bytes;
    EXPECT_EQ(r.error, c.error) << c.bytes;
  }
}

TEST(KvAofManifest, ParsesAndFormatsRedisText) {
  const std::string text =
      "file appendonly.aof.2.base.rdb seq 2 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type h\n"
      "file appendonly.aof.3.incr.aof seq 3 type i\n"
      "file appendonly.aof.4.incr.aof seq 4 type i\n";
  std::string error;
  auto m = aof::parse_manifest(text, &error);
  ASSERT_TRUE(m) << error;
  ASSERT_NE(m->base(), nullptr);
  EXPECT_EQ(m->base()->file, "appendonly.aof.2.base.rdb");
  ASSERT_EQ(m->incrs().size(), 2u);
  EXPECT_EQ(m->last_incr_seq(), 4);
  EXPECT_EQ(aof::format_manifest(*m), text);
  EXPECT_FALSE(aof::parse_manifest("file a seq x type i\n", &error));
  EXPECT_EQ(error, "line 1 is not a manifest line");
  EXPECT_FALSE(aof::parse_manifest("file ../a seq 1 type i\n", &error));
  EXPECT_FALSE(aof::parse_manifest("file a seq 1 type z\n", &error));
  EXPECT_EQ(aof::incr_name("appendonly.aof", 7), "appendonly.aof.7.incr.aof");
}

class KvAofLog : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tcpkit-aof-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  KvOptions options() {
    return with_options([&](KvOptions& o) { o.dir = dir_.string(); });
  }
  std::filesystem::path incr(int seq = 1) {
    return dir_ / "appendonlydir" / ("appendonly.aof." + std::to_string(seq) + ".incr.aof");
  }
  // The records of the incr file, each as its arguments joined by spaces.
  std::vector<std::string> records(int seq = 1) {
    std::ifstream in(incr(seq), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    std::vector<std::string> out;
    for (std::size_t pos = 0; pos < bytes.size();) {
      ParsedRecord r = aof::parse_record(bytes, pos);
      EXPECT_EQ(r.status, ParsedRecord::Status::kOk);
      if (r.status != ParsedRecord::Status::kOk) break;
      std::string line;
      for (std::string_view a : r.args) line += (line.empty() ? "" : " ") + std::string(a);
      out.push_back(line);
      pos = r.end;
    }
    return out;
  }
  static void sync(Harness& h) { h.service->await_log(h.session->log_mark()); }

  std::filesystem::path dir_;
};

TEST_F(KvAofLog, LogsTimesAsAbsoluteAndRandomnessAsEffects) {
  Harness h(options());
  EXPECT_EQ(h.run("CONFIG SET appendonly yes"), "+OK");
  EXPECT_EQ(h.run("CONFIG GET appendonly"), "[\"appendonly\", \"yes\"]");
  const std::int64_t now = h.clock->now_ms();
  const std::string in100s = std::to_string(now + 100000);
  h.run("SET a 1 EX 100");
  h.run("SET b 2");
  h.run("EXPIRE b 100");
  h.run("SETEX c 100 x");
  h.run("PERSIST c");
  h.run("GET a");       // a read: nothing
  h.run("SET b 9 NX");  // changed nothing: nothing
  h.run("INCRBYFLOAT f 1.5");
  h.run("HINCRBYFLOAT h x 0.25");
  h.run("SADD s only");
  h.run("SPOP s");
  h.run("SELECT 2");
  h.run("MULTI");
  h.run("INCR n");
  h.run("SELECT 3");
  h.run("LPUSH l v");
  h.run("EXEC");
  h.run("EVAL \"redis.call('set', KEYS[1], 'x') return redis.call('get', KEYS[1])\" 1 e");
  sync(h);
  const std::vector<std::string> expected = {
      "SELECT 0",
      "SET a 1 PXAT " + in100s,
      "SET b 2",
      "PEXPIREAT b " + in100s,
      "SET c x PXAT " + in100s,
      "PERSIST c",
      "SET f 1.5 KEEPTTL",
      "HSET h x 0.25",
      "SADD s only",
      "SREM s only",
      "SELECT 2",
      "MULTI",
      "INCR n",
      "SELECT 3",
      "LPUSH l v",
      "EXEC",
      "MULTI",
      "set e x",
      "EXEC",
  };
  EXPECT_EQ(records(), expected);
  EXPECT_NE(h.run("INFO persistence").find("aof_enabled:1\r\n"), std::string::npos);
}

TEST_F(KvAofLog, ExpiredKeysTheServerDeletesAreLoggedAsDel) {
  Harness h(options());
  EXPECT_EQ(h.run("CONFIG SET appendonly yes"), "+OK");
  const std::string at = std::to_string(h.clock->now_ms() + 100);
  h.run("SET lazy v PX 100");
  h.run("SELECT 4");
  h.run("SET active v PX 100");
  h.clock->advance_ms(200);
  h.run("SELECT 0");
  EXPECT_EQ(h.run("GET lazy"), "(nil)");  // found expired by a read: DEL
  h.service->tick();                      // active expiry: DEL
  sync(h);
  const std::vector<std::string> expected = {
      "SELECT 0", "SET lazy v PXAT " + at,
      "SELECT 4", "SET active v PXAT " + at,
      "SELECT 0", "DEL lazy",
      "SELECT 4", "DEL active",
  };
  EXPECT_EQ(records(), expected);
}

TEST_F(KvAofLog, EvictedKeysAreLoggedAsDel) {
  Harness h(options());
  EXPECT_EQ(h.run("CONFIG SET appendonly yes"), "+OK");
  h.run("SET old " + std::string(100, 'x'));
  EXPECT_EQ(h.run("CONFIG SET maxmemory-policy allkeys-random"), "+OK");
  EXPECT_EQ(h.run("CONFIG SET maxmemory 1"), "+OK");  // every command now evicts first
  h.run("PING");
  EXPECT_EQ(h.run("DBSIZE"), ":0");
  sync(h);
  const std::vector<std::string> expected = {"SELECT 0", "SET old " + std::string(100, 'x'),
                                             "DEL old"};
  EXPECT_EQ(records(), expected);
}

TEST_F(KvAofLog, LoadsWhatItLoggedAndDropsATruncatedTail) {
  {
    Harness h(with_options([&](KvOptions& o) {
      o.dir = dir_.string();
      o.appendonly = true;
    }));
    ASSERT_TRUE(h.service->load_at_start());
    h.run("SET a 1");
    h.run("RPUSH l x y");
    h.run("SELECT 5");
    h.run("SET b 2");
    sync(h);
  }
  {
    std::ofstream out(incr(), std::ios::binary | std::ios::app);
    out << "*1\r\n$5\r\nMULTI\r\n" << record({"SET", "a", "changed"}) << "*2\r\n$3\r\nDEL";
  }
  const auto whole = std::filesystem::file_size(incr());
  Harness h(with_options([&](KvOptions& o) {
    o.dir = dir_.string();
    o.appendonly = true;
  }));
  auto loaded = h.service->load_at_start();
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(h.run("GET a"), "\"1\"");  // the MULTI left open is dropped with the tail
  EXPECT_EQ(h.run("LRANGE l 0 -1"), "[\"x\", \"y\"]");
  EXPECT_EQ(h.run("SELECT 5"), "+OK");
  EXPECT_EQ(h.run("GET b"), "\"2\"");
  EXPECT_LT(std::filesystem::file_size(incr()), whole);
}

TEST_F(KvAofLog, LoadingIgnoresMaxmemoryAndRequirepass) {
  {
    Harness h(with_options([&](KvOptions& o) {
      o.dir = dir_.string();
      o.appendonly = true;
    }));
    ASSERT_TRUE(h.service->load_at_start());
    h.run("SET a " + std::string(1000, 'x'));
    h.run("SET b " + std::string(1000, 'y'));
    sync(h);
  }
  Harness h(with_options([&](KvOptions& o) {
    o.dir = dir_.string();
    o.appendonly = true;
    o.maxmemory = 1;
    o.requirepass = "secret";
  }));
  ASSERT_TRUE(h.service->load_at_start());
  EXPECT_EQ(h.run("AUTH secret"), "+OK");
  EXPECT_EQ(h.run("STRLEN a"), ":1000");
  EXPECT_EQ(h.run("STRLEN b"), ":1000");  // past maxmemory already: loaded all the same
}

TEST_F(KvAofLog, ACorruptRecordStopsTheLoadWithItsOffset) {
  {
    Harness h(with_options([&](KvOptions& o) {
      o.dir = dir_.string();
      o.appendonly = true;
    }));
    ASSERT_TRUE(h.service->load_at_start());
    h.run("SET a 1");
    sync(h);
  }
  const auto size = std::filesystem::file_size(incr());
  {
    std::ofstream out(incr(), std::ios::binary | std::ios::app);
    out << "garbage\r\n" << record({"SET", "b", "2"});
  }
  Harness h(with_options([&](KvOptions& o) {
    o.dir = dir_.string();
    o.appendonly = true;
  }));
  auto loaded = h.service->load_at_start();
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().context().find("at offset " + std::to_string(size)), std::string::npos)
      << loaded.error().context();
  EXPECT_NE(loaded.error().context().find("redis-check-aof --fix"), std::string::npos);
}

}  // namespace
}  // namespace tcpkit::kv
