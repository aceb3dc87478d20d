// The RESP session end to end through on_bytes(): pipelining, partial input, QUIT, protocol
// errors, maxclients; and the size of an idle session.

#include <gtest/gtest.h>

#include "kv/protocol_sessions.hpp"
#include "kv_test_support.hpp"
#include "tcpkit/codec/native.hpp"

namespace tcpkit::kv::testing {
namespace {

TEST(KvSession, PipelinedBatch) {
  Harness h;
  auto s = h.connect();
  const std::string input =
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n"
      "*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n";
  Fed fed = feed(*s, input);
  EXPECT_EQ(fed.progress.consumed, input.size());
  EXPECT_FALSE(fed.progress.close);
  EXPECT_EQ(fed.output,
            "+OK\r\n$1\r\nv\r\n+PONG\r\n-ERR value is not an integer or out of range\r\n");
}

TEST(KvSession, PartialFrameWaitsForMore) {
  Harness h;
  auto s = h.connect();
  const std::string input = "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n";
  for (std::size_t cut = 0; cut < input.size(); ++cut) {
    Fed first = feed(*s, input.substr(0, cut));
    EXPECT_EQ(first.progress.consumed, 0u);
    EXPECT_EQ(first.output, "");
  }
  Fed whole = feed(*s, input);
  EXPECT_EQ(whole.progress.consumed, input.size());
  EXPECT_EQ(whole.output, "$5\r\nhello\r\n");
}

TEST(KvSession, QuitClosesAfterReply) {
  Harness h;
  auto s = h.connect();
  Fed fed = feed(*s, "QUIT\r\nPING\r\n");
  EXPECT_TRUE(fed.progress.close);
  EXPECT_EQ(fed.output, "+OK\r\n");
  EXPECT_EQ(fed.progress.consumed, 6u);
}

TEST(KvSession, ProtocolErrorRepliesAndCloses) {
  Harness h;
  auto s = h.connect();
  Fed fed = feed(*s, "PING\r\n*1\r\n$x\r\n");
  EXPECT_TRUE(fed.progress.close);
  EXPECT_EQ(fed.output, "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
}

TEST(KvSession, BulkLongerThanLimitIsAProtocolError) {
  Harness h(with_options([](KvOptions& o) { o.max_bulk_length = 1024 * 1024; }));
  auto s = h.connect();
  Fed fed = feed(*s, "*2\r\n$4\r\nECHO\r\n$2000000\r\n");
  EXPECT_TRUE(fed.progress.close);
  EXPECT_EQ(fed.output, "-ERR Protocol error: invalid bulk length\r\n");
}

TEST(KvSession, MaxClientsRejects) {
  Harness h(with_options(
      [](KvOptions& o) { o.max_clients = 1; }));  // the harness's own session is the one
  auto s = h.connect();
  Fed fed = feed(*s, "PING\r\n");
  EXPECT_TRUE(fed.progress.close);
  EXPECT_EQ(fed.output, "-ERR max number of clients reached\r\n");
}

TEST(KvSession, NativeProtocol) {
  Harness h(with_options([](KvOptions& o) { o.protocol = Protocol::kNative; }));
  auto s = h.connect();
  io::Buffer request;
  codec::encode_native_request(request, {"SET", "k", "v"});
  codec::encode_native_request(request, {"GET", "k"});
  Fed fed = feed(*s, request.view());
  EXPECT_EQ(fed.progress.consumed, request.size());
  // Two reply frames: "+OK" as a simple string, then "$v".
  EXPECT_EQ(fed.output, std::string("\x07\0\0\0+\x02\0\0\0OK\x06\0\0\0$\x01\0\0\0v", 21));
}

TEST(KvSession, IdleSessionIsSmall) {
  const std::size_t size = resp_session_size();
  std::printf("sizeof RESP kv session: %zu bytes\n", size);
  EXPECT_LT(size, 640u);
}

}  // namespace
}  // namespace tcpkit::kv::testing
