// CompactString: inline up to 15 bytes, heap beyond; every size change across the boundary and
// across capacity classes, views of itself as arguments, copies and moves, against std::string.

#include "kv/compact_string.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace tcpkit::kv::testing {
namespace {

std::string pattern(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('a' + i % 26));
  return s;
}

TEST(KvCompactString, SixteenBytesInlineUpToFifteen) {
  static_assert(sizeof(CompactString) == 16);
  CompactString s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.heap_bytes(), 0u);
  s.assign(pattern(15));
  EXPECT_EQ(s.view(), pattern(15));
  EXPECT_EQ(s.heap_bytes(), 0u);
  s.assign(pattern(16));
  EXPECT_EQ(s.view(), pattern(16));
  EXPECT_EQ(s.heap_bytes(), 24u);  // a 32-byte glibc chunk holds 24
  s.assign("");
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.heap_bytes(), 0u);
}

TEST(KvCompactString, CapacityIsAChunkBelowOneKibThenQuarterSteps) {
  EXPECT_EQ(CompactString::capacity_for(16), 24u);
  EXPECT_EQ(CompactString::capacity_for(24), 24u);
  EXPECT_EQ(CompactString::capacity_for(25), 40u);
  EXPECT_EQ(CompactString::capacity_for(64), 72u);
  EXPECT_EQ(CompactString::capacity_for(1024), 1032u);
  EXPECT_EQ(CompactString::capacity_for(1025), 1280u);
  EXPECT_EQ(CompactString::capacity_for(1u << 20), 1u << 20);
  EXPECT_EQ(CompactString::capacity_for((1u << 20) + 1), (1u << 20) + (1u << 18));
  for (std::size_t n = 16; n < 5000; ++n) ASSERT_GE(CompactString::capacity_for(n), n) << n;
}

// Appends and resizes one byte at a time from 0 to 3000 bytes and back, checked against
// std::string at every step (every inline/heap and capacity-class boundary on the way).
TEST(KvCompactString, GrowsAndShrinksLikeStdString) {
  CompactString s;
  std::string want;
  for (std::size_t n = 0; n < 3000; ++n) {
    const char c = static_cast<char>('a' + n % 26);
    s.append(std::string_view(&c, 1));
    want.push_back(c);
    ASSERT_EQ(s.view(), want) << n;
  }
  while (!want.empty()) {
    want.resize(want.size() - 1);
    s.resize(want.size());
    ASSERT_EQ(s.view(), want) << want.size();
  }
  s.resize(40, 'x');
  EXPECT_EQ(s.view(), std::string(40, 'x'));
  s.resize(10);
  s.resize(12);
  EXPECT_EQ(s.view(), std::string(10, 'x') + std::string(2, '\0'));
}

TEST(KvCompactString, ArgumentsMayBeViewsOfItself) {
  for (std::size_t n : {4u, 15u, 20u, 100u}) {
    CompactString s(pattern(n));
    s.append(s.view());  // doubles: may move to the heap or to a bigger buffer
    EXPECT_EQ(s.view(), pattern(n) + pattern(n)) << n;
    s.assign(s.view().substr(1));  // may move back inline
    EXPECT_EQ(s.view(), (pattern(n) + pattern(n)).substr(1)) << n;
    s.assign(s.view());
    EXPECT_EQ(s.view(), (pattern(n) + pattern(n)).substr(1)) << n;
  }
}

TEST(KvCompactString, CopiesMovesAndSwaps) {
  CompactString small("abc");
  CompactString big(pattern(100));
  CompactString copy = big;
  EXPECT_EQ(copy.view(), pattern(100));
  EXPECT_NE(copy.data(), big.data());
  CompactString moved = std::move(copy);
  EXPECT_EQ(moved.view(), pattern(100));
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  small.swap(moved);
  EXPECT_EQ(small.view(), pattern(100));
  EXPECT_EQ(moved.view(), "abc");
  small = moved;
  EXPECT_EQ(small.view(), "abc");
  big = std::move(small);
  EXPECT_EQ(big.view(), "abc");
  std::string binary("a\0b\xff", 4);
  big.assign(binary);
  EXPECT_EQ(big.view(), binary);
}

}  // namespace
}  // namespace tcpkit::kv::testing
