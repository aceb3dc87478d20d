#include "tcpkit/base/result.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace tcpkit {
namespace {

Result<int> parse_port(const std::string& s) {
  if (s == "7000") return 7000;
  return Fail(Error(std::make_error_code(std::errc::invalid_argument), "port " + s));
}

TEST(Result, HoldsAValue) {
  Result<int> r = parse_port("7000");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.value(), 7000);
  EXPECT_EQ(*r, 7000);
  *r = 7001;
  EXPECT_EQ(r.value(), 7001);
}

TEST(Result, HoldsAnError) {
  const Result<int> r = parse_port("x");
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error().code(), std::errc::invalid_argument);
  EXPECT_EQ(r.error().context(), "port x");
}

TEST(Result, MoveOnlyValuesAndArrow) {
  Result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("abc");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->get()->size(), 3u);
  std::unique_ptr<std::string> taken = std::move(r).value();
  EXPECT_EQ(*taken, "abc");
}

TEST(ResultVoid, DefaultIsSuccessAndFailCarriesTheError) {
  const Result<void> ok;
  EXPECT_TRUE(ok.ok());
  const Result<void> bad = Fail(Error::from_errno(ECONNREFUSED, "connect 127.0.0.1:1"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code().value(), ECONNREFUSED);
  EXPECT_EQ(bad.error().code().category(), std::system_category());
}

// Reading the alternative a Result does not hold is a bug, caught in every build type: these
// run in the release build too, where NDEBUG would have silenced a plain assert().
TEST(ResultDeathTest, ValueOfAnErrorAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const Result<int> bad = parse_port("x");
  EXPECT_DEATH((void)bad.value(), "assertion failed: .*Result::value\\(\\) on an error");
  EXPECT_DEATH((void)*bad, "Result::value\\(\\) on an error");
  Result<std::unique_ptr<std::string>> moved = Fail(Error::from_errno(EINVAL, "x"));
  EXPECT_DEATH((void)std::move(moved).value(), "Result::value\\(\\) on an error");
}

TEST(ResultDeathTest, ErrorOfAValueAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const Result<int> good = parse_port("7000");
  EXPECT_DEATH((void)good.error(), "Result::error\\(\\) on a value");
  const Result<void> ok;
  EXPECT_DEATH((void)ok.error(), "Result::error\\(\\) on a success");
}

}  // namespace
}  // namespace tcpkit
