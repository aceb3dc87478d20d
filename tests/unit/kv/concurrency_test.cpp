// Several threads, each with its own session, INCR the same counters: the totals are exact.
// Also built with -fsanitize=thread (build/kv-tsan) to check the locking.

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

TEST(KvConcurrency, IncrFromManyThreadsIsExact) {
  Harness h;
  constexpr int kThreads = 8;
  constexpr int kIncrements = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h, t] {
      auto session = h.open();
      RecordingWriter w;
      for (int i = 0; i < kIncrements; ++i) {
        std::string_view incr_a[] = {"INCR", "counter:a"};
        std::string_view incr_b[] = {"INCRBY", "counter:b", "2"};
        std::string_view set_own[] = {"SET", t % 2 ? "odd" : "even", "x", "PX", "5"};
        session->execute(incr_a, w);
        session->execute(incr_b, w);
        session->execute(set_own, w);
        if (i % 100 == 0) {
          std::string_view list[] = {"CLIENT", "LIST"};
          session->execute(list, w);
          h.service->tick();
        }
        w.take();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(h.run("GET counter:a"), "\"" + std::to_string(kThreads * kIncrements) + "\"");
  EXPECT_EQ(h.run("GET counter:b"), "\"" + std::to_string(2 * kThreads * kIncrements) + "\"");
}

TEST(KvConcurrency, WatchSeesWritesFromOtherThreads) {
  Harness h;
  h.run("SET k 0");
  h.run("WATCH k");
  std::thread writer([&h] {
    auto s = h.open();
    h.run("INCR k", s.get());
  });
  writer.join();
  h.run("MULTI");
  h.run("INCR k");
  EXPECT_EQ(h.run("EXEC"), "(nil-array)");
}

}  // namespace
}  // namespace tcpkit::kv::testing
