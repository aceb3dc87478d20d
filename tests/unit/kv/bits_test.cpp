// Bitmap commands, BITFIELD, LCS and SUBSTR: replies and errors as redis-server 7.0.15 gives
// them (each expectation was asked of it), and the regressions the differential found.

#include "kv/bits.hpp"

#include <gtest/gtest.h>

#include "kv/lcs.hpp"
#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

const std::string kWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";
const std::string kBitOffset = "-ERR bit offset is not an integer or out of range";
const std::string kNotInteger = "-ERR value is not an integer or out of range";
const std::string kSyntax = "-ERR syntax error";
const std::string kFieldType =
    "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.";

// A reply of one bulk string holding `bytes`.
std::string bulk(std::string_view bytes) { return "\"" + std::string(bytes) + "\""; }

TEST(KvBits, SetbitGetbit) {
  Harness h;
  EXPECT_EQ(h.run("SETBIT k 7 1"), ":0");
  EXPECT_EQ(h.run("SETBIT k 7 1"), ":1");
  EXPECT_EQ(h.run("GET k"), bulk("\x01"));
  EXPECT_EQ(h.run("SETBIT k 9 1"), ":0");
  EXPECT_EQ(h.run("GET k"), bulk(std::string("\x01\x40", 2)));
  EXPECT_EQ(h.run("GETBIT k 9"), ":1");
  EXPECT_EQ(h.run("GETBIT k 100"), ":0");
  EXPECT_EQ(h.run("GETBIT nokey 1"), ":0");
  EXPECT_EQ(h.run("GETBIT k 4294967295"), ":0");
  for (const char* line : {"SETBIT k -1 1", "SETBIT k 4294967296 1", "SETBIT k x 1",
                           "SETBIT k -0 1", "GETBIT k -1", "GETBIT k 4294967296", "GETBIT k +1"}) {
    EXPECT_EQ(h.run(line), kBitOffset) << line;
  }
  for (const char* line : {"SETBIT k 7 2", "SETBIT k 1 x", "SETBIT k 1 -0", "SETBIT k 1 -1"}) {
    EXPECT_EQ(h.run(line), "-ERR bit is not an integer or out of range") << line;
  }
  EXPECT_EQ(h.run("SETBIT k 1"), "-ERR wrong number of arguments for 'setbit' command");
}

TEST(KvBits, OffsetLimitFollowsProtoMaxBulkLen) {
  Harness h;
  h.run("CONFIG SET proto-max-bulk-len 1mb");
  EXPECT_EQ(h.run("SETBIT big 8388607 1"), ":0");
  EXPECT_EQ(h.run("STRLEN big"), ":1048576");
  EXPECT_EQ(h.run("SETBIT big 8388608 1"), kBitOffset);
  // A field may end past the limit, as in Redis: only its first bit is checked.
  EXPECT_EQ(h.run("BITFIELD big SET u8 8388601 1"), "[:2]");  // SET replies the old value
  EXPECT_EQ(h.run("STRLEN big"), ":1048577");
}

TEST(KvBits, SetbitMakesRaw) {
  Harness h;
  h.run("SET i 12345");
  EXPECT_EQ(h.run("OBJECT ENCODING i"), "\"int\"");
  EXPECT_EQ(h.run("SETBIT i 0 0"), ":0");  // no bit changed, still raw
  EXPECT_EQ(h.run("OBJECT ENCODING i"), "\"raw\"");
  EXPECT_EQ(h.run("GET i"), "\"12345\"");
  h.run("SETBIT n 0 1");
  EXPECT_EQ(h.run("OBJECT ENCODING n"), "\"raw\"");
  EXPECT_EQ(h.run("TYPE n"), "+string");
}

