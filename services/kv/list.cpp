// List: the deque behind a list key (see list.hpp).

#include "kv/list.hpp"

#include <algorithm>

namespace tcpkit::kv {

std::size_t List::remove(std::string_view s, std::size_t limit, bool from_tail) {
  std::size_t removed = 0;
  auto matches = [&](const std::string& item) {
    if (item != s || (limit != 0 && removed == limit)) return false;
    ++removed;
    element_bytes_ -= cost(item);
    return true;
  };
  if (from_tail) {
    auto kept = std::remove_if(items_.rbegin(), items_.rend(), matches);
    items_.erase(items_.begin(), kept.base());
  } else {
    items_.erase(std::remove_if(items_.begin(), items_.end(), matches), items_.end());
  }
  return removed;
}

void List::keep_range(std::size_t first, std::size_t last) {
  for (std::size_t i = last + 1; i < items_.size(); ++i) element_bytes_ -= cost(items_[i]);
  items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(last) + 1, items_.end());
  for (std::size_t i = 0; i < first; ++i) element_bytes_ -= cost(items_[i]);
  items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(first));
}

}  // namespace tcpkit::kv
