// The echo service without sockets: raw, line and length framing, split at every offset,
// oversized frames, datagrams.
#include "echo/echo_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tcpkit/codec/length_prefix.hpp"

namespace tcpkit::echo {
namespace {

struct Conversation {
  std::string echoed;
  bool closed = false;
  std::size_t leftover = 0;
};

// Feeds `input` to a fresh session in two chunks split at `cut`, the way a model does:
// unconsumed bytes are shown again with the next chunk.
Conversation converse(const EchoOptions& options, std::string_view input, std::size_t cut) {
  auto service = make_echo_service(options);
  auto session = service->open_session(server::SessionInfo{});
  Conversation c;
  std::string pending;
  io::Buffer out;
  cut = std::min(cut, input.size());
  for (std::string_view chunk : {input.substr(0, cut), input.substr(cut)}) {
    pending.append(chunk);
    server::Progress p = session->on_bytes(pending, out, server::kUnboundedRoom);
    EXPECT_LE(p.consumed, pending.size());
    pending.erase(0, p.consumed);
    if (p.close) {
      c.closed = true;
      break;
    }
  }
  c.echoed = std::string(out.view());
  c.leftover = pending.size();
  return c;
}

std::string length_frames(std::initializer_list<std::string_view> payloads) {
  io::Buffer out;
  for (auto p : payloads) codec::encode_length_prefixed(out, p);
  return std::string(out.view());
}

TEST(EchoService, RawEchoesEveryByteAtEverySplit) {
  const std::string input("binary\0safe\r\n\xff bytes", 21);
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    auto c = converse({}, input, cut);
    EXPECT_EQ(c.echoed, input) << "cut " << cut;
    EXPECT_FALSE(c.closed);
  }
}

TEST(EchoService, LineEchoesWholeLinesWithTheirTerminators) {
  const std::string input = "one\r\ntwo\nthree";  // "three" is not a whole line yet
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    auto c = converse({Framing::kLine}, input, cut);
    EXPECT_EQ(c.echoed, "one\r\ntwo\n") << "cut " << cut;
    EXPECT_EQ(c.leftover, 5u) << "cut " << cut;
    EXPECT_FALSE(c.closed);
  }
}

TEST(EchoService, LengthEchoesWholeFramesWithTheirHeaders) {
  const std::string frames = length_frames({"alpha", "", "gamma ray"});
  const std::string input = frames + frames.substr(0, 6);  // and a partial fourth frame
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    auto c = converse({Framing::kLength}, input, cut);
    EXPECT_EQ(c.echoed, frames) << "cut " << cut;
    EXPECT_EQ(c.leftover, 6u) << "cut " << cut;
  }
}

TEST(EchoService, OversizedLineClosesAfterTheLinesBeforeIt) {
  EchoOptions options{Framing::kLine, 8};
  const std::string input = "fits\n0123456789\nnever\n";
  auto c = converse(options, input, input.size());
  EXPECT_TRUE(c.closed);
  EXPECT_EQ(c.echoed, "fits\n");
}

TEST(EchoService, OversizedFrameClosesBeforeItsPayloadArrives) {
  EchoOptions options{Framing::kLength, 4};
  const std::string header = length_frames({"12345"}).substr(0, 4);  // announces 5 bytes
  const std::string input = length_frames({"ok"}) + header;
  auto c = converse(options, input, input.size());
  EXPECT_TRUE(c.closed);
  EXPECT_EQ(c.echoed, length_frames({"ok"}));
}

TEST(EchoService, DatagramsComeBackWhole) {
  auto service = make_echo_service();
  io::Buffer out;
  EXPECT_TRUE(service->on_datagram("a datagram", out));
  EXPECT_EQ(out.view(), "a datagram");
  EXPECT_FALSE(service->shares_state());
}

TEST(EchoService, ParsesFramingNames) {
  EXPECT_EQ(parse_framing("raw"), Framing::kRaw);
  EXPECT_EQ(parse_framing("line"), Framing::kLine);
  EXPECT_EQ(parse_framing("length"), Framing::kLength);
  EXPECT_FALSE(parse_framing("json").has_value());
}

}  // namespace
}  // namespace tcpkit::echo
