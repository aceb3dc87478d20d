// The store on many threads: sessions on different threads, each with its own session, on the
// same and on different keys. Totals are exact, multi-key commands and MULTI/EXEC are atomic
// across shards, and a command on one shard runs while another shard is held. Also run under
// ThreadSanitizer (make tsan), which checks the locking itself.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
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

// Runs a command line on `s` from any thread (Harness::run records into the harness).
std::string call(KvSession& s, std::string_view line) {
  const std::vector<std::string> words = split_words(line);
  std::vector<std::string_view> args(words.begin(), words.end());
  RecordingWriter w;
  s.execute(args, w);
  return w.take();
}

// Keys that fall in `n` different shards.
std::vector<std::string> keys_in_distinct_shards(std::size_t n) {
  std::vector<std::string> keys;
  ShardMask seen = 0;
  for (int i = 0; keys.size() < n; ++i) {
    std::string key = "acct:" + std::to_string(i);
    if ((seen & shard_bit(key)) != 0) continue;
    seen |= shard_bit(key);
    keys.push_back(std::move(key));
  }
  return keys;
}

// Money moves between accounts in different shards by MULTI/EXEC while a reader sums all
// accounts with one MGET: every sum it sees is the total, so it never saw half of a transfer.
TEST(KvConcurrency, TransfersAcrossShardsAreAtomic) {
  Harness h;
  constexpr int kAccounts = 8;
  constexpr int kStart = 1000;
  const std::vector<std::string> accounts = keys_in_distinct_shards(kAccounts);
  std::string mget = "MGET";
  for (const std::string& a : accounts) {
    h.run("SET " + a + " " + std::to_string(kStart));
    mget += " " + a;
  }
  std::atomic<bool> writers_done{false};
  std::atomic<int> sums_checked{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      auto s = h.open();
      // At least 1500 transfers each, and on until the reader has summed 100 times (bounded).
      for (int i = 0; i < 1500 || (sums_checked.load() < 100 && i < 1'000'000); ++i) {
        const std::string& from = accounts[static_cast<std::size_t>((i + t) % kAccounts)];
        const std::string& to = accounts[static_cast<std::size_t>((i * 3 + t + 1) % kAccounts)];
        if (from == to) continue;
        call(*s, "MULTI");
        call(*s, "DECRBY " + from + " 7");
        call(*s, "INCRBY " + to + " 7");
        ASSERT_EQ(call(*s, "EXEC").front(), '[');
      }
    });
  }
  std::thread reader([&] {
    auto s = h.open();
    while (!writers_done.load()) {
      const std::string reply = call(*s, mget);  // ["993", "1007", ...]
      long long sum = 0;
      for (std::size_t pos = reply.find('"'); pos != std::string::npos;
           pos = reply.find('"', reply.find('"', pos + 1) + 1)) {
        sum += std::stoll(reply.substr(pos + 1));
      }
      ASSERT_EQ(sum, static_cast<long long>(kAccounts) * kStart) << reply;
      ++sums_checked;
    }
  });
  for (auto& w : writers) w.join();
  writers_done = true;
  reader.join();
  EXPECT_GE(sums_checked.load(), 100);
}

// Optimistic locking from many threads: WATCH, GET, MULTI, SET, EXEC, retried when EXEC
// returns null. The final count is exact only if EXEC and the watched versions are atomic.
TEST(KvConcurrency, WatchRetryLoopsCountExactly) {
  Harness h;
  h.run("SET counter 0");
  constexpr int kThreads = 4;
  constexpr int kIncrements = 300;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto s = h.open();
      for (int done = 0; done < kIncrements;) {
        call(*s, "WATCH counter");
        const std::string v = call(*s, "GET counter");
        const long long n = std::stoll(v.substr(1));
        call(*s, "MULTI");
        call(*s, "SET counter " + std::to_string(n + 1));
        call(*s, "SET other " + std::to_string(n));  // another shard in the same EXEC
        if (call(*s, "EXEC") != "(nil-array)") ++done;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(h.run("GET counter"), "\"" + std::to_string(kThreads * kIncrements) + "\"");
}

// RENAME moves a key between shards while other threads look for it: EXISTS on both names
// always finds exactly one, and whole-keyspace commands (DBSIZE, KEYS, SCAN, INFO) run beside.
TEST(KvConcurrency, RenameBetweenShardsIsNeverHalfDone) {
  Harness h;
  const std::vector<std::string> names = keys_in_distinct_shards(2);
  h.run("SET " + names[0] + " v");
  std::atomic<bool> done{false};
  std::atomic<int> checks{0};
  std::thread renamer([&] {
    auto s = h.open();
    // At least 2000 renames, and on until the checker has looked 200 times (bounded).
    for (std::size_t i = 0; i < 2000 || (checks.load() < 200 && i < 1'000'000); ++i) {
      call(*s, "RENAME " + names[i % 2] + " " + names[(i + 1) % 2]);
    }
    done = true;
  });
  std::thread whole([&] {
    auto s = h.open();
    while (!done.load()) {
      ASSERT_EQ(call(*s, "DBSIZE"), ":1");
      call(*s, "KEYS *");
      call(*s, "SCAN 0 COUNT 100");
      call(*s, "INFO keyspace");
    }
  });
  auto s = h.open();
  while (!done.load()) {
    ASSERT_EQ(call(*s, "EXISTS " + names[0] + " " + names[1]), ":1");
    ++checks;
  }
  renamer.join();
  whole.join();
  EXPECT_GE(checks.load(), 200);
}

// The point of shards: while one shard is held (here by the test itself, as a long command
// would hold it), a command on a key of another shard completes; one on the held shard waits
// and completes once it is released.
TEST(KvConcurrency, AnotherShardIsNotBlocked) {
  Harness h;
  const std::vector<std::string> keys = keys_in_distinct_shards(2);
  auto held_session = h.open();
  auto free_session = h.open();
  std::promise<void> release;
  std::promise<void> holding;
  std::thread holder([&] {
    ShardLock lock(h.service->store().shards(), shard_bit(keys[0]));
    holding.set_value();
    release.get_future().wait();
  });
  holding.get_future().wait();
  auto on_free =
      std::async(std::launch::async, [&] { return call(*free_session, "SET " + keys[1] + " x"); });
  auto on_held =
      std::async(std::launch::async, [&] { return call(*held_session, "SET " + keys[0] + " x"); });
  ASSERT_EQ(on_free.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(on_free.get(), "+OK");
  EXPECT_EQ(on_held.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  release.set_value();
  holder.join();
  EXPECT_EQ(on_held.get(), "+OK");
}

}  // namespace
}  // namespace tcpkit::kv::testing