TEST(KvBits, Bitcount) {
  Harness h;
  h.run("SET s foo");
  EXPECT_EQ(h.run("BITCOUNT s"), ":16");
  EXPECT_EQ(h.run("BITCOUNT s 0 1"), ":10");
  EXPECT_EQ(h.run("BITCOUNT s 0 1 BYTE"), ":10");
  EXPECT_EQ(h.run("BITCOUNT s 0 1 bit"), ":1");
  EXPECT_EQ(h.run("BITCOUNT s -2 -1 BiT"), ":2");
  EXPECT_EQ(h.run("BITCOUNT s -5 -4 bit"), ":1");
  EXPECT_EQ(h.run("BITCOUNT s 1 0"), ":0");
  EXPECT_EQ(h.run("BITCOUNT s -200 -100"), ":4");    // both clamp to byte 0
  EXPECT_EQ(h.run("BITCOUNT s -100 -200"), ":0");    // crossed from the end: empty
  EXPECT_EQ(h.run("BITCOUNT s -1 -100 foo"), ":0");  // ... even before the mode is read
  EXPECT_EQ(h.run("BITCOUNT s 0 9223372036854775807"), ":16");
  EXPECT_EQ(h.run("BITCOUNT s -9223372036854775808 -1"), ":16");
  EXPECT_EQ(h.run("BITCOUNT s 0"), kSyntax);
  EXPECT_EQ(h.run("BITCOUNT s 0 1 2 3"), kSyntax);
  EXPECT_EQ(h.run("BITCOUNT s 0 1 foo"), kSyntax);
  EXPECT_EQ(h.run("BITCOUNT s x 1"), kNotInteger);
  EXPECT_EQ(h.run("BITCOUNT s 0 x foo"), kNotInteger);
  // The key comes first: a missing key answers 0 whatever follows.
  EXPECT_EQ(h.run("BITCOUNT nokey 0 x"), ":0");
  EXPECT_EQ(h.run("BITCOUNT nokey 0"), ":0");
  h.run("SET e \"\"");
  EXPECT_EQ(h.run("BITCOUNT e"), ":0");
  EXPECT_EQ(h.run("BITCOUNT e 0 -1"), ":0");
  std::string big(1000, '\xff');
  h.run_args({"SET", "big", big});
  EXPECT_EQ(h.run("BITCOUNT big"), ":8000");
  EXPECT_EQ(h.run("BITCOUNT big 3 997 bit"), ":995");
}

TEST(KvBits, Bitpos) {
  Harness h;
  h.run_args({"SET", "z", "\xff\xff"});
  EXPECT_EQ(h.run("BITPOS z 0"), ":16");  // no end: as if followed by zeros
  EXPECT_EQ(h.run("BITPOS z 0 1"), ":16");
  EXPECT_EQ(h.run("BITPOS z 0 0 -1"), ":-1");  // an end: only the range
  EXPECT_EQ(h.run("BITPOS z 0 0 15 bit"), ":-1");
  EXPECT_EQ(h.run("BITPOS z 1 3 2"), ":-1");
  h.run_args({"SET", "w", std::string("\x00\xff\xf0", 3)});
  EXPECT_EQ(h.run("BITPOS w 1"), ":8");
  EXPECT_EQ(h.run("BITPOS w 0 1"), ":20");
  EXPECT_EQ(h.run("BITPOS w 0 8 19 bit"), ":-1");
  EXPECT_EQ(h.run("BITPOS w 0 8 20 bit"), ":20");
  EXPECT_EQ(h.run("BITPOS w 1 -1"), ":16");
  h.run("SET s foo");
  EXPECT_EQ(h.run("BITPOS s 1 -100 -200"), ":1");  // no crossed-range rule here
  EXPECT_EQ(h.run("BITPOS s 1 -100 -200 bit"), ":-1");
  EXPECT_EQ(h.run("BITPOS nokey 0"), ":0");
  EXPECT_EQ(h.run("BITPOS nokey 1"), ":-1");
  EXPECT_EQ(h.run("BITPOS nokey 1 x"), ":-1");
  h.run("SET e \"\"");
  EXPECT_EQ(h.run("BITPOS e 0"), ":-1");
  EXPECT_EQ(h.run("BITPOS s 2"), "-ERR The bit argument must be 1 or 0.");
  EXPECT_EQ(h.run("BITPOS nokey 3"), "-ERR The bit argument must be 1 or 0.");
  EXPECT_EQ(h.run("BITPOS s x"), kNotInteger);
  EXPECT_EQ(h.run("BITPOS s 1 x"), kNotInteger);
  EXPECT_EQ(h.run("BITPOS s 0 3 bit"), kNotInteger);
  EXPECT_EQ(h.run("BITPOS s 1 0 x foo"), kSyntax);  // the mode is read before the end
  EXPECT_EQ(h.run("BITPOS s 1 0 x bit"), kNotInteger);
  EXPECT_EQ(h.run("BITPOS s 1 0 1 2 3"), kSyntax);
}

