// Value::describe() for the RESP3 kinds. Each expected text is what redis-cli 7.0.15 -3
// --no-raw printed for the same reply bytes (served by a stub server), unless said otherwise.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tcpkit/codec/value.hpp"

namespace tcpkit::codec {
namespace {

Value str(std::string s) { return Value::string(std::move(s)); }
Value num(std::int64_t n) { return Value::integer(n); }

TEST(ValueDescribe, Resp3Scalars) {
  EXPECT_EQ(Value::boolean(true).describe(), "(true)");
  EXPECT_EQ(Value::boolean(false).describe(), "(false)");
  // ",0.10000000000000001" (ZSCORE of 0.1): the text as it came; a double without one is
  // written the shortest way.
  EXPECT_EQ(Value::floating(0.1, "0.10000000000000001").describe(), "(double) 0.10000000000000001");
  EXPECT_EQ(Value::floating(1e20, "1e+20").describe(), "(double) 1e+20");
  EXPECT_EQ(Value::floating(1500, "1.5e3").describe(), "(double) 1.5e3");
  EXPECT_EQ(Value::floating(0.1).describe(), "(double) 0.1");
  // "=6\r\ntxt:hi\r\n" and a text with a line break: as they are, unquoted.
  EXPECT_EQ(Value::verbatim("txt", "hi").describe(), "hi");
  EXPECT_EQ(Value::verbatim("txt", "a\nb").describe(), "a\nb");
  // redis-cli 7.0 cannot print one ("Unknown reply type: 13"); later ones print this.
  EXPECT_EQ(Value::big_number("123").describe(), "(big number) 123");
}

TEST(ValueDescribe, MapsAndSets) {
  // HGETALL under HELLO 3.
  EXPECT_EQ(Value::map({str("f"), str("v"), str("g"), str("w")}).describe(),
            "1# \"f\" => \"v\"\n2# \"g\" => \"w\"");
  // SMEMBERS.
  EXPECT_EQ(Value::set({str("x"), str("y")}).describe(), "1~ \"x\"\n2~ \"y\"");
  EXPECT_EQ(Value::map({}).describe(), "(empty hash)");
  EXPECT_EQ(Value::set({}).describe(), "(empty set)");
  EXPECT_EQ(Value::array({Value::push({}), Value::set({})}).describe(),
            "1) (empty push)\n2) (empty set)");
  EXPECT_EQ(Value::array({Value::boolean(true), Value::nil()}).describe(), "1) (true)\n2) (nil)");
}

TEST(ValueDescribe, NumbersAlignPastNine) {
  std::vector<Value> items;
  for (int i = 1; i <= 10; ++i) {
    items.push_back(str("f" + std::to_string(i)));
    items.push_back(str("v"));
  }
  const std::string text = Value::map(std::move(items)).describe();
  EXPECT_EQ(text.substr(0, 18), " 1# \"f1\" => \"v\"\n 2");
  EXPECT_EQ(text.substr(text.find("10#")), "10# \"f10\" => \"v\"");
}

// A map's value with more than one entry starts on its own line, under the key; one with a
// single entry (or none) stays on the key's line.
TEST(ValueDescribe, MapValuesThatAreAggregates) {
  // %2 a => *2 [1 2], b => ~1 [1]
  EXPECT_EQ(Value::map({str("a"), Value::array({num(1), num(2)}), str("b"), Value::set({num(1)})})
                .describe(),
            "1# \"a\" => \n   1) (integer) 1\n   2) (integer) 2\n2# \"b\" => 1~ (integer) 1");
  // %1 k => %2 {1: 2, 3: []}
  EXPECT_EQ(
      Value::map({str("k"), Value::map({num(1), num(2), num(3), Value::array({})})}).describe(),
      "1# \"k\" => \n   1# (integer) 1 => (integer) 2\n   2# (integer) 3 => (empty array)");
  // %1 k => %1 {1: 2}
  EXPECT_EQ(Value::map({str("k"), Value::map({num(1), num(2)})}).describe(),
            "1# \"k\" => 1# (integer) 1 => (integer) 2");
  // %1 k => ~2 [1 2]
  EXPECT_EQ(Value::map({str("k"), Value::set({num(1), num(2)})}).describe(),
            "1# \"k\" => \n   1~ (integer) 1\n   2~ (integer) 2");
  // An aggregate key stays inline: %1 [1 2] => v
  EXPECT_EQ(Value::map({Value::array({num(1), num(2)}), str("v")}).describe(),
            "1# 1) (integer) 1\n   2) (integer) 2 => \"v\"");
  // A push as a map's value, nested arrays under it.
  EXPECT_EQ(Value::map({str("k"), Value::push({num(1), num(2)}), num(5),
                        Value::array({num(1), Value::array({num(7), num(8)}), num(3)})})
                .describe(),
            "1# \"k\" => \n   1) (integer) 1\n   2) (integer) 2\n2# (integer) 5 => \n"
            "   1) (integer) 1\n   2) 1) (integer) 7\n      2) (integer) 8\n   3) (integer) 3");
}

TEST(ValueDescribe, AggregatesInsideAggregates) {
  // ~2 [%1 {1: 2}, *1 [3]]
  EXPECT_EQ(Value::set({Value::map({num(1), num(2)}), Value::array({num(3)})}).describe(),
            "1~ 1# (integer) 1 => (integer) 2\n2~ 1) (integer) 3");
  // *2 [1, %2 {k: v, k2: v2}]
  EXPECT_EQ(
      Value::array({num(1), Value::map({str("k"), str("v"), str("k2"), str("v2")})}).describe(),
      "1) (integer) 1\n2) 1# \"k\" => \"v\"\n   2# \"k2\" => \"v2\"");
}

}  // namespace
}  // namespace tcpkit::codec
