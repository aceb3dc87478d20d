// Dict: progressive rehashing keeps every key through growth and shrinking; SCAN's cursor
// returns every key present for the whole walk at least once, even across resizes. And the
// number parsing of text.hpp.

#include "kv/dict.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "kv/text.hpp"
#include "kv_test_support.hpp"
#include "tcpkit/codec/parse_int.hpp"

namespace tcpkit::kv::testing {
namespace {

using IntDict = Dict<std::string, int>;

TEST(KvDict, KeysSurviveGrowthWhileRehashing) {
  IntDict d;
  bool saw_rehash = false;
  for (int i = 0; i < 20000; ++i) {
    d.insert_new("k" + std::to_string(i), i);
    saw_rehash |= d.rehashing();
    if (i % 97 == 0) {  // lookups in the middle of a rehash see both tables
      for (int j = 0; j <= i; j += 101) {
        auto* e = d.find("k" + std::to_string(j));
        ASSERT_NE(e, nullptr) << j;
        ASSERT_EQ(e->value, j);
      }
    }
  }
  EXPECT_TRUE(saw_rehash);
  EXPECT_EQ(d.size(), 20000u);
  for (int i = 0; i < 20000; ++i) ASSERT_NE(d.find("k" + std::to_string(i)), nullptr);
  for (int i = 0; i < 20000; i += 2) ASSERT_TRUE(d.erase("k" + std::to_string(i)));
  EXPECT_FALSE(d.erase("k0"));
  EXPECT_EQ(d.size(), 10000u);
  for (int i = 0; i < 19000; ++i) d.erase("k" + std::to_string(i));
  d.shrink_if_sparse();
  EXPECT_TRUE(d.rehashing());
  for (int i = 19001; i < 20000; i += 2) ASSERT_NE(d.find("k" + std::to_string(i)), nullptr);
}

TEST(KvDict, ScanDuringRehashReturnsEveryStableKey) {
  IntDict d;
  for (int i = 0; i < 1000; ++i) d.insert_new("stable" + std::to_string(i), i);
  std::set<std::string> seen;
  std::uint64_t cursor = 0;
  int step = 0;
  bool scanned_while_rehashing = false;
  do {
    cursor = d.scan(cursor, [&](const IntDict::Entry& e) { seen.insert(std::string(e.key)); });
    scanned_while_rehashing |= d.rehashing();
    // Grow the table (several doublings) between the first calls; the stable keys must all
    // be seen although the cursor's table changed size under it.
    for (int j = 0; j < 100 && step < 60; ++j) {
      d.insert_new("extra" + std::to_string(step * 100 + j), 0);
    }
    ++step;
  } while (cursor != 0);
  EXPECT_TRUE(scanned_while_rehashing);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count("stable" + std::to_string(i))) << i;
}

TEST(KvDict, ScanAcrossShrinkReturnsEveryStableKey) {
  IntDict d;
  for (int i = 0; i < 4000; ++i) d.insert_new("gone" + std::to_string(i), i);
  for (int i = 0; i < 100; ++i) d.insert_new("stable" + std::to_string(i), i);
  std::set<std::string> seen;
  std::uint64_t cursor = 0;
  int removed = 0;
  do {
    cursor = d.scan(cursor, [&](const IntDict::Entry& e) { seen.insert(std::string(e.key)); });
    for (int j = 0; j < 200 && removed < 4000; ++j) d.erase("gone" + std::to_string(removed++));
    d.shrink_if_sparse();
  } while (cursor != 0);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(seen.count("stable" + std::to_string(i))) << i;
}

TEST(KvDict, RandomEntryFindsElements) {
  IntDict d;
  std::mt19937_64 rng(1);
  EXPECT_EQ(d.random_entry(rng), nullptr);
  for (int i = 0; i < 50; ++i) d.insert_new(std::to_string(i), i);
  std::set<int> picked;
  for (int i = 0; i < 2000; ++i) picked.insert(d.random_entry(rng)->value);
  EXPECT_GT(picked.size(), 40u);
}

// kv takes integers exactly as the RESP codec does: one parser (codec::parse_int64).
TEST(KvText, ParseIntIsTheCodecParser) {
  for (std::string_view s :
       {"0", "-0", "1", "-1", "007", "+5", " 5", "5 ", "1a", "", "-", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "99999999999999999999", "123456789012345678901"}) {
    std::int64_t want = 0;
    const bool ok = codec::parse_int64(s, want);
    EXPECT_EQ(parse_int(s).has_value(), ok) << s;
    if (ok) {
      EXPECT_EQ(*parse_int(s), want) << s;
    }
  }
}

TEST(KvText, NumbersLikeRedis) {
  EXPECT_EQ(parse_int("0"), 0);
  EXPECT_EQ(parse_int("-12"), -12);
  EXPECT_FALSE(parse_int("012"));
  EXPECT_FALSE(parse_int("+1"));
  EXPECT_FALSE(parse_int("-0"));
  EXPECT_FALSE(parse_int(" 1"));
  EXPECT_FALSE(parse_int("9223372036854775808"));
  EXPECT_EQ(parse_int("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(format_long_double(3.0L), "3");
  EXPECT_EQ(format_long_double(1.5L), "1.5");
  EXPECT_EQ(format_long_double(-0.0L), "0");
  EXPECT_FALSE(parse_long_double(" 1"));
  EXPECT_FALSE(parse_long_double("1x"));
  EXPECT_TRUE(parse_long_double("1e10"));
}

}  // namespace
}  // namespace tcpkit::kv::testing
