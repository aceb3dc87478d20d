// RespRequestDecoder's limits: the unauthenticated limits (Redis's 10 elements / 16384 bytes,
// with their own texts, checked when the header arrives and switchable at runtime), and the
// element count Redis allows (up to INT_MAX) without allocating from the declared count.
//
// The allocation checks count every byte operator new hands out while the decoder runs; the
// replacement below is global to this test binary and only counts when asked to.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "decode_harness.hpp"
#include "tcpkit/codec/resp.hpp"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<std::size_t> g_allocated{0};
}  // namespace

// noinline: GCC would otherwise inline delete next to a visible new and warn about
// malloc/free pairs (-Wmismatched-new-delete), a false positive for a replacement.
[[gnu::noinline]] void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_allocated.fetch_add(n, std::memory_order_relaxed);
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace tcpkit::codec {
namespace {

using testing::bracketed;
using testing::decode_every_way;

// Counts the bytes allocated while `fn` runs.
template <class Fn>
std::size_t allocated_by(Fn&& fn) {
  g_allocated = 0;
  g_counting = true;
  fn();
  g_counting = false;
  return g_allocated.load();
}

RespLimits unauthenticated() {
  RespLimits limits;
  limits.unauthenticated_max_array_length = 10;
  limits.unauthenticated_max_bulk_length = 16384;
  return limits;
}

std::string bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

std::string multibulk(std::size_t n, std::string_view arg) {
  std::string out = "*" + std::to_string(n) + "\r\n";
  for (std::size_t i = 0; i < n; ++i) out += bulk(arg);
  return out;
}

testing::Outcome decode(std::string_view input, RespLimits limits) {
  return decode_every_way([limits] { return RespRequestDecoder(limits); }, input,
                          [](const RespRequestDecoder& d) { return bracketed(d.args()); });
}

TEST(RespRequestLimits, UnauthenticatedMultibulkLength) {
  const std::string text = "Protocol error: unauthenticated multibulk length";
  EXPECT_EQ(decode("*11\r\n", unauthenticated()).error, text);
  EXPECT_EQ(decode(multibulk(11, "x"), unauthenticated()).error, text);
  EXPECT_EQ(decode(multibulk(10, "x"), unauthenticated()).frames.size(), 1u);
  // Redis's order: a count that is invalid anyway says so; empty commands stay empty.
  EXPECT_EQ(decode("*2147483648\r\n", unauthenticated()).error,
            "Protocol error: invalid multibulk length");
  EXPECT_EQ(decode("*-5\r\n", unauthenticated()).frames, std::vector<std::string>{""});
  RespRequestDecoder d(unauthenticated());
  ASSERT_EQ(d.decode("*11\r\n").status, DecodeStatus::kError);
  EXPECT_EQ(d.error().code, ProtocolErrc::kUnauthenticatedLength);
}

TEST(RespRequestLimits, UnauthenticatedBulkLength) {
  const std::string text = "Protocol error: unauthenticated bulk length";
  EXPECT_EQ(decode("*2\r\n$4\r\nECHO\r\n$16385\r\n", unauthenticated()).error, text);
  EXPECT_EQ(decode(multibulk(1, std::string(16385, 'v')), unauthenticated()).error, text);
  EXPECT_EQ(decode(multibulk(1, std::string(16384, 'v')), unauthenticated()).frames.size(), 1u);
  EXPECT_EQ(decode("*1\r\n$600000000\r\n", unauthenticated()).error,
            "Protocol error: invalid bulk length");
}

TEST(RespRequestLimits, CheckedWhenTheHeaderArrivesBeforeAnyBulkByte) {
  RespRequestDecoder d(unauthenticated());
  const std::string header = "*2\r\n$4\r\nECHO\r\n$268435456\r\n";
  const std::size_t bytes =
      allocated_by([&] { ASSERT_EQ(d.decode(header).status, DecodeStatus::kError); });
  EXPECT_EQ(d.error().text, "Protocol error: unauthenticated bulk length");
  EXPECT_LT(bytes, 1024u);
}

TEST(RespRequestLimits, SwitchedAtRuntimeBetweenRequests) {
  RespRequestDecoder d(unauthenticated());
  const std::string auth = multibulk(2, "AUTH");
  ASSERT_EQ(d.decode(auth).status, DecodeStatus::kFrame);
  d.set_limits(RespLimits{});
  EXPECT_EQ(d.limits().unauthenticated_max_array_length, kNoLimit);
  const std::string big = multibulk(11, std::string(20000, 'x'));
  ASSERT_EQ(d.decode(big).status, DecodeStatus::kFrame);
  EXPECT_EQ(d.args().size(), 11u);
  d.set_limits(unauthenticated());
  EXPECT_EQ(d.decode(big).status, DecodeStatus::kError);
}

TEST(RespRequestLimits, CountUpToIntMaxIsAccepted) {
  RespRequestDecoder d;
  EXPECT_EQ(d.decode("*2147483647\r\n$4\r\nPING\r\n").status, DecodeStatus::kNeedMore);
  EXPECT_EQ(decode("*2147483648\r\n", RespLimits{}).error,
            "Protocol error: invalid multibulk length");
}

TEST(RespRequestLimits, MoreThanOneMebiElementsDecode) {
  const std::size_t n = 1024 * 1024 + 1;
  const std::string input = multibulk(n, "k");
  RespRequestDecoder whole;
  ASSERT_EQ(whole.decode(input).status, DecodeStatus::kFrame);
  EXPECT_EQ(whole.args().size(), n);
  // The same frame arriving in 64 KiB reads takes the resumable path.
  RespRequestDecoder chunked;
  std::size_t fed = 0;
  codec::DecodeResult r;
  do {
    fed = std::min(input.size(), fed + 64 * 1024);
    r = chunked.decode(std::string_view(input).substr(0, fed));
  } while (r.status == DecodeStatus::kNeedMore && fed < input.size());
  ASSERT_EQ(r.status, DecodeStatus::kFrame);
  EXPECT_EQ(r.consumed, input.size());
  EXPECT_EQ(chunked.args().size(), n);
  EXPECT_EQ(chunked.args().back(), "k");
}

// A client declaring 2^31-1 elements and sending 100 000 of them costs memory in proportion
// to those 100 000 (16 bytes of table per argument of at least 7 bytes), never to the count.
TEST(RespRequestLimits, NoAllocationFromTheDeclaredCount) {
  std::string input = "*2147483647\r\n";
  for (int i = 0; i < 100000; ++i) input += "$1\r\nx\r\n";
  RespRequestDecoder d;
  const std::size_t bytes = allocated_by([&] {
    for (std::size_t fed = 0; fed < input.size();) {
      fed = std::min(input.size(), fed + 4096);
      ASSERT_EQ(d.decode(std::string_view(input).substr(0, fed)).status, DecodeStatus::kNeedMore);
    }
  });
  EXPECT_LE(bytes, 6 * input.size());
  EXPECT_LE(d.heap_bytes(), 6 * input.size());
  // Nothing at all for a header alone.
  RespRequestDecoder fresh;
  EXPECT_EQ(allocated_by([&] { (void)fresh.decode("*2147483647\r\n$1\r\n"); }), 0u);
}

TEST(RespRequestLimits, LargeTablesAreReleasedAfterTheFrame) {
  RespRequestDecoder d;
  ASSERT_EQ(d.decode(multibulk(100000, "k")).status, DecodeStatus::kFrame);
  EXPECT_GE(d.heap_bytes(), 100000 * sizeof(std::string_view));
  ASSERT_EQ(d.decode(multibulk(2, "k")).status, DecodeStatus::kFrame);
  EXPECT_LT(d.heap_bytes(), 4096u);
}

}  // namespace
}  // namespace tcpkit::codec
