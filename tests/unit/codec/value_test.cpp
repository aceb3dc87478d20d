#include "tcpkit/codec/value.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace tcpkit::codec {
namespace {

TEST(Value, DefaultIsNil) {
  const Value v;
  EXPECT_TRUE(v.is_nil());
  EXPECT_EQ(v.kind(), ValueKind::kNil);
  EXPECT_EQ(v, Value::nil());
}

TEST(Value, FactoriesAndAccessors) {
  EXPECT_EQ(Value::integer(-5).as_integer(), -5);
  EXPECT_EQ(Value::floating(1.5).as_double(), 1.5);
  EXPECT_EQ(Value::string("bytes").as_string(), "bytes");
  EXPECT_EQ(Value::simple("OK").as_string(), "OK");
  EXPECT_EQ(Value::simple("OK").kind(), ValueKind::kSimple);
  const Value arr = Value::array({Value::integer(1), Value::nil()});
  ASSERT_TRUE(arr.is_array());
  EXPECT_EQ(arr.items().size(), 2u);
  EXPECT_EQ(to_string(ValueKind::kDouble), "double");
}

TEST(Value, ErrorsSplitIntoCodeAndMessage) {
  const Value e = Value::error_from_text("WRONGTYPE Operation against a key");
  ASSERT_TRUE(e.is_error());
  EXPECT_EQ(e.error_code(), "WRONGTYPE");
  EXPECT_EQ(e.error_message(), "Operation against a key");
  EXPECT_EQ(e.error_text(), "WRONGTYPE Operation against a key");
  const Value bare = Value::error_from_text("ERR");
  EXPECT_EQ(bare.error_code(), "ERR");
  EXPECT_EQ(bare.error_message(), "");
  EXPECT_EQ(bare.error_text(), "ERR");
  // Found by fuzzing: a trailing space must survive the split and the join.
  for (std::string_view text : {"ERR ", " x", "", "A  b", " "}) {
    EXPECT_EQ(Value::error_from_text(text).error_text(), text);
  }
}

TEST(Value, EqualityIsStructuralAndBitwiseForDoubles) {
  EXPECT_NE(Value::string("1"), Value::simple("1"));
  EXPECT_NE(Value::integer(1), Value::floating(1.0));
  EXPECT_EQ(Value::floating(std::nan("")), Value::floating(std::nan("")));
  EXPECT_NE(Value::floating(0.0), Value::floating(-0.0));
  EXPECT_NE(Value::array({Value::nil()}), Value::array({}));
  EXPECT_NE(Value::error("ERR", "a"), Value::error("ERR", "b"));
}

TEST(Value, DescribeLikeRedisCli) {
  EXPECT_EQ(Value::nil().describe(), "(nil)");
  EXPECT_EQ(Value::simple("OK").describe(), "OK");
  EXPECT_EQ(Value::integer(3).describe(), "(integer) 3");
  EXPECT_EQ(Value::floating(2.5).describe(), "(double) 2.5");
  EXPECT_EQ(Value::error("ERR", "no").describe(), "(error) ERR no");
  EXPECT_EQ(Value::string("a\"b\x01").describe(), "\"a\\\"b\\x01\"");
  EXPECT_EQ(Value::array({}).describe(), "(empty array)");
  std::vector<Value> ten(10, Value::integer(0));
  ten[9] = Value::array({Value::string("x"), Value::string("y")});
  const std::string text = Value::array(std::move(ten)).describe();
  EXPECT_EQ(text.substr(0, 15), " 1) (integer) 0");
  EXPECT_EQ(text.substr(text.find("10)")), "10) 1) \"x\"\n    2) \"y\"");
}

// Records the calls a ReplyWriter receives.
class RecordingWriter final : public ReplyWriter {
 public:
  std::string log;
  void simple(std::string_view s) override { log += "simple:" + std::string(s) + ";"; }
  void error(std::string_view m) override { log += "error:" + std::string(m) + ";"; }
  void integer(std::int64_t n) override { log += "int:" + std::to_string(n) + ";"; }
  void bulk(std::string_view s) override { log += "bulk:" + std::string(s) + ";"; }
  void null() override { log += "null;"; }
  void null_array() override { log += "null_array;"; }
  void array(std::size_t n) override { log += "array:" + std::to_string(n) + ";"; }
  void floating(double d) override { log += "float:" + std::to_string(d) + ";"; }
};

// Overrides the RESP3 calls too.
class Resp3RecordingWriter final : public ReplyWriter {
 public:
  std::string log;
  void simple(std::string_view s) override { log += "simple:" + std::string(s) + ";"; }
  void error(std::string_view m) override { log += "error:" + std::string(m) + ";"; }
  void integer(std::int64_t n) override { log += "int:" + std::to_string(n) + ";"; }
  void bulk(std::string_view s) override { log += "bulk:" + std::string(s) + ";"; }
  void null() override { log += "null;"; }
  void null_array() override { log += "null_array;"; }
  void array(std::size_t n) override { log += "array:" + std::to_string(n) + ";"; }
  void floating(double d) override { log += "float:" + std::to_string(d) + ";"; }
  void map(std::size_t n) override { log += "map:" + std::to_string(n) + ";"; }
  void set(std::size_t n) override { log += "set:" + std::to_string(n) + ";"; }
  void push(std::size_t n) override { log += "push:" + std::to_string(n) + ";"; }
  void boolean(bool b) override { log += b ? "true;" : "false;"; }
  void double_value(double d) override { log += "double:" + std::to_string(d) + ";"; }
  void big_number(std::string_view s) override { log += "big:" + std::string(s) + ";"; }
  void verbatim(std::string_view f, std::string_view t) override {
    log += "verbatim:" + std::string(f) + ":" + std::string(t) + ";";
  }
};

Value every_kind() {
  return Value::array({Value::simple("OK"), Value::error("ERR", "x"), Value::integer(1),
                       Value::string("s"), Value::nil(), Value::floating(0.5), Value::boolean(true),
                       Value::big_number("-12"), Value::verbatim("txt", "hi"),
                       Value::map({Value::string("k"), Value::set({Value::integer(2)})}),
                       Value::push({})});
}

TEST(Value, WriteToSaysEveryKind) {
  Resp3RecordingWriter w;
  every_kind().write_to(w);
  EXPECT_EQ(w.log,
            "array:11;simple:OK;error:ERR x;int:1;bulk:s;null;double:0.500000;true;big:-12;"
            "verbatim:txt:hi;map:1;bulk:k;set:1;int:2;push:0;");
}

// A writer that knows RESP2 only gets ReplyWriter's RESP2 shapes for the RESP3 kinds.
TEST(Value, WriteToAResp2OnlyWriterTakesTheResp2Shapes) {
  RecordingWriter w;
  every_kind().write_to(w);
  EXPECT_EQ(w.log,
            "array:11;simple:OK;error:ERR x;int:1;bulk:s;null;bulk:0.5;int:1;bulk:-12;bulk:hi;"
            "array:2;bulk:k;array:1;int:2;array:0;");
}

TEST(Value, Resp3FactoriesAndAccessors) {
  EXPECT_TRUE(Value::boolean(true).as_bool());
  EXPECT_FALSE(Value::boolean(false).as_bool());
  EXPECT_EQ(Value::big_number("123").as_string(), "123");
  const Value v = Value::verbatim("mkd", "# hi");
  EXPECT_EQ(v.verbatim_format(), "mkd");
  EXPECT_EQ(v.as_string(), "# hi");
  const Value m = Value::map({Value::string("k"), Value::integer(1)});
  EXPECT_TRUE(m.is_aggregate());
  EXPECT_FALSE(m.is_array());
  EXPECT_EQ(m.items().size(), 2u);
  EXPECT_EQ(to_string(ValueKind::kMap), "map");
  EXPECT_EQ(to_string(ValueKind::kBigNumber), "big number");
  // Kinds differ even where the items are the same; a double's text is not compared.
  EXPECT_NE(Value::set({}), Value::array({}));
  EXPECT_NE(Value::push({}), Value::array({}));
  EXPECT_NE(Value::boolean(true), Value::integer(1));
  EXPECT_NE(Value::big_number("1"), Value::string("1"));
  EXPECT_NE(Value::verbatim("txt", "a"), Value::verbatim("mkd", "a"));
  EXPECT_EQ(Value::floating(0.1, "0.10000000000000001"), Value::floating(0.1));
}

}  // namespace
}  // namespace tcpkit::codec
