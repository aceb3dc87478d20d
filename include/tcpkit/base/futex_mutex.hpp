#pragma once
// FutexMutex: a 4-byte mutex (std::mutex is 40) for objects there are many of — a connection's
// outlet, a client's name, a shard of the store. Uncontended lock and unlock are one atomic
// operation each; a waiter sleeps in the kernel (std::atomic::wait, a futex on Linux).
// States: 0 free, 1 held, 2 held with waiters (Drepper, "Futexes Are Tricky"). Satisfies
// Lockable, so std::lock_guard and std::unique_lock take it. Not recursive.

#include <atomic>
#include <cstdint>

namespace tcpkit {

class FutexMutex {
 public:
  void lock() {
    std::uint32_t c = 0;
    if (state_.compare_exchange_strong(c, 1, std::memory_order_acquire)) return;
    if (c != 2) c = state_.exchange(2, std::memory_order_acquire);
    while (c != 0) {
      state_.wait(2, std::memory_order_relaxed);
      c = state_.exchange(2, std::memory_order_acquire);
    }
  }
  bool try_lock() {
    std::uint32_t c = 0;
    return state_.compare_exchange_strong(c, 1, std::memory_order_acquire);
  }
  void unlock() {
    if (state_.exchange(0, std::memory_order_release) == 2) state_.notify_one();
  }

 private:
  std::atomic<std::uint32_t> state_{0};
};

}  // namespace tcpkit
