// Outlet's own bound (outlet.hpp): pushes that the owner has not taken may not pass the push
// limit, whether or not the owner ever runs; the push past it is dropped and the outlet is
// overflowed, so a connection whose loop is busy elsewhere cannot make the server buffer more.
#include "tcpkit/server/outlet.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace tcpkit::server {
namespace {

class CountingWaker : public Outlet::Waker {
 public:
  virtual ~CountingWaker() = default;
  void wake(std::shared_ptr<Outlet>) override { ++wakes; }
  int wakes = 0;
};

TEST(OutletTest, PushesPastTheLimitAreDroppedAndOverflowTheOutlet) {
  CountingWaker waker;
  auto outlet = std::make_shared<Outlet>(&waker, &waker, 1000);
  const std::string message(600, 'm');
  EXPECT_TRUE(outlet->push(message));
  EXPECT_EQ(outlet->pending(), 600u);
  EXPECT_EQ(waker.wakes, 1);
  EXPECT_FALSE(outlet->push(message));  // 1200 > 1000, the owner never took the first
  EXPECT_FALSE(outlet->open());
  EXPECT_LE(outlet->pending(), 1000u);
  EXPECT_FALSE(outlet->push("x"));  // nothing more is held once overflowed
  io::Buffer out;
  EXPECT_EQ(outlet->take(out), Outlet::State::kOverflowed);
  outlet->detach();
}

TEST(OutletTest, TakingMakesRoomAgain) {
  CountingWaker waker;
  auto outlet = std::make_shared<Outlet>(&waker, &waker, 1000);
  const std::string message(600, 'm');
  io::Buffer out;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(outlet->push(message)) << i;
    ASSERT_EQ(outlet->take(out), Outlet::State::kOpen);
  }
  EXPECT_EQ(out.size(), 6000u);
  EXPECT_TRUE(outlet->open());
  outlet->detach();
}

}  // namespace
}  // namespace tcpkit::server
