#include "tcpkit/io/buffer.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "tcpkit/base/assert.hpp"

namespace tcpkit::io {

namespace {

constexpr std::size_t kMinAllocation = 4096;
// Storage this large is mapped directly, so that when a connection that held a lot (a slow
// reader, a huge reply) drains, the memory goes back to the system at once instead of staying
// in an allocator's arena (glibc raises its own mmap threshold as it goes, and keeps per-thread
// arenas). Capacities are powers of two from 4 KiB, so these are whole pages.
constexpr std::size_t kMapThreshold = 1u << 20;

char* allocate(std::size_t capacity) {
  if (capacity >= kMapThreshold) {
    void* p = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    return static_cast<char*>(p);
  }
  char* p = static_cast<char*>(std::malloc(capacity));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void deallocate(char* data, std::size_t capacity) {
  if (data == nullptr) return;
  if (capacity >= kMapThreshold) {
    ::munmap(data, capacity);
  } else {
    std::free(data);
  }
}

}  // namespace

Buffer::Buffer(Buffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      capacity_(std::exchange(other.capacity_, 0)),
      begin_(std::exchange(other.begin_, kCheapPrepend)),
      end_(std::exchange(other.end_, kCheapPrepend)) {}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    deallocate(data_, capacity_);
    data_ = std::exchange(other.data_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
    begin_ = std::exchange(other.begin_, kCheapPrepend);
    end_ = std::exchange(other.end_, kCheapPrepend);
  }
  return *this;
}

Buffer::~Buffer() { deallocate(data_, capacity_); }

void Buffer::consume(std::size_t n) {
  TCPKIT_ASSERT(n <= size());
  begin_ += n;
  // Once drained, start again at the front so the next append needs no move.
  if (begin_ == end_) begin_ = end_ = kCheapPrepend;
}

void Buffer::release() {
  TCPKIT_ASSERT(empty());
  deallocate(data_, capacity_);
  data_ = nullptr;
  capacity_ = 0;
  begin_ = end_ = kCheapPrepend;
}

void Buffer::append(const void* bytes, std::size_t n) {
  if (n == 0) return;
  std::memcpy(prepare(n), bytes, n);
  end_ += n;
}

char* Buffer::prepare(std::size_t n) {
  if (end_ + n > capacity_) make_room(n);
  return data_ + end_;
}

void Buffer::commit(std::size_t n) {
  TCPKIT_ASSERT(end_ + n <= capacity_);
  end_ += n;
}

void Buffer::prepend(const void* bytes, std::size_t n) {
  if (data_ == nullptr) make_room(n);
  if (begin_ < n) {
    // Rare: shift the data right to open a gap in front.
    const std::size_t len = size();
    make_room(n);
    std::memmove(data_ + begin_ + n, data_ + begin_, len);
    end_ += n;
    begin_ += n;
  }
  begin_ -= n;
  std::memcpy(data_ + begin_, bytes, n);
}

// Ensures capacity_ - end_ >= n, moving the readable bytes to the front when that is enough,
// growing the storage (at least doubling) otherwise.
void Buffer::make_room(std::size_t n) {
  const std::size_t len = size();
  if (data_ != nullptr && capacity_ >= kCheapPrepend + len + n && len <= capacity_ / 2) {
    std::memmove(data_ + kCheapPrepend, data_ + begin_, len);
    begin_ = kCheapPrepend;
    end_ = begin_ + len;
    return;
  }
  std::size_t want = kCheapPrepend + len + n;
  std::size_t cap = capacity_ < kMinAllocation ? kMinAllocation : capacity_ * 2;
  while (cap < want) cap *= 2;
  char* fresh = allocate(cap);
  if (len > 0) std::memcpy(fresh + kCheapPrepend, data_ + begin_, len);
  deallocate(data_, capacity_);
  data_ = fresh;
  capacity_ = cap;
  begin_ = kCheapPrepend;
  end_ = begin_ + len;
}

}  // namespace tcpkit::io
