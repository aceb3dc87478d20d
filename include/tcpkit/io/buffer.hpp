#pragma once
// Buffer: a growable byte queue for one connection's input or output.
//
//   +-----------+--------------------+-------------------+
//   | prependable|  readable (data)  |     writable      |
//   +-----------+--------------------+-------------------+
//   0        begin_               end_              capacity_
//
// Readers look at view() and consume() from the front; writers append() at the back, or
// prepare(n) / commit(k) to let read() fill the writable region directly. A small prependable
// region in front lets a framer write a header before a payload without copying it.
//
// Memory is allocated on first use and can be given back with release() once the buffer is
// drained, so an idle connection holds no buffer at all. Owns its storage; not thread-safe.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tcpkit::io {

class Buffer {
 public:
  static constexpr std::size_t kCheapPrepend = 8;

  Buffer() = default;
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer();

  std::size_t size() const { return end_ - begin_; }
  bool empty() const { return end_ == begin_; }
  std::size_t capacity() const { return capacity_; }
  const char* data() const { return data_ + begin_; }
  std::string_view view() const { return {data_ + begin_, size()}; }

  // Drops n readable bytes from the front (n <= size()).
  void consume(std::size_t n);
  // Drops everything readable; keeps the storage.
  void clear() { begin_ = end_ = kCheapPrepend; }
  // Drops the bytes past the first `n` (n <= size()): takes back what was just appended.
  void truncate(std::size_t n) { end_ = begin_ + n; }
  // Frees the storage when the buffer is empty (an idle connection keeps nothing).
  void release();

  void append(const void* bytes, std::size_t n);
  void append(std::string_view s) { append(s.data(), s.size()); }
  void append_byte(char c) { *prepare(1) = c, commit(1); }

  // Makes room for at least n more bytes and returns where they go; commit(k) publishes k of them.
  char* prepare(std::size_t n);
  void commit(std::size_t n);
  // Bytes that can be written after prepare() without another allocation.
  std::size_t writable() const { return capacity_ > end_ ? capacity_ - end_ : 0; }

  // Puts n bytes in front of the readable data (used for length headers).
  void prepend(const void* bytes, std::size_t n);

 private:
  void make_room(std::size_t n);

  char* data_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t begin_ = kCheapPrepend;
  std::size_t end_ = kCheapPrepend;
};

}  // namespace tcpkit::io
