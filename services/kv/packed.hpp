#pragma once
// Packed: a small collection of binary-safe strings in one contiguous buffer — tcpkit's
// counterpart of Redis's listpack, used for a small hash (field, value, field, value, ...).
//
//   buffer: ┌─────────────┬──────────┬───────┬──────────┬───────┬─────
//           │ count (u32) │ len (LEB) │ bytes │ len (LEB) │ bytes │ ...
//           └─────────────┴──────────┴───────┴──────────┴───────┴─────
//
// `count` is the number of strings. Lengths are LEB128 varints (one byte up to 127). Lookups
// scan from the front, as a listpack's do: every operation is O(total bytes), which the
// encoding thresholds keep small (hash-max-listpack-entries/value). The order is insertion
// order, as Redis keeps it in a listpack. Writes reallocate to the new size, so a small
// collection wastes no capacity. The buffer is a std::string (a small list's) or a
// CompactString (a small hash's, in its Value): readers take a view, writers either. Not
// thread-safe.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tcpkit::kv::packed {

inline constexpr std::size_t kHeader = sizeof(std::uint32_t);

inline std::string empty() { return std::string(kHeader, '\0'); }

inline std::uint32_t count(std::string_view buf) {
  std::uint32_t n = 0;
  std::memcpy(&n, buf.data(), sizeof n);
  return n;
}

template <class Buffer>
void set_count(Buffer& buf, std::uint32_t n) {
  std::memcpy(buf.data(), &n, sizeof n);
}

// A read position in a buffer; next() yields the strings in order.
class Cursor {
 public:
  explicit Cursor(std::string_view buf) : data_(buf.data()), end_(buf.data() + buf.size()) {
    data_ += kHeader;
  }
  bool done() const { return data_ >= end_; }
  // The offset of the next string's length prefix from the buffer's start.
  std::size_t offset(std::string_view buf) const {
    return static_cast<std::size_t>(data_ - buf.data());
  }
  std::string_view next() {
    std::uint64_t len = 0;
    int shift = 0;
    for (;;) {
      const auto byte = static_cast<unsigned char>(*data_++);
      len |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) break;
      shift += 7;
    }
    std::string_view s(data_, static_cast<std::size_t>(len));
    data_ += len;
    return s;
  }

 private:
  const char* data_;
  const char* end_;
};

inline std::size_t varint_size(std::size_t n) {
  std::size_t bytes = 1;
  while (n >= 0x80) {
    n >>= 7;
    ++bytes;
  }
  return bytes;
}

// Writes `n` as a LEB128 varint at `out`; returns the end of what it wrote.
inline char* write_varint(char* out, std::size_t n) {
  while (n >= 0x80) {
    *out++ = static_cast<char>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  *out++ = static_cast<char>(n);
  return out;
}

inline void put_varint(std::string& out, std::size_t n) {
  char bytes[10];
  out.append(bytes, static_cast<std::size_t>(write_varint(bytes, n) - bytes));
}

inline std::size_t encoded_size(std::string_view s) { return varint_size(s.size()) + s.size(); }

// Writes the encoding of `s` (length, bytes) at `out`; returns the end of what it wrote.
inline char* write_string(char* out, std::string_view s) {
  return std::copy(s.begin(), s.end(), write_varint(out, s.size()));
}

// Replaces bytes [at, at + erase) of `buf` by the encodings of `strings`, reallocating to the
// exact new size (a listpack's realloc) and adjusting the count by `count_delta`.
template <class Buffer>
void splice(Buffer& buf, std::size_t at, std::size_t erase,
            std::initializer_list<std::string_view> strings, int count_delta) {
  std::size_t added = 0;
  for (std::string_view s : strings) added += encoded_size(s);
  if (added == erase && count_delta == 0) {
    // Same size (HSET of a field to a value as long as the old one): rewrite in place, no
    // allocation.
    char* out = buf.data() + at;
    for (std::string_view s : strings) out = write_string(out, s);
    return;
  }
  Buffer next;
  next.resize(buf.size() - erase + added);
  char* out = std::copy(buf.data(), buf.data() + at, next.data());
  for (std::string_view s : strings) out = write_string(out, s);
  std::copy(buf.data() + at + erase, buf.data() + buf.size(), out);
  set_count(next, static_cast<std::uint32_t>(static_cast<std::int64_t>(count(next)) + count_delta));
  buf.swap(next);
}

// Pairs (even count): where `key` is, as the offsets of its entry and of the pair's end.
struct PairAt {
  std::size_t begin, end;
  std::string_view value;
};

inline bool find_pair(std::string_view buf, std::string_view key, PairAt& at) {
  Cursor c(buf);
  while (!c.done()) {
    const std::size_t begin = c.offset(buf);
    std::string_view k = c.next();
    std::string_view v = c.next();
    if (k == key) {
      at = {begin, c.offset(buf), v};
      return true;
    }
  }
  return false;
}

}  // namespace tcpkit::kv::packed
