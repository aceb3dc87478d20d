// Outlet: see outlet.hpp.
#include "tcpkit/server/outlet.hpp"

namespace tcpkit::server {

bool Outlet::push(std::string_view bytes) {
  std::lock_guard lock(mutex_);
  if (waker_ == nullptr || state_ != State::kOpen) return false;
  const std::size_t limit = push_limit_.load(std::memory_order_relaxed);
  const std::size_t held = pushed_ ? pushed_->size() : 0;
  if (limit > 0 && held + bytes.size() > limit) {
    // The owner has not taken what it holds for that long: its client is not reading (the
    // owner stops taking at its own limits) or cannot keep up. Drop the connection.
    state_ = State::kOverflowed;
    pushed_.reset();
    pending_.store(0, std::memory_order_relaxed);
    signal_locked();
    return false;
  }
  if (!pushed_) pushed_ = std::make_unique<io::Buffer>();
  pushed_->append(bytes);
  pending_.store(clamp32(pushed_->size()), std::memory_order_relaxed);
  signal_locked();
  return true;
}

void Outlet::wake() {
  std::lock_guard lock(mutex_);
  if (waker_ != nullptr) signal_locked();
}

void Outlet::kill() {
  std::lock_guard lock(mutex_);
  if (waker_ == nullptr || state_ != State::kOpen) return;
  state_ = State::kKilled;
  signal_locked();
}

bool Outlet::open() const {
  std::lock_guard lock(mutex_);
  return waker_ != nullptr && state_ == State::kOpen;
}

void Outlet::signal_locked() {
  if (signaled_) return;
  signaled_ = true;
  waker_->wake(shared_from_this());
}

Outlet::State Outlet::take(io::Buffer& out) {
  std::lock_guard lock(mutex_);
  signaled_ = false;
  if (pushed_ && !pushed_->empty()) {
    out.append(pushed_->view());
    pushed_->clear();
    if (pushed_->capacity() > 64 * 1024) pushed_.reset();  // a burst gives its memory back
    pending_.store(0, std::memory_order_relaxed);
  }
  return state_;
}

void Outlet::detach() {
  std::lock_guard lock(mutex_);
  waker_ = nullptr;
  owner_ = nullptr;
  pushed_.reset();
  pending_.store(0, std::memory_order_relaxed);
}

}  // namespace tcpkit::server
