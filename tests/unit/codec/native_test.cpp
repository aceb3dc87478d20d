#include "tcpkit/codec/native.hpp"

#include <gtest/gtest.h>

#include <string>

#include "decode_harness.hpp"

namespace tcpkit::codec {
namespace {

using testing::bracketed;
using testing::decode_every_way;
using testing::Outcome;

std::string request(std::initializer_list<std::string_view> args) {
  io::Buffer out;
  encode_native_request(out, args);
  return std::string(out.view());
}

std::string u32(std::uint32_t n) {
  return std::string{static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                     static_cast<char>((n >> 16) & 0xff), static_cast<char>(n >> 24)};
}

std::string framed(std::string_view payload) {
  io::Buffer out;
  encode_length_prefixed(out, payload);
  return std::string(out.view());
}

Outcome decode_requests(std::string_view input) {
  return decode_every_way([] { return NativeRequestDecoder(); }, input,
                          [](const NativeRequestDecoder& d) { return bracketed(d.args()); });
}

TEST(NativeRequest, WireFormat) {
  EXPECT_EQ(request({"GET", "k"}),
            u32(19) + "*" + u32(2) + "$" + u32(3) + "GET" + "$" + u32(1) + "k");
}

TEST(NativeRequestDecoder, PipelinedRequestsEveryWay) {
  const std::string binary("a\0b", 3);
  const Outcome o = decode_requests(request({"SET", "k", binary}) + request({"PING"}) +
                                    request({}) + request({"GET"}).substr(0, 9));
  EXPECT_EQ(o.frames, (std::vector<std::string>{"[SET][k][" + binary + "]", "[PING]", ""}));
  EXPECT_EQ(o.leftover, 9u);
}

TEST(NativeRequestDecoder, MalformedPayloads) {
  const std::string not_command = "Protocol error: a request must be an array of strings";
  EXPECT_EQ(decode_requests(framed("N")).error, not_command);
  EXPECT_EQ(decode_requests(framed("*" + u32(1) + ":" + std::string(8, '\0'))).error, not_command);
  EXPECT_EQ(decode_requests(framed("*" + u32(2) + "$" + u32(1) + "a")).error, not_command);
  EXPECT_EQ(decode_requests(framed("*" + u32(1) + "$" + u32(9) + "a")).error, not_command);
  EXPECT_EQ(decode_requests(framed("*" + u32(0) + "N")).error,
            "Protocol error: trailing bytes after value");
  EXPECT_EQ(decode_requests(u32(32u * 1024 * 1024 + 1)).error, "Protocol error: frame too large");
}

TEST(NativeRequestDecoder, ArgumentLimitIsInclusive) {
  std::vector<std::string_view> args;
  const std::string payload = request({"a", "b"}).substr(4);
  EXPECT_FALSE(parse_native_request(payload, args, 2));
  EXPECT_EQ(args.size(), 2u);
  const auto err = parse_native_request(payload, args, 1);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->text, "Protocol error: array too long");
}

TEST(NativeReply, WrittenInPlaceAndReadBack) {
  io::Buffer out;
  out.append(request({"unrelated"}));  // an earlier reply still waiting to be written
  const std::size_t mark = begin_native_reply(out);
  TypedWriter w(out);
  w.array(2);
  w.bulk("value");
  w.integer(-1);
  end_native_reply(out, mark);

  std::string_view bytes = out.view();
  LengthPrefixDecoder framer;
  ASSERT_EQ(framer.decode(bytes).status, DecodeStatus::kFrame);
  const DecodeResult r = framer.decode(bytes.substr(framer.decode(bytes).consumed));
  ASSERT_EQ(r.status, DecodeStatus::kFrame);
  Value reply;
  ASSERT_FALSE(decode_typed_value(framer.payload(), reply));
  EXPECT_EQ(reply, Value::array({Value::string("value"), Value::integer(-1)}));
}

TEST(NativeRequestDecoder, ArgumentVectorKeepsItsCapacity) {
  NativeRequestDecoder d;
  const std::string one = request({"SET", "key:1", "v"});
  ASSERT_EQ(d.decode(one).status, DecodeStatus::kFrame);
  const std::string_view* first = d.args().data();
  const std::string two = request({"SET", "key:2", "w"});
  ASSERT_EQ(d.decode(two).status, DecodeStatus::kFrame);
  EXPECT_EQ(d.args().data(), first);
  EXPECT_EQ(d.args()[1], "key:2");
}

}  // namespace
}  // namespace tcpkit::codec
