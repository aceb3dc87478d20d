// MULTI / EXEC / DISCARD / WATCH / UNWATCH.

#include <gtest/gtest.h>

#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

TEST(KvMulti, QueueAndExec) {
  Harness h;
  EXPECT_EQ(h.run("MULTI"), "+OK");
  EXPECT_EQ(h.run("MULTI"), "-ERR MULTI calls can not be nested");
  EXPECT_EQ(h.run("WATCH x"), "-ERR WATCH inside MULTI is not allowed");
  EXPECT_EQ(h.run("SET a 1"), "+QUEUED");
  EXPECT_EQ(h.run("SET y 1 foo"), "+QUEUED");  // syntax errors surface inside EXEC
  EXPECT_EQ(h.run("INCR a"), "+QUEUED");
  EXPECT_EQ(h.run("GET a"), "+QUEUED");
  EXPECT_EQ(h.run("EXEC"), "[+OK, -ERR syntax error, :2, \"2\"]");
  EXPECT_EQ(h.run("EXEC"), "-ERR EXEC without MULTI");
  EXPECT_EQ(h.run("DISCARD"), "-ERR DISCARD without MULTI");
}

TEST(KvMulti, ExecAbortAfterQueueingError) {
  Harness h;
  h.run("MULTI");
  EXPECT_EQ(h.run("SET x"), "-ERR wrong number of arguments for 'set' command");
  EXPECT_EQ(h.run("SET y 2"), "+QUEUED");
  EXPECT_EQ(h.run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(h.run("GET y"), "(nil)");
  h.run("MULTI");
  EXPECT_EQ(h.run("nosuch"), "-ERR unknown command 'nosuch', with args beginning with: ");
  EXPECT_EQ(h.run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.");
}

TEST(KvMulti, Discard) {
  Harness h;
  h.run("MULTI");
  h.run("SET a 1");
  EXPECT_EQ(h.run("DISCARD"), "+OK");
  EXPECT_EQ(h.run("GET a"), "(nil)");
}

TEST(KvMulti, SelectInsideTransaction) {
  Harness h;
  h.run("MULTI");
  h.run("SELECT 5");
  h.run("SET a 1");
  EXPECT_EQ(h.run("EXEC"), "[+OK, +OK]");
  EXPECT_EQ(h.run("GET a"), "\"1\"");
  h.run("SELECT 0");
  EXPECT_EQ(h.run("GET a"), "(nil)");
}

TEST(KvWatch, ModifiedByAnotherSessionAbortsExec) {
  Harness h;
  auto other = h.open();
  h.run("SET k 1");
  EXPECT_EQ(h.run("WATCH k"), "+OK");
  EXPECT_EQ(h.run("SET k 2", other.get()), "+OK");
  h.run("MULTI");
  h.run("SET k 3");
  EXPECT_EQ(h.run("EXEC"), "(nil-array)");
  EXPECT_EQ(h.run("GET k"), "\"2\"");
  // The watch is gone after EXEC: the next transaction runs.
  h.run("MULTI");
  h.run("SET k 3");
  EXPECT_EQ(h.run("EXEC"), "[+OK]");
}

TEST(KvWatch, UntouchedKeysAndUnwatch) {
  Harness h;
  auto other = h.open();
  h.run("WATCH k missing");
  h.run("SET unrelated 1", other.get());
  h.run("MULTI");
  h.run("INCR k");
  EXPECT_EQ(h.run("EXEC"), "[:1]");
  h.run("WATCH k");
  h.run("SET k 5", other.get());
  EXPECT_EQ(h.run("UNWATCH"), "+OK");
  h.run("MULTI");
  h.run("INCR k");
  EXPECT_EQ(h.run("EXEC"), "[:6]");
}

TEST(KvWatch, CreationDeletionFlushAndExpiryCount) {
  Harness h;
  auto other = h.open();
  h.run("WATCH fresh");
  h.run("SET fresh 1", other.get());
  h.run("MULTI");
  EXPECT_EQ(h.run("EXEC"), "(nil-array)");

  h.run("WATCH fresh");
  h.run("FLUSHALL", other.get());
  h.run("MULTI");
  EXPECT_EQ(h.run("EXEC"), "(nil-array)");

  h.run("SET t v PX 100");
  h.run("WATCH t");
  h.clock->advance_ms(200);
  h.run("MULTI");
  EXPECT_EQ(h.run("EXEC"), "(nil-array)");

  h.run("WATCH absent");
  h.run("FLUSHDB", other.get());  // flushing a database without the key is no change
  h.run("MULTI");
  EXPECT_EQ(h.run("EXEC"), "[]");
}

TEST(KvWatch, DiscardAndResetUnwatch) {
  Harness h;
  auto other = h.open();
  h.run("WATCH k");
  h.run("MULTI");
  h.run("DISCARD");
  h.run("SET k 1", other.get());
  h.run("MULTI");
  EXPECT_EQ(h.run("EXEC"), "[]");
}

}  // namespace
}  // namespace tcpkit::kv::testing
