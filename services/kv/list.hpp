#pragma once
// List: the payload of a list key — a sequence of binary-safe strings — in one of two forms:
//
//   packed  while small (list-max-listpack-size: at most N elements when N > 0, at most
//           4 KiB << (-N - 1) bytes when N < 0, 8 KiB by default): one contiguous buffer
//           (packed.hpp, the layout of a small hash), as Redis keeps a small list in one
//           listpack node; every operation scans it, O(its bytes), which the limit bounds.
//   deque   beyond that: a std::deque of strings, O(1) push and pop at both ends and O(1)
//           indexing. A list that became a deque stays one (a quicklist never shrinks back
//           in Redis 7.0 either).
//
// Redis 7.0 stores every list as a quicklist; OBJECT ENCODING says so whatever the form.
// Indexes here are already normalized (0-based, in range): the commands translate Redis's
// negative indexes. The running count of heap bytes keeps memory accounting from walking the
// elements. Not thread-safe: guarded by its shard's lock.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kv/encoding_limits.hpp"
#include "kv/packed.hpp"
#include "kv/value.hpp"

namespace tcpkit::kv {

class List {
 public:
  List() : packed_(packed::empty()) {}
  // A deep copy (COPY).
  List(const List& other)
      : packed_(other.packed_),
        deque_(other.deque_ ? std::make_unique<std::deque<std::string>>(*other.deque_) : nullptr),
        element_bytes_(other.deque_ ? other.element_bytes_ : string_heap_bytes(packed_)) {}
  List& operator=(const List&) = delete;

  std::size_t size() const { return deque_ ? deque_->size() : packed::count(packed_); }
  bool empty() const { return size() == 0; }
  bool is_packed() const { return deque_ == nullptr; }
  // Bytes owned: this object, the packed buffer, or the deque's string objects and buffers.
  std::size_t bytes() const { return sizeof(List) + element_bytes_; }

  // Element `i`: O(1) for a deque, O(i) for a packed list.
  std::string_view at(std::size_t i) const;
  // Calls fn(index, element) from element `first` toward the tail (toward the head when
  // `reverse`) until fn returns false or the list ends. O(elements visited) for a deque; for a
  // packed list, one pass over its bytes.
  template <class Fn>
  void scan(std::size_t first, bool reverse, Fn&& fn) const;

  // Writes: those that add bytes take the limits, and a packed list that goes over them
  // becomes a deque.
  void push_front(std::string_view s, const EncodingLimits& limits);
  void push_back(std::string_view s, const EncodingLimits& limits);
  std::string pop_front();
  std::string pop_back();
  void set(std::size_t i, std::string_view s, const EncodingLimits& limits);
  // Inserts `s` so that it becomes element `i` (i == size() appends). O(min(i, size - i)).
  void insert(std::size_t i, std::string_view s, const EncodingLimits& limits);
  // Removes up to `limit` elements equal to `s` (0: all), from the head, or from the tail when
  // from_tail; returns how many. O(n).
  std::size_t remove(std::string_view s, std::size_t limit, bool from_tail);
  // Keeps elements [first, last] (inclusive, first <= last < size()) and drops the rest.
  void keep_range(std::size_t first, std::size_t last);
  // Drops everything.
  void clear();

 private:
  static std::size_t cost(const std::string& s) {
    return sizeof(std::string) + string_heap_bytes(s);
  }
  // The byte offset of element `i` in the packed buffer (size() for the end).
  std::size_t packed_offset(std::size_t i) const;
  // Splices the packed buffer and keeps element_bytes_ right.
  void packed_splice(std::size_t at, std::size_t erase, std::initializer_list<std::string_view> s,
                     int count_delta);
  // Turns a packed list over the limits into a deque.
  void fit(const EncodingLimits& limits);

  std::string packed_;                              // packed form (while deque_ is null)
  std::unique_ptr<std::deque<std::string>> deque_;  // deque form
  std::size_t element_bytes_ = 0;
};

template <class Fn>
void List::scan(std::size_t first, bool reverse, Fn&& fn) const {
  const std::size_t n = size();
  if (first >= n) return;
  if (deque_) {
    for (std::size_t i = first;; reverse ? --i : ++i) {
      if (!fn(i, std::string_view((*deque_)[i])) || (reverse ? i == 0 : i + 1 == n)) return;
    }
  }
  packed::Cursor c(packed_);
  if (!reverse) {
    for (std::size_t i = 0; !c.done(); ++i) {
      std::string_view s = c.next();
      if (i >= first && !fn(i, s)) return;
    }
    return;
  }
  std::vector<std::string_view> head;  // elements [0, first], then walked backwards
  head.reserve(first + 1);
  while (head.size() <= first) head.push_back(c.next());
  for (std::size_t i = first + 1; i-- > 0;) {
    if (!fn(i, head[i])) return;
  }
}

}  // namespace tcpkit::kv
