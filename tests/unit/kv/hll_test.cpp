// HyperLogLog commands: replies and errors as redis-server 7.0.15 gives them. Counts are the
// oracle's exactly (same hash, register rule and estimator); the byte layout is kv's own.

#include "kv/hll.hpp"

#include <gtest/gtest.h>

#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

const std::string kWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";
const std::string kNotHll = "-WRONGTYPE Key is not a valid HyperLogLog string value.";

// PFADD key e0 .. e{n-1} with the elements named prefix + i.
std::string add_many(Harness& h, const std::string& key, int n, const std::string& prefix) {
  std::vector<std::string> args = {"PFADD", key};
  for (int i = 0; i < n; ++i) args.push_back(prefix + std::to_string(i));
  return h.run_args(args);
}

TEST(KvHll, AddAndCount) {
  Harness h;
  EXPECT_EQ(h.run("PFADD h a b c"), ":1");
  EXPECT_EQ(h.run("PFADD h a"), ":0");
  EXPECT_EQ(h.run("PFADD h"), ":0");
  EXPECT_EQ(h.run("PFCOUNT h"), ":3");
  EXPECT_EQ(h.run("PFADD empty"), ":1");  // created, even with no element
  EXPECT_EQ(h.run("PFCOUNT empty"), ":0");
  EXPECT_EQ(h.run("PFCOUNT nokey"), ":0");
  EXPECT_EQ(h.run("PFCOUNT h nokey"), ":3");
  EXPECT_EQ(h.run("TYPE h"), "+string");
  EXPECT_EQ(h.run("OBJECT ENCODING h"), "\"raw\"");
  EXPECT_EQ(h.run("PFCOUNT"), "-ERR wrong number of arguments for 'pfcount' command");
  EXPECT_EQ(h.run("PFADD"), "-ERR wrong number of arguments for 'pfadd' command");
}

// Values redis-server 7.0.15 answers for the same adds (Ertl's estimator, as Redis 5+).
TEST(KvHll, CountsEqualRedis) {
  Harness h;
  add_many(h, "small", 100, "x");
  EXPECT_EQ(h.run("PFCOUNT small"), ":99");
  add_many(h, "mid", 2000, "x");  // past the sparse limit: dense
  EXPECT_EQ(h.run("PFCOUNT mid"), ":1990");
  add_many(h, "big", 20000, "x");
  EXPECT_EQ(h.run("PFCOUNT big"), ":19985");
  EXPECT_EQ(h.run("PFCOUNT small mid big"), ":19985");
  add_many(h, "other", 5000, "y");
  EXPECT_EQ(h.run("PFCOUNT mid other"), ":6961");
  EXPECT_EQ(h.run("PFMERGE m mid other"), "+OK");
  EXPECT_EQ(h.run("PFCOUNT m"), ":6961");
}

TEST(KvHll, Merge) {
  Harness h;
  h.run("PFADD a 1 2 3");
  h.run("PFADD b 3 4 5");
  EXPECT_EQ(h.run("PFMERGE d a b nokey"), "+OK");
  EXPECT_EQ(h.run("PFCOUNT d"), ":5");
  EXPECT_EQ(h.run("PFMERGE d"), "+OK");  // the destination is merged too
  EXPECT_EQ(h.run("PFCOUNT d"), ":5");
  EXPECT_EQ(h.run("PFMERGE fresh"), "+OK");
  EXPECT_EQ(h.run("EXISTS fresh"), ":1");
  EXPECT_EQ(h.run("PFCOUNT fresh"), ":0");
  EXPECT_EQ(h.run("PFMERGE"), "-ERR wrong number of arguments for 'pfmerge' command");
}

TEST(KvHll, NotASketch) {
  Harness h;
  h.run("SET s foo");
  h.run("SET magic TKHL");  // our magic but too short for a header
  h.run("PFADD h a");
  h.run("RPUSH l a");
  for (const char* line :
       {"PFADD s a", "PFCOUNT s", "PFCOUNT h s", "PFMERGE s", "PFMERGE d s", "PFADD magic a"}) {
    EXPECT_EQ(h.run(line), kNotHll) << line;
  }
  EXPECT_EQ(h.run("EXISTS d"), ":0");  // a failed merge creates nothing
  for (const char* line : {"PFADD l a", "PFCOUNT l", "PFCOUNT h l", "PFMERGE l h", "PFMERGE h l"}) {
    EXPECT_EQ(h.run(line), kWrongType) << line;
  }
  // A sketch header over a broken body: Redis's INVALIDOBJ.
  std::string sketch = hll::make_empty();
  sketch += std::string("\x00\x00\x41\x00\x00\x41", 6);  // register 1 twice: unsorted
  h.run_args({"SET", "bad", sketch});
  EXPECT_EQ(h.run("PFCOUNT bad"), "-INVALIDOBJ Corrupted HLL object detected");
  h.run_args({"SET", "bad", hll::make_empty() + "xy"});
  EXPECT_EQ(h.run("PFADD bad a"), "-INVALIDOBJ Corrupted HLL object detected");
}

