// List: a packed buffer while small, a deque beyond (see list.hpp).

#include "kv/list.hpp"

#include <algorithm>

namespace tcpkit::kv {

namespace {

// list-max-listpack-size: N > 0 caps the elements, N < 0 the bytes (-1: 4 KiB ... -5: 64 KiB).
bool over_limit(std::size_t count, std::size_t bytes, std::int64_t setting) {
  if (setting >= 0) return count > static_cast<std::size_t>(setting);
  const auto shift = static_cast<unsigned>(std::min<std::int64_t>(-setting, 5) - 1);
  return bytes > (std::size_t{4096} << shift);
}

}  // namespace

std::string_view List::at(std::size_t i) const {
  if (deque_) return (*deque_)[i];
  packed::Cursor c(packed_);
  for (std::size_t k = 0; k < i; ++k) c.next();
  return c.next();
}

std::size_t List::packed_offset(std::size_t i) const {
  packed::Cursor c(packed_);
  for (std::size_t k = 0; k < i && !c.done(); ++k) c.next();
  return c.offset(packed_);
}

void List::packed_splice(std::size_t at, std::size_t erase,
                         std::initializer_list<std::string_view> s, int count_delta) {
  element_bytes_ -= string_heap_bytes(packed_);
  packed::splice(packed_, at, erase, s, count_delta);
  element_bytes_ += string_heap_bytes(packed_);
}

void List::fit(const EncodingLimits& limits) {
  if (deque_ || !over_limit(size(), packed_.size(), limits.list_max_listpack_size)) return;
  auto d = std::make_unique<std::deque<std::string>>();
  std::size_t bytes = 0;
  for (packed::Cursor c(packed_); !c.done();) {
    d->emplace_back(c.next());
    bytes += cost(d->back());
  }
  deque_ = std::move(d);
  packed_ = std::string();
  element_bytes_ = bytes;
}

void List::push_front(std::string_view s, const EncodingLimits& limits) {
  if (deque_) {
    deque_->emplace_front(s);
    element_bytes_ += cost(deque_->front());
    return;
  }
  packed_splice(packed::kHeader, 0, {s}, 1);
  fit(limits);
}

void List::push_back(std::string_view s, const EncodingLimits& limits) {
  if (deque_) {
    deque_->emplace_back(s);
    element_bytes_ += cost(deque_->back());
    return;
  }
  packed_splice(packed_.size(), 0, {s}, 1);
  fit(limits);
}

std::string List::pop_front() {
  if (deque_) {
    element_bytes_ -= cost(deque_->front());
    std::string s = std::move(deque_->front());
    deque_->pop_front();
    return s;
  }
  packed::Cursor c(packed_);
  std::string s(c.next());
  packed_splice(packed::kHeader, c.offset(packed_) - packed::kHeader, {}, -1);
  return s;
}

std::string List::pop_back() {
  if (deque_) {
    element_bytes_ -= cost(deque_->back());
    std::string s = std::move(deque_->back());
    deque_->pop_back();
    return s;
  }
  const std::size_t at = packed_offset(size() - 1);
  std::string s(this->at(size() - 1));
  packed_splice(at, packed_.size() - at, {}, -1);
  return s;
}

void List::set(std::size_t i, std::string_view s, const EncodingLimits& limits) {
  if (deque_) {
    element_bytes_ -= cost((*deque_)[i]);
    (*deque_)[i].assign(s);
    element_bytes_ += cost((*deque_)[i]);
    return;
  }
  const std::size_t at = packed_offset(i);
  const std::size_t end = packed_offset(i + 1);
  packed_splice(at, end - at, {s}, 0);
  fit(limits);
}

void List::insert(std::size_t i, std::string_view s, const EncodingLimits& limits) {
  if (deque_) {
    auto it = deque_->emplace(deque_->begin() + static_cast<std::ptrdiff_t>(i), s);
    element_bytes_ += cost(*it);
    return;
  }
  packed_splice(packed_offset(i), 0, {s}, 1);
  fit(limits);
}

std::size_t List::remove(std::string_view s, std::size_t limit, bool from_tail) {
  std::size_t removed = 0;
  if (!deque_) {
    // Rebuilt in one pass: the elements kept, in order.
    std::vector<std::string_view> items;
    items.reserve(size());
    for (packed::Cursor c(packed_); !c.done();) items.push_back(c.next());
    std::vector<bool> drop(items.size(), false);
    for (std::size_t k = 0; k < items.size() && (limit == 0 || removed < limit); ++k) {
      const std::size_t i = from_tail ? items.size() - 1 - k : k;
      if (items[i] != s) continue;
      drop[i] = true;
      ++removed;
    }
    if (removed == 0) return 0;
    std::string next = packed::empty();
    std::uint32_t kept = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (drop[i]) continue;
      packed::put_varint(next, items[i].size());
      next.append(items[i]);
      ++kept;
    }
    packed::set_count(next, kept);
    next.shrink_to_fit();
    element_bytes_ -= string_heap_bytes(packed_);
    packed_.swap(next);
    element_bytes_ += string_heap_bytes(packed_);
    return removed;
  }
  auto matches = [&](const std::string& item) {
    if (item != s || (limit != 0 && removed == limit)) return false;
    ++removed;
    element_bytes_ -= cost(item);
    return true;
  };
  if (from_tail) {
    auto kept = std::remove_if(deque_->rbegin(), deque_->rend(), matches);
    deque_->erase(deque_->begin(), kept.base());
  } else {
    deque_->erase(std::remove_if(deque_->begin(), deque_->end(), matches), deque_->end());
  }
  return removed;
}

void List::keep_range(std::size_t first, std::size_t last) {
  if (!deque_) {
    const std::size_t begin = packed_offset(first);
    const std::size_t end = packed_offset(last + 1);
    std::string next = packed::empty();
    next.reserve(packed::kHeader + end - begin);
    next.append(packed_, begin, end - begin);
    packed::set_count(next, static_cast<std::uint32_t>(last - first + 1));
    element_bytes_ -= string_heap_bytes(packed_);
    packed_.swap(next);
    element_bytes_ += string_heap_bytes(packed_);
    return;
  }
  for (std::size_t i = last + 1; i < deque_->size(); ++i) element_bytes_ -= cost((*deque_)[i]);
  deque_->erase(deque_->begin() + static_cast<std::ptrdiff_t>(last) + 1, deque_->end());
  for (std::size_t i = 0; i < first; ++i) element_bytes_ -= cost((*deque_)[i]);
  deque_->erase(deque_->begin(), deque_->begin() + static_cast<std::ptrdiff_t>(first));
}

void List::clear() {
  deque_.reset();
  packed_ = packed::empty();
  element_bytes_ = 0;
}

}  // namespace tcpkit::kv
