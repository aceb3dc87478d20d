// Request limits through a RESP session, as redis-server 7.0.15 applies them: while a password
// is required and the client has not authenticated, at most 10 elements and 16384-byte bulks
// (checked when the header arrives, the connection closed); afterwards, up to INT_MAX elements.

#include <gtest/gtest.h>

#include <string>

#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

const std::string kUnauthMultibulk = "-ERR Protocol error: unauthenticated multibulk length\r\n";
const std::string kUnauthBulk = "-ERR Protocol error: unauthenticated bulk length\r\n";

std::string command(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// DEL with n keys: a request of n + 1 elements that any client may send once authenticated.
std::string del_keys(std::size_t n) {
  std::vector<std::string> args{"DEL"};
  for (std::size_t i = 0; i < n; ++i) args.push_back("k" + std::to_string(i));
  return command(args);
}

Harness with_password() {
  return Harness(with_options([](KvOptions& o) { o.requirepass = "secret"; }));
}

TEST(KvRequestLimits, UnauthenticatedMultibulkOverTenCloses) {
  Harness h = with_password();
  auto s = h.connect();
  Fed fed = feed(*s, "*11\r\n");
  EXPECT_TRUE(fed.progress.close);
  EXPECT_EQ(fed.output, kUnauthMultibulk);
  // Ten is allowed (and gets NOAUTH, like any command before AUTH).
  auto t = h.connect();
  fed = feed(*t, del_keys(9));
  EXPECT_FALSE(fed.progress.close);
  EXPECT_EQ(fed.output, "-NOAUTH Authentication required.\r\n");
}

TEST(KvRequestLimits, UnauthenticatedBulkOver16384ClosesAtTheHeader) {
  Harness h = with_password();
  // Eight clients announcing 256 MiB each: each is refused on the header alone, before a
  // byte of the bulk is taken.
  for (int i = 0; i < 8; ++i) {
    auto s = h.connect();
    const std::string header = "*2\r\n$4\r\nECHO\r\n$268435456\r\n";
    Fed fed = feed(*s, header + std::string(1000, 'x'));
    EXPECT_TRUE(fed.progress.close);
    EXPECT_EQ(fed.output, kUnauthBulk);
  }
  auto s = h.connect();
  Fed fed = feed(*s, command({"ECHO", std::string(16384, 'x')}));
  EXPECT_EQ(fed.output, "-NOAUTH Authentication required.\r\n");
  // Over proto-max-bulk-len is the ordinary error, as in Redis.
  auto t = h.connect();
  EXPECT_EQ(feed(*t, "*2\r\n$4\r\nECHO\r\n$600000000\r\n").output,
            "-ERR Protocol error: invalid bulk length\r\n");
}

TEST(KvRequestLimits, AuthInTheSamePipelineLiftsTheLimits) {
  Harness h = with_password();
  auto s = h.connect();
  Fed fed = feed(
      *s, command({"AUTH", "secret"}) + del_keys(11) + command({"ECHO", std::string(20000, 'x')}));
  EXPECT_FALSE(fed.progress.close);
  EXPECT_EQ(fed.output, "+OK\r\n:0\r\n$20000\r\n" + std::string(20000, 'x') + "\r\n");
}

TEST(KvRequestLimits, WrongPasswordKeepsThem) {
  Harness h = with_password();
  auto s = h.connect();
  Fed fed = feed(*s, command({"AUTH", "nope"}) + "*11\r\n");
  EXPECT_TRUE(fed.progress.close);
  EXPECT_EQ(fed.output, "-WRONGPASS invalid username-password pair or user is disabled.\r\n" +
                            kUnauthMultibulk);
}

TEST(KvRequestLimits, HelloAuthLiftsThemAndResetBringsThemBack) {
  Harness h = with_password();
  auto s = h.connect();
  Fed fed = feed(*s, command({"HELLO", "2", "AUTH", "default", "secret"}) + del_keys(11));
  EXPECT_FALSE(fed.progress.close);
  EXPECT_TRUE(fed.output.ends_with(":0\r\n")) << fed.output;
  fed = feed(*s, command({"RESET"}) + "*11\r\n");
  EXPECT_TRUE(fed.progress.close);
  EXPECT_EQ(fed.output, "+RESET\r\n" + kUnauthMultibulk);
}

TEST(KvRequestLimits, NoPasswordNoLimits) {
  Harness h;
  auto s = h.connect();
  Fed fed = feed(*s, del_keys(11) + command({"ECHO", std::string(20000, 'x')}));
  EXPECT_FALSE(fed.progress.close);
  EXPECT_TRUE(fed.output.starts_with(":0\r\n$20000\r\n"));
}

TEST(KvRequestLimits, MoreThanOneMebiElementsAreServed) {
  Harness h;
  auto s = h.connect();
  Fed fed = feed(*s, del_keys(1024 * 1024 + 1));
  EXPECT_FALSE(fed.progress.close);
  EXPECT_EQ(fed.output, ":0\r\n");
}

TEST(KvRequestLimits, CountOverIntMaxIsInvalid) {
  Harness h;
  auto s = h.connect();
  EXPECT_EQ(feed(*s, "*2147483647\r\n$3\r\nDEL\r\n").output, "");
  auto t = h.connect();
  Fed fed = feed(*t, "*2147483648\r\n");
  EXPECT_TRUE(fed.progress.close);
  EXPECT_EQ(fed.output, "-ERR Protocol error: invalid multibulk length\r\n");
}

}  // namespace
}  // namespace tcpkit::kv::testing