TEST(KvBits, Bitop) {
  Harness h;
  h.run_args({"SET", "a", "\x0f\xf0"});
  h.run_args({"SET", "b", "\xff"});
  EXPECT_EQ(h.run("BITOP AND d a b"), ":2");
  EXPECT_EQ(h.run("GET d"), bulk(std::string("\x0f\x00", 2)));
  EXPECT_EQ(h.run("BITOP or d a b"), ":2");
  EXPECT_EQ(h.run("GET d"), bulk("\xff\xf0"));
  EXPECT_EQ(h.run("BITOP XOR d a b"), ":2");
  EXPECT_EQ(h.run("GET d"), bulk("\xf0\xf0"));
  EXPECT_EQ(h.run("BITOP NOT d a"), ":2");
  EXPECT_EQ(h.run("GET d"), bulk("\xf0\x0f"));
  EXPECT_EQ(h.run("OBJECT ENCODING d"), "\"raw\"");
  EXPECT_EQ(h.run("BITOP AND d a nokey"), ":2");
  EXPECT_EQ(h.run("GET d"), bulk(std::string("\x00\x00", 2)));
  EXPECT_EQ(h.run("BITOP AND d nokey nokey2"), ":0");  // empty: destkey deleted
  EXPECT_EQ(h.run("EXISTS d"), ":0");
  EXPECT_EQ(h.run("BITOP NOT d a b"), "-ERR BITOP NOT must be called with a single source key.");
  EXPECT_EQ(h.run("BITOP foo d a"), kSyntax);
  EXPECT_EQ(h.run("BITOP AND d"), "-ERR wrong number of arguments for 'bitop' command");
  h.run("RPUSH l x");
  EXPECT_EQ(h.run("BITOP AND d a l"), kWrongType);
  EXPECT_EQ(h.run("BITOP AND l a"), ":2");  // the destination's type does not matter
  EXPECT_EQ(h.run("TYPE l"), "+string");
}

TEST(KvBits, Bitfield) {
  Harness h;
  EXPECT_EQ(h.run("BITFIELD k"), "[]");
  EXPECT_EQ(h.run("BITFIELD k SET u8 0 255 GET u8 0 INCRBY u8 0 10"), "[:0, :255, :9]");
  EXPECT_EQ(h.run("BITFIELD k overflow sat incrby u8 0 250 overflow fail incrby u8 0 10 "
                  "overflow wrap incrby u8 0 10"),
            "[:255, (nil), :9]");
  EXPECT_EQ(h.run("BITFIELD k SET u8 #1 3 GET u1 15 GET i1 15 GET u4 12 GET i4 12"),
            "[:0, :1, :-1, :3, :3]");
  EXPECT_EQ(h.run("BITFIELD k SET i64 0 -9223372036854775808 GET i64 0"),
            "[:649362771271483392, :-9223372036854775808]");
  EXPECT_EQ(h.run("BITFIELD k SET u63 0 9223372036854775807 GET u63 0 INCRBY u63 0 1"),
            "[:4611686018427387904, :9223372036854775807, :0]");
  // An unsigned SET reads its value as a uint64: -5 saturates to 255.
  EXPECT_EQ(h.run("BITFIELD k OVERFLOW SAT SET u8 0 -5 SET u8 0 300 SET i8 0 -300 GET i8 0"),
            "[:0, :255, :-1, :-128]");
  EXPECT_EQ(h.run("BITFIELD k OVERFLOW SAT INCRBY u8 0 -300 OVERFLOW WRAP INCRBY u8 0 -300"),
            "[:0, :212]");
  EXPECT_EQ(h.run("BITFIELD k OVERFLOW FAIL SET u8 0 -5 SET i8 0 128"), "[(nil), (nil)]");
  // Regression (differential seed 5): Redis's check wraps max - value, so SAT saturates a
  // huge negative SET of a narrow signed field to the maximum.
  EXPECT_EQ(h.run("BITFIELD sat OVERFLOW SAT SET i1 7 -9223372036854775808 GET i1 7"), "[:0, :0]");
  EXPECT_EQ(h.run("BITFIELD sat OVERFLOW SAT SET i8 0 -200 GET i8 0"), "[:0, :-128]");
  EXPECT_EQ(h.run("BITFIELD i64 OVERFLOW SAT INCRBY i64 0 -9223372036854775808 "
                  "INCRBY i64 0 -1 OVERFLOW WRAP INCRBY i64 0 -1"),
            "[:-9223372036854775808, :-9223372036854775808, :9223372036854775807]");
}

