#pragma once
// CompactString: the bytes of a string value (or of a small hash's packed buffer) in 16 bytes,
// half of a std::string, so that a Value is 32 bytes and a main-dict entry with a short key
// fits a 64-byte malloc chunk (docs/kv.md, "Value model").
//
// Up to 15 bytes live inline; longer strings on the heap. The last byte tells which: inline it
// holds kInline | size; on the heap it is the top byte of the 64-bit size, always 0.
//
//   inline: ┌──────────────────────────────┬────────────────┐
//           │ bytes (15)                   │ kInline | size │
//           └──────────────────────────────┴────────────────┘
//   heap:   ┌──────────────┬────────────────────────────────┐
//           │ data (8)     │ size (8, top byte 0)           │
//           └──────────────┴────────────────────────────────┘
//
// There is no room for a capacity, so it is a function of the size (capacity_for): a heap
// buffer always holds exactly capacity_for(size()) bytes, and a change of size reallocates only
// when that changes. Below 1 KiB the rounding is what a glibc malloc chunk holds anyway (16k + 8
// bytes), so it costs no memory; above, appends grow it by a quarter of its power of two, which
// keeps a run of APPENDs linear. Binary-safe, no terminating NUL. Not thread-safe.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace tcpkit::kv {

class CompactString {
 public:
  static constexpr std::size_t kInlineMax = 15;

  CompactString() noexcept { set_inline_size(0); }
  explicit CompactString(std::string_view s) : CompactString() { assign(s); }
  CompactString(const CompactString& other) : CompactString() { assign(other.view()); }
  CompactString(CompactString&& other) noexcept {
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    other.set_inline_size(0);
  }
  CompactString& operator=(const CompactString& other) {
    if (this != &other) assign(other.view());
    return *this;
  }
  CompactString& operator=(CompactString&& other) noexcept {
    if (this != &other) {
      release();
      std::memcpy(bytes_, other.bytes_, sizeof bytes_);
      other.set_inline_size(0);
    }
    return *this;
  }
  ~CompactString() { release(); }

  std::size_t size() const { return is_inline() ? tag() & kSizeMask : heap_size(); }
  bool empty() const { return size() == 0; }
  const char* data() const { return is_inline() ? bytes_ : heap_data(); }
  char* data() { return is_inline() ? bytes_ : heap_data(); }
  // A contiguous range of chars (std::span<char> takes it).
  char* begin() { return data(); }
  char* end() { return data() + size(); }
  const char* begin() const { return data(); }
  const char* end() const { return data() + size(); }
  std::string_view view() const { return {data(), size()}; }
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)
  // Bytes allocated on the heap (0 inline).
  std::size_t heap_bytes() const { return is_inline() ? 0 : capacity_for(heap_size()); }

  // Replaces the contents with `s` (which may point into this string).
  void assign(std::string_view s);
  // Appends `s` (which may point into this string).
  void append(std::string_view s);
  // Truncates to `n` bytes, or extends with `fill` bytes.
  void resize(std::size_t n, char fill = '\0');
  void clear() { resize(0); }
  void swap(CompactString& other) noexcept {
    char tmp[sizeof bytes_];
    std::memcpy(tmp, bytes_, sizeof bytes_);
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    std::memcpy(other.bytes_, tmp, sizeof bytes_);
  }

  // The bytes a heap buffer for `n` > kInlineMax bytes holds.
  static std::size_t capacity_for(std::size_t n) {
    if (n <= 1024) return ((n + 8 + 15) & ~std::size_t{15}) - 8;
    const std::size_t step = std::bit_floor(n) / 4;
    return (n + step - 1) & ~(step - 1);
  }

 private:
  static_assert(std::endian::native == std::endian::little,
                "the tag byte is the top byte of a heap string's size");
  static constexpr unsigned char kInline = 0x80;
  static constexpr unsigned char kSizeMask = 0x0f;

  unsigned char tag() const { return static_cast<unsigned char>(bytes_[15]); }
  bool is_inline() const { return (tag() & kInline) != 0; }
  void set_inline_size(std::size_t n) { bytes_[15] = static_cast<char>(kInline | n); }
  char* heap_data() const {
    char* p = nullptr;
    std::memcpy(&p, bytes_, sizeof p);
    return p;
  }
  std::size_t heap_size() const {
    std::uint64_t n = 0;
    std::memcpy(&n, bytes_ + 8, sizeof n);
    return static_cast<std::size_t>(n);
  }
  void set_heap(char* p, std::size_t n) {
    const auto size = static_cast<std::uint64_t>(n);
    std::memcpy(bytes_, &p, sizeof p);
    std::memcpy(bytes_ + 8, &size, sizeof size);
  }
  // True when a heap string can become `n` bytes long in its own buffer.
  bool fits_in_place(std::size_t n) const {
    return !is_inline() && n > kInlineMax && capacity_for(n) == capacity_for(heap_size());
  }
  // Makes this `n` bytes long in a fresh buffer (inline or heap): its first bytes are
  // `head`, then `tail`, then `fill` up to n. Both views may point into the old contents.
  void rebuild(std::size_t n, std::string_view head, std::string_view tail, char fill);
  void release() noexcept;

  alignas(8) char bytes_[16];
};

static_assert(sizeof(CompactString) == 16);

}  // namespace tcpkit::kv
