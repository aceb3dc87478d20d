// CompactString: 16-byte string storage, inline up to 15 bytes (see compact_string.hpp).

#include "kv/compact_string.hpp"

#include <algorithm>
#include <new>

namespace tcpkit::kv {
namespace {

// memmove that accepts an empty view (whose data() may be null).
char* move_bytes(char* to, std::string_view from) {
  if (!from.empty()) std::memmove(to, from.data(), from.size());
  return to + from.size();
}

}  // namespace

void CompactString::assign(std::string_view s) {
  if (fits_in_place(s.size())) {
    move_bytes(heap_data(), s);
    set_heap(heap_data(), s.size());
  } else if (is_inline() && s.size() <= kInlineMax) {
    move_bytes(bytes_, s);
    set_inline_size(s.size());
  } else {
    rebuild(s.size(), s, {}, '\0');
  }
}

void CompactString::append(std::string_view s) {
  const std::size_t old = size();
  const std::size_t n = old + s.size();
  if (fits_in_place(n)) {
    move_bytes(heap_data() + old, s);
    set_heap(heap_data(), n);
  } else if (is_inline() && n <= kInlineMax) {
    move_bytes(bytes_ + old, s);
    set_inline_size(n);
  } else {
    rebuild(n, view(), s, '\0');
  }
}

void CompactString::resize(std::size_t n, char fill) {
  const std::size_t old = size();
  if (fits_in_place(n) || (is_inline() && n <= kInlineMax)) {
    if (n > old) std::fill(data() + old, data() + n, fill);
    if (is_inline()) {
      set_inline_size(n);
    } else {
      set_heap(heap_data(), n);
    }
    return;
  }
  rebuild(n, view().substr(0, std::min(old, n)), {}, fill);
}

void CompactString::rebuild(std::size_t n, std::string_view head, std::string_view tail,
                            char fill) {
  char small[kInlineMax];
  char* out = n <= kInlineMax ? small : static_cast<char*>(::operator new(capacity_for(n)));
  char* end = move_bytes(move_bytes(out, head), tail);
  std::fill(end, out + n, fill);
  release();
  if (n <= kInlineMax) {
    move_bytes(bytes_, {small, n});
    set_inline_size(n);
  } else {
    set_heap(out, n);
  }
}

void CompactString::release() noexcept {
  if (!is_inline()) ::operator delete(heap_data());
}

}  // namespace tcpkit::kv
