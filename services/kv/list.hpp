#pragma once
// List: the payload of a list key — a sequence of binary-safe strings with O(1) push and pop at
// both ends (a std::deque, so indexing is O(1) too) and a running count of the heap bytes it
// holds, so memory accounting never walks the elements.
//
// Redis 7.0 stores every list as a quicklist; OBJECT ENCODING says so whatever the size.
// Indexes here are already normalized (0-based, in range): the commands translate Redis's
// negative indexes. Not thread-safe: guarded by the Store's mutex.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "kv/value.hpp"

namespace tcpkit::kv {

class List {
 public:
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  // Bytes owned: the deque (its object and per-element string objects) and string buffers.
  std::size_t bytes() const { return sizeof(List) + element_bytes_; }

  const std::string& at(std::size_t i) const { return items_[i]; }
  const std::string& front() const { return items_.front(); }
  const std::string& back() const { return items_.back(); }

  void push_front(std::string_view s) {
    items_.emplace_front(s);
    element_bytes_ += cost(items_.front());
  }
  void push_back(std::string_view s) {
    items_.emplace_back(s);
    element_bytes_ += cost(items_.back());
  }
  std::string pop_front() {
    element_bytes_ -= cost(items_.front());
    std::string s = std::move(items_.front());
    items_.pop_front();
    return s;
  }
  std::string pop_back() {
    element_bytes_ -= cost(items_.back());
    std::string s = std::move(items_.back());
    items_.pop_back();
    return s;
  }
  void set(std::size_t i, std::string_view s) {
    element_bytes_ -= cost(items_[i]);
    items_[i].assign(s);
    element_bytes_ += cost(items_[i]);
  }
  // Inserts `s` so that it becomes element `i` (i == size() appends). O(min(i, size - i)).
  void insert(std::size_t i, std::string_view s) {
    auto it = items_.emplace(items_.begin() + static_cast<std::ptrdiff_t>(i), s);
    element_bytes_ += cost(*it);
  }
  // Removes up to `limit` elements equal to `s` (0: all), from the head, or from the tail when
  // from_tail; returns how many. O(n).
  std::size_t remove(std::string_view s, std::size_t limit, bool from_tail);
  // Keeps elements [first, last] (inclusive, first <= last < size()) and drops the rest.
  void keep_range(std::size_t first, std::size_t last);
  // Drops everything.
  void clear() {
    items_.clear();
    element_bytes_ = 0;
  }

 private:
  static std::size_t cost(const std::string& s) {
    return sizeof(std::string) + string_heap_bytes(s);
  }

  std::deque<std::string> items_;
  std::size_t element_bytes_ = 0;
};

}  // namespace tcpkit::kv
