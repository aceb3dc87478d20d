#pragma once
// Hash: the payload of a hash key — field → value, both binary-safe strings — in a Dict (so it
// rehashes incrementally and HSCAN gets the keyspace SCAN's reverse-binary cursor), with a
// running count of the heap bytes it holds.
//
// OBJECT ENCODING follows Redis 7.0's rule although the layout is always a Dict: a hash is
// "listpack" until it holds more than hash-max-listpack-entries (512, Redis 7.0's default) fields
// or is written a field or value longer than hash-max-listpack-value (64) bytes; then it is
// "hashtable" for good, as Redis never converts back. HSCAN of a "listpack" hash returns
// everything in one call, as Redis does. Not thread-safe: guarded by the Store's mutex.

#include <cstddef>
#include <random>
#include <string>
#include <string_view>

#include "kv/dict.hpp"
#include "kv/encoding_limits.hpp"
#include "kv/value.hpp"

namespace tcpkit::kv {

class Hash {
 public:
  using Fields = Dict<std::string, std::string>;
  using Entry = Fields::Entry;

  Hash() = default;
  Hash(const Hash& other) : listpack_(other.listpack_) {
    other.fields_.for_each([this](const Entry& e) {
      element_bytes_ += cost(*fields_.insert_new(std::string(e.key), std::string(e.value)));
    });
  }
  Hash& operator=(const Hash&) = delete;

  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  bool listpack() const { return listpack_; }
  // Bytes owned: this object, the entries with their strings, the bucket arrays.
  std::size_t bytes() const { return sizeof(Hash) + element_bytes_ + fields_.bucket_bytes(); }

  // The value of `field`, or nullptr.
  const std::string* find(std::string_view field) {
    Entry* e = fields_.find(field);
    return e ? &e->value : nullptr;
  }
  // Sets `field` to `value`; true when the field is new. `limits` decide when the hash stops
  // being reported as a listpack.
  bool set(std::string_view field, std::string_view value, const EncodingLimits& limits) {
    const auto max_value = static_cast<std::uint64_t>(limits.hash_max_listpack_value);
    if (field.size() > max_value || value.size() > max_value) listpack_ = false;
    if (Entry* e = fields_.find(field)) {
      element_bytes_ -= string_heap_bytes(e->value);
      e->value.assign(value);
      element_bytes_ += string_heap_bytes(e->value);
      return false;
    }
    Entry* e = fields_.insert_new(std::string(field), std::string(value));
    element_bytes_ += cost(*e);
    if (size() > static_cast<std::uint64_t>(limits.hash_max_listpack_entries)) listpack_ = false;
    return true;
  }
  // Removes `field`; false when absent.
  bool erase(std::string_view field) {
    Entry* e = fields_.find(field);
    if (e == nullptr) return false;
    element_bytes_ -= cost(*e);
    return fields_.erase(field);
  }

  template <class Fn>
  void for_each(Fn&& fn) const {
    fields_.for_each(fn);
  }
  // One HSCAN step (see Dict::scan).
  template <class Fn>
  std::uint64_t scan(std::uint64_t cursor, Fn&& fn) const {
    return fields_.scan(cursor, fn);
  }
  // A random field (Dict::random_entry's distribution); the hash must not be empty.
  const Entry& random_field(std::mt19937_64& rng) {
    const Entry* e = fields_.random_entry(rng);
    TCPKIT_ASSERT(e != nullptr);
    return *e;
  }

 private:
  static std::size_t cost(const Entry& e) {
    return sizeof(Entry) + string_heap_bytes(e.key) + string_heap_bytes(e.value);
  }

  Fields fields_;
  std::size_t element_bytes_ = 0;
  bool listpack_ = true;
};

}  // namespace tcpkit::kv
