// Set: the two layouts of a set key (see set.hpp).

#include "kv/set.hpp"

#include <algorithm>
#include <charconv>

#include "kv/text.hpp"

namespace tcpkit::kv {

Set::Set(const Set& other) : ints_(other.ints_), intset_(other.intset_) {
  other.members_.for_each([this](const Entry& e) { insert_string(e.key); });
}

Set::IntText Set::int_text(std::int64_t v) {
  IntText t{};
  auto [end, ec] = std::to_chars(t.buf, t.buf + sizeof(t.buf), v);
  (void)ec;
  t.len = static_cast<std::size_t>(end - t.buf);
  return t;
}

bool Set::contains(std::string_view member) {
  if (!intset_) return members_.find(member) != nullptr;
  auto v = parse_int(member);
  return v && std::binary_search(ints_.begin(), ints_.end(), *v);
}

bool Set::add(std::string_view member, const EncodingLimits& limits) {
  if (intset_) {
    if (auto v = parse_int(member)) {
      auto at = std::lower_bound(ints_.begin(), ints_.end(), *v);
      if (at != ints_.end() && *at == *v) return false;
      ints_.insert(at, *v);
      if (ints_.size() > static_cast<std::uint64_t>(limits.set_max_intset_entries)) {
        convert_to_hashtable();
      }
      return true;
    }
    convert_to_hashtable();
  }
  if (members_.find(member) != nullptr) return false;
  insert_string(member);
  return true;
}

bool Set::erase(std::string_view member) {
  if (intset_) {
    auto v = parse_int(member);
    if (!v) return false;
    auto at = std::lower_bound(ints_.begin(), ints_.end(), *v);
    if (at == ints_.end() || *at != *v) return false;
    ints_.erase(at);
    return true;
  }
  Entry* e = members_.find(member);
  if (e == nullptr) return false;
  element_bytes_ -= cost(*e);
  return members_.erase(member);
}

std::string Set::random_member(std::mt19937_64& rng) {
  TCPKIT_ASSERT(!empty());
  if (intset_) return std::string(int_text(ints_[rng() % ints_.size()]));
  return std::string(members_.random_entry(rng)->key.view());
}

std::string Set::pop_random(std::mt19937_64& rng) {
  TCPKIT_ASSERT(!empty());
  if (intset_) {
    auto at = ints_.begin() + static_cast<std::ptrdiff_t>(rng() % ints_.size());
    std::string member(int_text(*at));
    ints_.erase(at);
    return member;
  }
  std::string member(members_.random_entry(rng)->key.view());
  erase(member);
  return member;
}

void Set::convert_to_hashtable() {
  intset_ = false;
  for (std::int64_t v : ints_) insert_string(int_text(v));
  std::vector<std::int64_t>().swap(ints_);
}

void Set::insert_string(std::string_view member) {
  Entry* e = members_.insert_new(member, Member{});
  element_bytes_ += cost(*e);
}

}  // namespace tcpkit::kv