TEST(KvHll, SparseUntilItsLimitThenDense) {
  Harness h;
  h.run("PFADD h a b c");
  EXPECT_EQ(h.run("STRLEN h"), ":25");  // 16-byte header, 3 bytes per register
  add_many(h, "h", 1500, "e");
  EXPECT_EQ(h.run("STRLEN h"), ":12304");  // dense: 16384 registers of 6 bits
  EXPECT_EQ(h.run("PFCOUNT h"), ":1513");
  EXPECT_EQ(hll::check(h.run("GET h").substr(1, 12304)), hll::Check::kOk);
}

TEST(KvHll, MurmurAndSlots) {
  // MurmurHash64A reference values (seed 0).
  EXPECT_EQ(hll::murmur64a("", 0), 0u);
  const hll::Slot s = hll::slot_of("a");
  EXPECT_LT(s.index, hll::kRegisters);
  EXPECT_GE(s.count, 1);
  EXPECT_LE(s.count, 51);
  hll::Registers regs{};
  EXPECT_EQ(hll::estimate(regs), 0u);
}

// PFCOUNT of one key refreshes its cache and counts as a write for WATCH, as in Redis; a
// cached count, a multi-key count and a PFADD that changes nothing do not.
TEST(KvHll, WatchAndTheCache) {
  Harness h;
  auto other = h.open(2);
  const auto watch_then = [&](const std::string& line) {
    h.run("WATCH h");
    h.run(line, other.get());
    h.run("MULTI");
    h.run("PING");
    return h.run("EXEC");
  };
  h.run("PFADD h a b");
  EXPECT_EQ(watch_then("PFCOUNT h"), "(nil-array)");  // cache refreshed
  EXPECT_EQ(watch_then("PFCOUNT h"), "[+PONG]");      // cached
  EXPECT_EQ(watch_then("PFCOUNT h nokey"), "[+PONG]");
  EXPECT_EQ(watch_then("PFADD h a"), "[+PONG]");
  EXPECT_EQ(watch_then("PFADD h zz"), "(nil-array)");
  EXPECT_EQ(watch_then("PFMERGE h"), "(nil-array)");
}

TEST(KvHll, CopyRenameExpire) {
  Harness h;
  h.run("PFADD h a b c");
  EXPECT_EQ(h.run("COPY h h2"), ":1");
  h.run("PFADD h2 d");
  EXPECT_EQ(h.run("PFCOUNT h"), ":3");
  EXPECT_EQ(h.run("PFCOUNT h2"), ":4");
  EXPECT_EQ(h.run("RENAME h2 h3"), "+OK");
  EXPECT_EQ(h.run("PFCOUNT h3"), ":4");
  h.run("RPUSH l x");
  const std::string scan = h.run("SCAN 0 TYPE string");
  EXPECT_TRUE(scan == "[\"0\", [\"h\", \"h3\"]]" || scan == "[\"0\", [\"h3\", \"h\"]]") << scan;
}

TEST(KvHll, OomRefusesAddAndMerge) {
  Harness h(with_options([](KvOptions& o) { o.maxmemory = 1; }));
  const std::string oom = "-OOM command not allowed when used memory > 'maxmemory'.";
  EXPECT_EQ(h.run("PFADD h a"), oom);
  EXPECT_EQ(h.run("PFMERGE h"), oom);
  EXPECT_EQ(h.run("PFCOUNT h"), ":0");
}

TEST(KvHll, MemoryAccounting) {
  Harness h;
  const std::size_t empty = h.service->store().used_memory();
  add_many(h, "h", 3000, "e");
  EXPECT_GT(h.service->store().used_memory(), empty + 12000);
  h.run("DEL h");
  EXPECT_LE(h.service->store().used_memory(), empty + 1024);
}

TEST(KvHll, CommandTable) {
  // Up to the key specs (tests/differential/command_info.py compares whole entries).
  Harness h;
  EXPECT_TRUE(h.run("COMMAND INFO pfadd")
                  .starts_with("[[\"pfadd\", :-2, [+write, +denyoom, +fast], :1, :1, :1, [+@write, "
                               "+@hyperloglog, +@fast], [], [["));
  EXPECT_TRUE(h.run("COMMAND INFO pfcount")
                  .starts_with("[[\"pfcount\", :-2, [+readonly], :1, :-1, :1, [+@read, "
                               "+@hyperloglog, +@slow], [], [["));
  EXPECT_TRUE(h.run("COMMAND INFO pfmerge")
                  .starts_with("[[\"pfmerge\", :-2, [+write, +denyoom], :1, :-1, :1, [+@write, "
                               "+@hyperloglog, +@slow], [], [["));
}

}  // namespace
}  // namespace tcpkit::kv::testing
