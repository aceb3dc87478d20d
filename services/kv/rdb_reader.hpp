#pragma once
// Reader: the RDB loader's source of bytes (rdb_loader.cpp only). It hands out bytes in order
// from a string or from a file (read 64 KiB at a time), counting the offset and the CRC-64 of
// what it consumed, and knows how many bytes remain (the file's size from fstat), so every
// length is checked against the bytes that exist before anything is allocated for it. A short
// file or a read error throws LoadFailure, which the loader turns into an Error at its API.
// Not thread-safe; does not own the fd.

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "kv/rdb_format.hpp"

namespace tcpkit::kv::rdb::detail {

struct LoadFailure {
  std::uint64_t offset;
  std::string what;
};

class Reader {
 public:
  explicit Reader(std::string_view bytes) : data_(bytes), size_(bytes.size()) {}
  Reader(int fd, std::uint64_t size) : fd_(fd), size_(size) {}

  std::uint64_t offset() const { return offset_; }
  std::uint64_t remaining() const { return size_ - offset_; }
  std::uint64_t crc() const { return crc_; }
  [[noreturn]] void fail(const std::string& what) const { throw LoadFailure{offset_, what}; }

  // Appends `n` bytes to `out`; fails naming `what` when the file has fewer.
  void take(std::uint64_t n, std::string& out, const char* what) {
    if (n > remaining()) {
      fail(std::string("expected ") + std::to_string(n) + " bytes of " + what + ", the file has " +
           std::to_string(remaining()) + " left");
    }
    out.reserve(out.size() + n);
    while (n > 0) {
      if (pos_ == data_.size()) refill();
      const std::size_t k = std::min<std::uint64_t>(n, data_.size() - pos_);
      const std::string_view piece = data_.substr(pos_, k);
      out += piece;
      crc_ = crc64(crc_, piece);
      pos_ += k, offset_ += k, n -= k;
    }
  }
  std::uint8_t u8(const char* what) {
    std::string b;
    take(1, b, what);
    return static_cast<std::uint8_t>(b[0]);
  }
  // A fixed-width integer, little-endian or big-endian.
  std::uint64_t fixed(std::size_t n, bool little, const char* what) {
    std::string b;
    take(n, b, what);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto byte = static_cast<unsigned char>(b[little ? n - 1 - i : i]);
      v = v << 8 | byte;
    }
    return v;
  }

 private:
  void refill() {
    buf_.resize(64 * 1024);
    for (;;) {
      const ssize_t n = ::read(fd_, buf_.data(), buf_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail(std::string("read: ") + std::strerror(errno));
      if (n == 0) fail("the file ended early (it shrank while being read)");
      data_ = std::string_view(buf_.data(), static_cast<std::size_t>(n));
      pos_ = 0;
      return;
    }
  }

  int fd_ = -1;
  std::string buf_;
  std::string_view data_;
  std::size_t pos_ = 0;
  std::uint64_t offset_ = 0;
  std::uint64_t size_;
  std::uint64_t crc_ = 0;
};

}  // namespace tcpkit::kv::rdb::detail
