#include "tcpkit/base/error.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace tcpkit {
namespace {

TEST(Error, MessageJoinsContextAndReason) {
  const Error e = Error::from_errno(EADDRINUSE, "bind 0.0.0.0:7000");
  EXPECT_EQ(e.message(), std::string("bind 0.0.0.0:7000: ") + std::strerror(EADDRINUSE));
  EXPECT_EQ(e.context(), "bind 0.0.0.0:7000");
  EXPECT_EQ(e.code(), std::errc::address_in_use);
}

TEST(Error, WithoutContextIsJustTheReason) {
  const Error e(std::make_error_code(std::errc::timed_out));
  EXPECT_EQ(e.message(), std::make_error_code(std::errc::timed_out).message());
  EXPECT_TRUE(e.context().empty());
}

TEST(Error, FromErrnoReadsTheCurrentErrno) {
  errno = ENOENT;
  const Error e = Error::from_errno("open /nope");
  EXPECT_EQ(e.code().value(), ENOENT);
  EXPECT_EQ(e.code().category(), std::system_category());
}

TEST(Error, DefaultIsNoError) {
  const Error e;
  EXPECT_FALSE(e.code());
  EXPECT_TRUE(e.context().empty());
}

}  // namespace
}  // namespace tcpkit
