#pragma once
// A hash key's payload in its two encodings, as Redis 7.0 keeps them:
//
// - "listpack": a small hash is one contiguous buffer of field, value, field, value, ...
//   (packed.hpp) living in the Value's own string (`Value::str`), so a small hash costs its
//   bytes and no more; lookups scan it, in insertion order (HGETALL's order is Redis's).
// - "hashtable": past hash-max-listpack-entries fields, or once a field or value longer than
//   hash-max-listpack-value bytes is written, the fields move to a `Hash` (a Dict of field →
//   value: incremental rehash, HSCAN's reverse-binary cursor) behind `Value::hash_`, for good
//   (Redis never converts back).
//
// Commands reach either through `HashRef` (Value::hash()), which hides the encoding. HSCAN of a
// listpack hash returns everything in one call, as Redis does. Not thread-safe: guarded by the
// Store's mutex.

#include <cstddef>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "kv/dict.hpp"
#include "kv/encoding_limits.hpp"
#include "kv/packed.hpp"
#include "kv/value.hpp"

namespace tcpkit::kv {

// The hashtable encoding.
class Hash {
 public:
  using Fields = Dict<std::string, std::string>;
  using Entry = Fields::Entry;

  Hash() = default;
  Hash(const Hash& other) {
    other.fields_.for_each([this](const Entry& e) { set(e.key, e.value); });
  }
  Hash& operator=(const Hash&) = delete;

  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  // Bytes owned: this object, the entries with their strings, the bucket arrays.
  std::size_t bytes() const { return sizeof(Hash) + element_bytes_ + fields_.bucket_bytes(); }

  // The value of `field`, or nullptr.
  const std::string* find(std::string_view field) {
    Entry* e = fields_.find(field);
    return e ? &e->value : nullptr;
  }
  // Sets `field` to `value`; true when the field is new.
  bool set(std::string_view field, std::string_view value) {
    if (Entry* e = fields_.find(field)) {
      element_bytes_ -= string_heap_bytes(e->value);
      e->value.assign(value);
      element_bytes_ += string_heap_bytes(e->value);
      return false;
    }
    Entry* e = fields_.insert_new(field, std::string(value));
    element_bytes_ += cost(*e);
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
    return Fields::entry_bytes(e) + string_heap_bytes(e.value);
  }

  Fields fields_;
  std::size_t element_bytes_ = 0;
};

// A hash key's value seen through one interface, whichever its encoding. Views it returns
// stay valid until the hash is next written.
class HashRef {
 public:
  using Pair = std::pair<std::string_view, std::string_view>;

  explicit HashRef(Value& v) : v_(&v) { TCPKIT_ASSERT(v.type == ValueType::kHash); }

  bool listpack() const { return v_->encoding == Encoding::kListpack; }
  std::size_t size() const { return listpack() ? packed::count(v_->str) / 2 : v_->hash_->size(); }

  std::optional<std::string_view> find(std::string_view field) const {
    if (listpack()) {
      packed::PairAt at;
      if (!packed::find_pair(v_->str, field, at)) return std::nullopt;
      return at.value;
    }
    const std::string* s = v_->hash_->find(field);
    if (s == nullptr) return std::nullopt;
    return std::string_view(*s);
  }

  // Sets `field` to `value`; true when the field is new. Converts a listpack hash to a
  // hashtable when `limits` say it has grown past them.
  bool set(std::string_view field, std::string_view value, const EncodingLimits& limits) {
    if (listpack()) {
      const auto max_value = static_cast<std::uint64_t>(limits.hash_max_listpack_value);
      if (field.size() > max_value || value.size() > max_value) {
        convert();
      } else {
        packed::PairAt at;
        if (packed::find_pair(v_->str, field, at)) {
          packed::splice(v_->str, at.begin, at.end - at.begin, {field, value}, 0);
          return false;
        }
        packed::splice(v_->str, v_->str.size(), 0, {field, value}, 2);
        const auto max_entries = static_cast<std::uint64_t>(limits.hash_max_listpack_entries);
        if (size() > max_entries || size() >= kMaxPackedPairs) convert();
        return true;
      }
    }
    return v_->hash_->set(field, value);
  }

  // Removes `field`; false when absent.
  bool erase(std::string_view field) {
    if (!listpack()) return v_->hash_->erase(field);
    packed::PairAt at;
    if (!packed::find_pair(v_->str, field, at)) return false;
    packed::splice(v_->str, at.begin, at.end - at.begin, {}, -2);
    return true;
  }

  // fn(field, value) for every field: insertion order for a listpack, the Dict's otherwise.
  template <class Fn>
  void for_each(Fn&& fn) const {
    if (!listpack()) {
      v_->hash_->for_each([&](const Hash::Entry& e) { fn(e.key, e.value); });
      return;
    }
    packed::Cursor c(v_->str);
    while (!c.done()) {
      std::string_view k = c.next();
      fn(k, c.next());
    }
  }

  // One HSCAN step over a hashtable hash (a listpack one is returned whole by HSCAN).
  template <class Fn>
  std::uint64_t scan(std::uint64_t cursor, Fn&& fn) const {
    TCPKIT_ASSERT(!listpack());
    return v_->hash_->scan(cursor, [&](const Hash::Entry& e) { fn(Pair(e.key, e.value)); });
  }

  // A random field and its value; the hash must not be empty.
  Pair random_field(std::mt19937_64& rng) const {
    if (!listpack()) {
      const Hash::Entry& e = v_->hash_->random_field(rng);
      return {e.key, e.value};
    }
    std::size_t skip = static_cast<std::size_t>(rng() % size());
    packed::Cursor c(v_->str);
    for (;;) {
      std::string_view k = c.next();
      std::string_view val = c.next();
      if (skip-- == 0) return {k, val};
    }
  }

 private:
  // A listpack's count is a u32 of strings: convert before it could overflow.
  static constexpr std::size_t kMaxPackedPairs = 0x7fffffff;

  void convert() {
    auto* table = new Hash();
    for_each([&](std::string_view k, std::string_view val) { table->set(k, val); });
    v_->str.~CompactString();
    v_->hash_ = table;
    v_->encoding = Encoding::kHashtable;
  }

  Value* v_;
};

}  // namespace tcpkit::kv