TEST(KvBits, BitfieldErrors) {
  Harness h;
  h.run("RPUSH l x");
  for (const char* type : {"u64", "i65", "u0", "i0", "x8", "I8", "u08", "u"}) {
    EXPECT_EQ(h.run(std::string("BITFIELD k GET ") + type + " 0"), kFieldType) << type;
  }
  for (const char* at :
       {"-1", "#-1", "#x", "#", "x", "-0", "+1", "#+1", "4294967296", "#536870912"}) {
    EXPECT_EQ(h.run(std::string("BITFIELD k GET u8 ") + at), kBitOffset) << at;
  }
  EXPECT_EQ(h.run("BITFIELD k GET u8 #536870911"), "[:0]");
  EXPECT_EQ(h.run("BITFIELD k SET u8 0 x"), kNotInteger);
  EXPECT_EQ(h.run("BITFIELD k SET i64 0 9223372036854775808"), kNotInteger);
  EXPECT_EQ(h.run("BITFIELD k OVERFLOW foo"), "-ERR Invalid OVERFLOW type specified");
  for (const char* line : {"BITFIELD k foo", "BITFIELD k GET u8", "BITFIELD k SET u8 0",
                           "BITFIELD k OVERFLOW", "BITFIELD k GET u8 0 foo"}) {
    EXPECT_EQ(h.run(line), kSyntax) << line;
  }
  EXPECT_EQ(h.run("BITFIELD l GET u8 0"), kWrongType);
  EXPECT_EQ(h.run("BITFIELD l GET u8 x"), kBitOffset);  // arguments before the key
  EXPECT_EQ(h.run("EXISTS k"), ":0");
}

TEST(KvBits, BitfieldRo) {
  Harness h;
  h.run("SET k x");
  EXPECT_EQ(h.run("BITFIELD_RO k GET u8 0"), "[:120]");
  EXPECT_EQ(h.run("BITFIELD_RO k OVERFLOW WRAP GET u8 0"), "[:120]");
  EXPECT_EQ(h.run("BITFIELD_RO k"), "[]");
  EXPECT_EQ(h.run("BITFIELD_RO nokey GET u8 0"), "[:0]");
  const std::string ro = "-ERR BITFIELD_RO only supports the GET subcommand";
  EXPECT_EQ(h.run("BITFIELD_RO k SET u8 0 1"), ro);
  EXPECT_EQ(h.run("BITFIELD_RO k INCRBY u8 0 1"), ro);
  EXPECT_EQ(h.run("BITFIELD_RO k SET u8 0 1 GET x8 0"), kFieldType);  // parsed whole first
  EXPECT_EQ(h.run("BITFIELD_RO k SET u8 0 1 foo"), kSyntax);
}

TEST(KvBits, BitfieldCreatesAndGrowsEvenWhenFailing) {
  Harness h;
  EXPECT_EQ(h.run("BITFIELD nk OVERFLOW FAIL INCRBY u8 8 300"), "[(nil)]");
  EXPECT_EQ(h.run("GET nk"), bulk(std::string(2, '\0')));
  EXPECT_EQ(h.run("BITFIELD nk3 GET u8 100"), "[:0]");
  EXPECT_EQ(h.run("EXISTS nk3"), ":0");
  h.run("SET i 12345");
  h.run("BITFIELD i GET u8 0");
  EXPECT_EQ(h.run("OBJECT ENCODING i"), "\"int\"");
  h.run("BITFIELD i OVERFLOW FAIL INCRBY u8 0 1000");
  EXPECT_EQ(h.run("OBJECT ENCODING i"), "\"raw\"");
}

