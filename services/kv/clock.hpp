#pragma once
// Clock: where kv reads the time. The store asks it for every command (TTLs are absolute Unix
// times in milliseconds, as in Redis), so tests inject a ManualClock and move time by hand.
// Thread-safe: now_us() may be called from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace tcpkit::kv {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch.
  virtual std::int64_t now_us() const = 0;
  std::int64_t now_ms() const { return now_us() / 1000; }
};

// The wall clock (std::chrono::system_clock).
class SystemClock final : public Clock {
 public:
  std::int64_t now_us() const override {
    auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count();
  }
};

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms = 1'700'000'000'000) : us_(start_ms * 1000) {}
  std::int64_t now_us() const override { return us_.load(std::memory_order_relaxed); }
  void set_ms(std::int64_t ms) { us_.store(ms * 1000, std::memory_order_relaxed); }
  void advance_ms(std::int64_t ms) { us_.fetch_add(ms * 1000, std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> us_;
};

}  // namespace tcpkit::kv
