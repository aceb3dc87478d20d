#pragma once
// Relaxed<T>: a value one thread writes and other threads may read at any time, such as a
// statistic or a setting: an atomic whose loads and stores are memory_order_relaxed, used like a
// plain T (it converts to T, assigns from T, and copies by value).
//
// It orders nothing else. For a counter that several threads change, use add() (an atomic
// read-modify-write); `x = x + d` is only right where one writer at a time is guaranteed (a lock
// held, or a single owning thread).

#include <atomic>

namespace tcpkit {

template <class T>
class Relaxed {
 public:
  Relaxed(T v = T{}) : v_(v) {}  // NOLINT(google-explicit-constructor): used like a T
  Relaxed(const Relaxed& other) : v_(other.load()) {}
  Relaxed& operator=(const Relaxed& other) {
    store(other.load());
    return *this;
  }
  Relaxed& operator=(T v) {
    store(v);
    return *this;
  }
  operator T() const { return load(); }  // NOLINT(google-explicit-constructor)

  T load() const { return v_.load(std::memory_order_relaxed); }
  void store(T v) { v_.store(v, std::memory_order_relaxed); }
  T add(T d) { return v_.fetch_add(d, std::memory_order_relaxed) + d; }

 private:
  std::atomic<T> v_;
};

}  // namespace tcpkit