// Redis bumps WATCH for a BITFIELD that wrote, not for one whose writes were all refused.
TEST(KvBits, WatchSeesOnlyRealWrites) {
  Harness h;
  auto other = h.open(2);
  h.run("SET k x");
  h.run("WATCH k");
  h.run("BITFIELD k OVERFLOW FAIL INCRBY u8 0 1000", other.get());
  h.run("BITFIELD k GET u8 0", other.get());
  h.run("MULTI");
  h.run("PING");
  EXPECT_EQ(h.run("EXEC"), "[+PONG]");
  h.run("WATCH k");
  h.run("SETBIT k 0 0", other.get());  // the bit is 0 already: no write (redis-server 7.0.15)
  h.run("MULTI");
  h.run("PING");
  EXPECT_EQ(h.run("EXEC"), "[+PONG]");
  h.run("WATCH k");
  h.run("SETBIT k 0 1", other.get());
  h.run("MULTI");
  h.run("PING");
  EXPECT_EQ(h.run("EXEC"), "(nil-array)");
}

TEST(KvBits, Lcs) {
  Harness h;
  h.run("SET k1 ohmytext");
  h.run("SET k2 mynewtext");
  EXPECT_EQ(h.run("LCS k1 k2"), "\"mytext\"");
  EXPECT_EQ(h.run("LCS k1 k2 LEN"), ":6");
  EXPECT_EQ(h.run("LCS k1 k2 IDX"),
            "[\"matches\", [[[:4, :7], [:5, :8]], [[:2, :3], [:0, :1]]], \"len\", :6]");
  EXPECT_EQ(h.run("LCS k1 k2 idx minmatchlen 4 withmatchlen"),
            "[\"matches\", [[[:4, :7], [:5, :8], :4]], \"len\", :6]");
  EXPECT_EQ(h.run("LCS k1 k2 IDX MINMATCHLEN -5"),
            "[\"matches\", [[[:4, :7], [:5, :8]], [[:2, :3], [:0, :1]]], \"len\", :6]");
  EXPECT_EQ(h.run("LCS k1 k2 LEN WITHMATCHLEN"), ":6");
  EXPECT_EQ(h.run("LCS k1 nokey"), "\"\"");
  EXPECT_EQ(h.run("LCS nokey nokey2 IDX"), "[\"matches\", [], \"len\", :0]");
  EXPECT_EQ(h.run("LCS k1 k2 LEN IDX"),
            "-ERR If you want both the length and indexes, please just use IDX.");
  EXPECT_EQ(h.run("LCS k1 k2 foo"), kSyntax);
  EXPECT_EQ(h.run("LCS k1 k2 MINMATCHLEN"), kSyntax);
  EXPECT_EQ(h.run("LCS k1 k2 MINMATCHLEN x"), kNotInteger);
  h.run("RPUSH l x");
  EXPECT_EQ(h.run("LCS l k1 foo"), "-ERR The specified keys must contain string values");
  EXPECT_EQ(h.run("LCS k1"), "-ERR wrong number of arguments for 'lcs' command");
}

