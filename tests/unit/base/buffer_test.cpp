// io::Buffer tests. They live under tests/unit/base so they link only tcpkit_core.

#include "tcpkit/io/buffer.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <utility>

namespace tcpkit::io {
namespace {

TEST(Buffer, StartsEmptyWithoutStorage) {
  const Buffer b;
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.capacity(), 0u);
  EXPECT_EQ(b.view(), "");
}

TEST(Buffer, FirstAppendToAFreshBufferAllocates) {
  Buffer b;
  b.append("hello");
  EXPECT_EQ(b.view(), "hello");
  EXPECT_GE(b.capacity(), 5u + Buffer::kCheapPrepend);
}

TEST(Buffer, FreshBufferHasNoWritableBytes) {
  const Buffer b;
  EXPECT_EQ(b.writable(), 0u);
}

TEST(Buffer, PrepareAndCommitOnAFreshBuffer) {
  Buffer b;
  char* p = b.prepare(3);
  std::memcpy(p, "abc", 3);
  b.commit(2);
  EXPECT_EQ(b.view(), "ab");
}

TEST(Buffer, AppendConsumeKeepsOrder) {
  Buffer b;
  b.append("hello ");
  b.append("world");
  b.append_byte('!');
  EXPECT_EQ(b.view(), "hello world!");
  b.consume(6);
  EXPECT_EQ(b.view(), "world!");
  b.consume(6);
  EXPECT_TRUE(b.empty());
}

TEST(Buffer, GrowsAndKeepsDataAcrossReallocation) {
  Buffer b;
  std::string expected;
  for (int i = 0; i < 10000; ++i) {
    const std::string piece = std::to_string(i) + ",";
    b.append(piece);
    expected += piece;
  }
  EXPECT_EQ(b.view(), expected);
  b.consume(100);
  b.append(std::string(50000, 'x'));
  EXPECT_EQ(b.view().substr(0, expected.size() - 100), expected.substr(100));
}

TEST(Buffer, PrependUsesTheCheapRegionThenShifts) {
  Buffer b;
  b.append("payload");
  const char header[4] = {'H', 'E', 'A', 'D'};
  b.prepend(header, 4);
  EXPECT_EQ(b.view(), "HEADpayload");
  b.prepend("0123456789", 10);  // more than the cheap region has left
  EXPECT_EQ(b.view(), "0123456789HEADpayload");
}

TEST(Buffer, PrepareLeavesRoomWithoutPublishing) {
  Buffer b;
  b.append("x");
  char* p = b.prepare(100);
  EXPECT_GE(b.writable(), 100u);
  std::memcpy(p, "yz", 2);
  EXPECT_EQ(b.view(), "x");
  b.commit(2);
  EXPECT_EQ(b.view(), "xyz");
}

TEST(Buffer, ClearAndReleaseGiveMemoryBack) {
  Buffer b;
  b.append("data");
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_GT(b.capacity(), 0u);
  b.release();
  EXPECT_EQ(b.capacity(), 0u);
  b.append("again");
  EXPECT_EQ(b.view(), "again");
}

TEST(Buffer, MoveTransfersStorage) {
  Buffer a;
  a.append("moved");
  Buffer b(std::move(a));
  EXPECT_EQ(b.view(), "moved");
  EXPECT_EQ(a.capacity(), 0u);  // NOLINT(bugprone-use-after-move): moved-from state is defined
  Buffer c;
  c.append("old");
  c = std::move(b);
  EXPECT_EQ(c.view(), "moved");
}

// Last in the file: with no storage yet, prepend() used to write through a null pointer.
TEST(Buffer, PrependOnAFreshBuffer) {
  Buffer b;
  b.prepend("hd", 2);
  EXPECT_EQ(b.view(), "hd");
}

}  // namespace
}  // namespace tcpkit::io
