#pragma once
// Set: the payload of a set key — distinct binary-safe members — in one of two layouts, as
// Redis 7.0 keeps them:
//
//   intset     a sorted std::vector<int64_t>: every member is an integer in canonical decimal
//              form (Redis's string2ll: no '+', no leading zero, no "-0", fits int64) and there
//              are at most set-max-intset-entries (512 by default) of them. Lookups are
//              binary searches; insert and erase shift at most 512 integers.
//   hashtable  a Dict<std::string, Member> with an empty Member (keys only), so SSCAN gets the
//              keyspace SCAN's reverse-binary cursor and random members come from
//              Dict::random_entry.
//
// A set starts as an intset and becomes a hashtable for good when it is given a non-integer
// member or grows past the limit (Redis never converts back). OBJECT ENCODING reports the
// layout. Iteration of an intset is ascending, as Redis's is. Not thread-safe: guarded by the
// Store's mutex.

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "kv/dict.hpp"
#include "kv/encoding_limits.hpp"
#include "kv/value.hpp"

namespace tcpkit::kv {

class Set {
 public:
  struct Member {};  // a set keeps keys only
  using Members = Dict<std::string, Member>;
  using Entry = Members::Entry;

  Set() = default;
  Set(const Set& other);
  Set& operator=(const Set&) = delete;

  std::size_t size() const { return intset_ ? ints_.size() : members_.size(); }
  bool empty() const { return size() == 0; }
  bool intset() const { return intset_; }
  // Bytes owned: this object, the integer array or the entries with their strings and the
  // bucket arrays.
  std::size_t bytes() const {
    return sizeof(Set) + ints_.capacity() * sizeof(std::int64_t) + element_bytes_ +
           members_.bucket_bytes();
  }

  bool contains(std::string_view member);
  // Adds `member`; true when it is new. May convert an intset to a hashtable.
  bool add(std::string_view member, const EncodingLimits& limits);
  // Removes `member`; false when absent.
  bool erase(std::string_view member);
  // A uniformly chosen member (a hashtable: Dict::random_entry's distribution); not empty.
  std::string random_member(std::mt19937_64& rng);
  // Removes and returns a random member; the set must not be empty.
  std::string pop_random(std::mt19937_64& rng);

  // Calls fn(std::string_view) for every member (an intset: ascending); fn must not modify the
  // set. The view lives until fn returns.
  template <class Fn>
  void for_each(Fn&& fn) const {
    if (intset_) {
      for (std::int64_t v : ints_) fn(std::string_view(int_text(v)));
      return;
    }
    members_.for_each([&](const Entry& e) { fn(std::string_view(e.key)); });
  }
  // One SSCAN step over a hashtable (see Dict::scan); an intset is scanned whole by the caller.
  template <class Fn>
  std::uint64_t scan(std::uint64_t cursor, Fn&& fn) const {
    return members_.scan(cursor, [&](const Entry& e) { fn(std::string_view(e.key)); });
  }

 private:
  // The text of an intset member (a small buffer, not allocated).
  struct IntText {
    char buf[24];
    std::size_t len;
    operator std::string_view() const { return {buf, len}; }
  };
  static IntText int_text(std::int64_t v);
  static std::size_t cost(const Entry& e) { return Members::entry_bytes(e); }

  void convert_to_hashtable();
  void insert_string(std::string_view member);

  std::vector<std::int64_t> ints_;  // intset layout, ascending
  Members members_;                 // hashtable layout
  std::size_t element_bytes_ = 0;   // the hashtable's entries and their strings
  bool intset_ = true;
};

}  // namespace tcpkit::kv