// Redis refuses when its table of 32-bit cells, (a+1)(b+1)·4 bytes, passes proto-max-bulk-len.
TEST(KvBits, LcsRefusesWhatRedisRefuses) {
  Harness h;
  h.run("CONFIG SET proto-max-bulk-len 1mb");
  h.run_args({"SET", "a", std::string(511, 'a')});
  h.run_args({"SET", "b", std::string(511, 'a')});
  EXPECT_EQ(h.run("LCS a b LEN"), ":511");
  h.run_args({"SET", "b", std::string(512, 'a')});
  EXPECT_EQ(h.run("LCS a b LEN"),
            "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  EXPECT_TRUE(lcs::fits(11500, 11500, 512u << 20));
  EXPECT_FALSE(lcs::fits(11600, 11600, 512u << 20));
  EXPECT_FALSE(lcs::fits(SIZE_MAX - 1, SIZE_MAX - 1, 512u << 20));  // no overflow
}

TEST(KvBits, LcsAgreesWithItsLength) {
  const std::string a = "abcbdabxxyzabcbdab", b = "bdcabazzabcyxbab";
  const lcs::Result r = lcs::compute(a, b, 0);
  EXPECT_EQ(r.length, lcs::length(a, b));
  EXPECT_EQ(r.common.size(), r.length);
  std::uint64_t in_runs = 0;
  for (const lcs::Match& m : r.matches) {
    EXPECT_EQ(a.substr(m.a_first, m.size()), b.substr(m.b_first, m.size()));
    in_runs += m.size();
  }
  EXPECT_EQ(in_runs, r.length);
}

TEST(KvBits, Substr) {
  Harness h;
  h.run("SET k ohmytext");
  EXPECT_EQ(h.run("SUBSTR k 0 2"), "\"ohm\"");
  EXPECT_EQ(h.run("SUBSTR k -3 -1"), "\"ext\"");
  EXPECT_EQ(h.run("SUBSTR nokey 0 2"), "\"\"");
  EXPECT_EQ(h.run("SUBSTR k x 2"), kNotInteger);
  h.run("RPUSH l x");
  EXPECT_EQ(h.run("SUBSTR l 0 1"), kWrongType);
}

TEST(KvBits, WrongTypeFromEveryCommand) {
  Harness h;
  h.run("HSET h f v");
  for (const char* line :
       {"SETBIT h 0 1", "GETBIT h 0", "BITCOUNT h", "BITCOUNT h 0 x", "BITPOS h 1", "BITPOS h 1 x",
        "BITOP OR d h", "BITFIELD h GET u8 0", "BITFIELD_RO h GET u8 0"}) {
    EXPECT_EQ(h.run(line), kWrongType) << line;
  }
}

TEST(KvBits, OomRefusesDenyoomWrites) {
  Harness h(with_options([](KvOptions& o) { o.maxmemory = 1; }));
  const std::string oom = "-OOM command not allowed when used memory > 'maxmemory'.";
  EXPECT_EQ(h.run("SETBIT k 0 1"), oom);
  EXPECT_EQ(h.run("BITOP OR d k"), oom);
  EXPECT_EQ(h.run("BITFIELD k GET u8 0"), oom);  // denyoom whatever the subcommands
  EXPECT_EQ(h.run("BITFIELD_RO k GET u8 0"), "[:0]");
  EXPECT_EQ(h.run("GETBIT k 0"), ":0");
}

TEST(KvBits, MemoryAccounting) {
  Harness h;
  const std::size_t empty = h.service->store().used_memory();
  h.run("SETBIT k 799999 1");
  EXPECT_GT(h.service->store().used_memory(), empty + 100000);
  h.run("DEL k");
  EXPECT_LE(h.service->store().used_memory(), empty + 1024);
}

TEST(KvBits, CommandTable) {
  // Up to the key specs (tests/differential/command_info.py compares whole entries).
  Harness h;
  EXPECT_TRUE(h.run("COMMAND INFO setbit")
                  .starts_with("[[\"setbit\", :4, [+write, +denyoom], :1, :1, :1, [+@write, "
                               "+@bitmap, +@slow], [], [["));
  EXPECT_TRUE(h.run("COMMAND INFO bitop")
                  .starts_with("[[\"bitop\", :-4, [+write, +denyoom], :2, :-1, :1, [+@write, "
                               "+@bitmap, +@slow], [], [["));
  EXPECT_TRUE(h.run("COMMAND INFO bitfield_ro")
                  .starts_with("[[\"bitfield_ro\", :-2, [+readonly, +fast], :1, :1, :1, [+@read, "
                               "+@bitmap, +@fast], [], [["));
  EXPECT_TRUE(
      h.run("COMMAND INFO lcs")
          .starts_with(
              "[[\"lcs\", :-3, [+readonly], :1, :2, :1, [+@read, +@string, +@slow], [], [["));
}

TEST(KvBits, FieldHelpers) {
  std::string s(2, '\0');
  const bits::FieldType i4{true, 4}, u4{false, 4};
  bits::set_field(s, 6, i4, -3);
  EXPECT_EQ(bits::get_field(s, 6, i4), -3);
  EXPECT_EQ(bits::get_field(s, 6, u4), 13);
  EXPECT_EQ(bits::fit_incr(u4, bits::Overflow::kWrap, 15, 1), 0);
  EXPECT_EQ(bits::fit_incr(i4, bits::Overflow::kSat, 7, 1), 7);
  EXPECT_EQ(bits::fit_incr(i4, bits::Overflow::kFail, -8, -1), std::nullopt);
  EXPECT_EQ(bits::find_bit(s, true, 0, 15), 6);
  EXPECT_EQ(bits::count_bits(s, 0, 15), 3u);
}

}  // namespace
}  // namespace tcpkit::kv::testing
