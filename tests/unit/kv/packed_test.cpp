// The packed (listpack-like) buffer of a small hash: order, in-place replacement, removal,
// lengths that need several varint bytes, and the hash's conversion at the configured limits.

#include "kv/packed.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kv/hash.hpp"
#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

std::vector<std::string> strings_of(const std::string& buf) {
  std::vector<std::string> out;
  packed::Cursor c(buf);
  while (!c.done()) out.emplace_back(c.next());
  return out;
}

TEST(KvPacked, AppendReplaceEraseKeepOrderAndCount) {
  std::string buf = packed::empty();
  EXPECT_EQ(packed::count(buf), 0u);
  packed::splice(buf, buf.size(), 0, {"f1", "a"}, 2);
  packed::splice(buf, buf.size(), 0, {"f2", std::string(200, 'x')}, 2);  // 2-byte length
  packed::splice(buf, buf.size(), 0, {"", ""}, 2);
  EXPECT_EQ(packed::count(buf), 6u);
  EXPECT_EQ(strings_of(buf),
            (std::vector<std::string>{"f1", "a", "f2", std::string(200, 'x'), "", ""}));

  packed::PairAt at;
  ASSERT_TRUE(packed::find_pair(buf, "f2", at));
  EXPECT_EQ(at.value.size(), 200u);
  packed::splice(buf, at.begin, at.end - at.begin, {"f2", "short"}, 0);
  ASSERT_TRUE(packed::find_pair(buf, "f1", at));
  packed::splice(buf, at.begin, at.end - at.begin, {}, -2);
  EXPECT_EQ(strings_of(buf), (std::vector<std::string>{"f2", "short", "", ""}));
  EXPECT_EQ(packed::count(buf), 4u);
  EXPECT_FALSE(packed::find_pair(buf, "f1", at));
  // Exact reallocation: no spare capacity beyond the string's own minimum.
  EXPECT_LE(buf.capacity(), std::max<std::size_t>(buf.size(), 30));

  // A value replaced by one as long is rewritten in place: same buffer, no reallocation.
  ASSERT_TRUE(packed::find_pair(buf, "f2", at));
  const char* before = buf.data();
  packed::splice(buf, at.begin, at.end - at.begin, {"f2", "SHORT"}, 0);
  EXPECT_EQ(buf.data(), before);
  EXPECT_EQ(strings_of(buf), (std::vector<std::string>{"f2", "SHORT", "", ""}));
}

TEST(KvPacked, HashConvertsPastTheLimitsAndKeepsEveryField) {
  EncodingLimits limits;
  limits.hash_max_listpack_entries = 3;
  Value v = Value::new_hash();
  HashRef h = v.hash();
  EXPECT_TRUE(h.set("a", "1", limits));
  EXPECT_TRUE(h.set("b", "2", limits));
  EXPECT_FALSE(h.set("a", "10", limits));
  EXPECT_TRUE(h.set("c", "3", limits));
  EXPECT_TRUE(h.listpack());
  EXPECT_TRUE(h.set("d", "4", limits));
  EXPECT_FALSE(h.listpack());
  EXPECT_EQ(v.current_encoding(), Encoding::kHashtable);
  EXPECT_EQ(h.size(), 4u);
  EXPECT_EQ(h.find("a"), std::optional<std::string_view>("10"));
  EXPECT_EQ(h.find("d"), std::optional<std::string_view>("4"));

  Value copy = v;  // a deep copy of the hashtable form
  EXPECT_EQ(copy.hash().size(), 4u);
  Value small = Value::new_hash();
  small.hash().set("k", "v", limits);
  Value moved = std::move(small);
  EXPECT_EQ(moved.hash().find("k"), std::optional<std::string_view>("v"));
  EXPECT_EQ(moved.current_encoding(), Encoding::kListpack);
  EXPECT_EQ(small.type, ValueType::kString);
}

}  // namespace
}  // namespace tcpkit::kv::testing
