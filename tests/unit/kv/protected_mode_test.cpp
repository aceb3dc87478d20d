// Protected mode and the over-capacity reply, worded as redis-server 7.0.15 sends them.

#include <gtest/gtest.h>

#include <string>

#include "kv/protocol_sessions.hpp"
#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

const std::string kDenied =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from "
    "the loopback interface. If you want to connect from external computers to Redis you may "
    "adopt one of the following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
    "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
    "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
    "Alternatively you can just disable the protected mode by editing the Redis configuration "
    "file, and setting the protected mode option to 'no', and then restarting the server. 3) "
    "If you started the server manually just for testing, restart it with the "
    "'--protected-mode no' option. 4) Setup a an authentication password for the default "
    "user. NOTE: You only need to do one of the above things in order for the server to start "
    "accepting connections from the outside.\r\n";

TEST(KvProtectedMode, RemotePeerWithoutPasswordIsDenied) {
  Harness h;
  auto s = h.connect(/*local=*/false);
  Fed fed = feed(*s, "PING\r\nPING\r\n");
  EXPECT_TRUE(fed.progress.close);
  EXPECT_EQ(fed.progress.consumed, 12u);
  EXPECT_EQ(fed.output, kDenied);
  // A client that only half-closes hears it too.
  auto quiet = h.connect(false);
  EXPECT_EQ(feed_eof(*quiet), kDenied);
}

TEST(KvProtectedMode, LocalPeerIsServed) {
  Harness h;
  auto s = h.connect(/*local=*/true);
  EXPECT_EQ(feed(*s, "PING\r\n").output, "+PONG\r\n");
  EXPECT_EQ(feed_eof(*s), "");
}

TEST(KvProtectedMode, PasswordOrModeOffServesRemotePeers) {
  Harness with_pass(with_options([](KvOptions& o) { o.requirepass = "secret"; }));
  auto s = with_pass.connect(false);
  EXPECT_EQ(feed(*s, "PING\r\n").output, "-NOAUTH Authentication required.\r\n");
  Harness off(with_options([](KvOptions& o) { o.protected_mode = false; }));
  auto t = off.connect(false);
  EXPECT_EQ(feed(*t, "PING\r\n").output, "+PONG\r\n");
}

TEST(KvProtectedMode, ConfigGetAndSet) {
  Harness h;
  EXPECT_EQ(h.run("CONFIG GET protected-mode"), "[\"protected-mode\", \"yes\"]");
  EXPECT_EQ(h.run("CONFIG SET protected-mode maybe"),
            "-ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument "
            "must be 'yes' or 'no'");
  EXPECT_EQ(h.run("CONFIG SET protected-mode NO"), "+OK");
  EXPECT_EQ(h.run("CONFIG GET protected*"), "[\"protected-mode\", \"no\"]");
  auto s = h.connect(false);  // decided when the connection opens
  EXPECT_EQ(feed(*s, "PING\r\n").output, "+PONG\r\n");
  EXPECT_EQ(h.run("CONFIG SET protected-mode yes"), "+OK");
  EXPECT_EQ(feed(*h.connect(false), "PING\r\n").output, kDenied);
  // Setting a password opens the door, as in Redis.
  EXPECT_EQ(h.run("CONFIG SET requirepass secret"), "+OK");
  EXPECT_EQ(feed(*h.connect(false), "PING\r\n").output, "-NOAUTH Authentication required.\r\n");
}

TEST(KvOverCapacity, ReplyIsRedisMaxClientsError) {
  Harness h;
  EXPECT_EQ(h.service->over_capacity_reply(), "-ERR max number of clients reached\r\n");
  Harness native(with_options([](KvOptions& o) { o.protocol = Protocol::kNative; }));
  const std::string text = "ERR max number of clients reached";
  // One native reply frame holding a typed error: "ERR" and the message.
  EXPECT_EQ(native.service->over_capacity_reply(), refusal_reply(Protocol::kNative, text));
  EXPECT_NE(native.service->over_capacity_reply().find("max number of clients reached"),
            std::string_view::npos);
}

}  // namespace
}  // namespace tcpkit::kv::testing
