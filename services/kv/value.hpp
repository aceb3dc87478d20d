#pragma once
// Value: what one key holds — a string, a list, a hash or a set — with its TTL.
//
// A tagged union: `type` says which member of the payload is alive. A string lives inline (a
// 16-byte CompactString: up to 15 bytes in place, else a pointer to its buffer), a collection
// behind one owning pointer, so a new type (set, sorted set) is one more tag, one more pointer
// and one more case in value.cpp. 32 bytes: a main-dict entry with a key of up to 12 bytes is
// 56 bytes, a 64-byte malloc chunk (dict.hpp).
//
//   Value (32 bytes)
//   ┌────────────────────────┬──────────────┬──────┬──────────┬─────┐
//   │ str (16) | list* | ... │ expire_at_ms │ type │ encoding │ lru │
//   └────────────────────────┴──────────────┴──────┴──────────┴─────┘
//
// Copying deep-copies the collection (COPY); moving steals it and leaves the source an empty
// string. Not thread-safe: guarded by the Store's mutex like everything in a Database.

#include <cstddef>
#include <cstdint>
#include <string>

#include "kv/compact_string.hpp"
#include "tcpkit/base/assert.hpp"

namespace tcpkit::kv {

class List;       // list.hpp
class Hash;       // hash.hpp
class HashRef;    // hash.hpp
class Set;        // set.hpp
class SortedSet;  // zset.hpp

enum class ValueType : std::uint8_t { kString, kList, kHash, kSet, kZset };
// What OBJECT ENCODING reports, as Redis 7.0 would store the same value.
enum class Encoding : std::uint8_t {
  kInt,
  kEmbstr,
  kRaw,
  kQuicklist,
  kListpack,
  kHashtable,
  kIntset,
  kSkiplist,
};

inline constexpr std::int64_t kNoExpire = -1;

class Value {
 public:
  Value() : str() {}
  Value(const Value& other);
  Value(Value&& other) noexcept;
  Value& operator=(const Value& other);
  Value& operator=(Value&& other) noexcept;
  ~Value() { destroy(); }

  // An empty list or hash (the caller fills it before anyone sees it).
  static Value new_list();
  static Value new_hash();
  static Value new_set();
  static Value new_zset();

  List& list() {
    TCPKIT_ASSERT(type == ValueType::kList);
    return *list_;
  }
  // A hash, whichever its encoding (hash.hpp).
  HashRef hash();
  HashRef hash() const;
  const List& list() const { return const_cast<Value*>(this)->list(); }
  Set& set() {
    TCPKIT_ASSERT(type == ValueType::kSet);
    return *set_;
  }
  const Set& set() const { return const_cast<Value*>(this)->set(); }
  SortedSet& zset() {
    TCPKIT_ASSERT(type == ValueType::kZset);
    return *zset_;
  }
  const SortedSet& zset() const { return const_cast<Value*>(this)->zset(); }

  // True for a list or hash with no elements: its key must be deleted (Redis never keeps one).
  bool empty_collection() const;
  // The encoding OBJECT ENCODING reports (a collection's follows its size).
  Encoding current_encoding() const;
  // Heap bytes owned beyond the Value itself (the string's buffer, the collection).
  std::size_t heap_bytes() const;
  // Drops any collection; the value becomes an empty string (TTL kept).
  void make_string();
  // True for a hash held as a listpack in `str`.
  bool packed_hash() const;

  // The payload: read `str` for a string; reach a collection through list()/hash(), which
  // check the tag (the pointers are public only because an anonymous union's members share
  // one access level).
  union {
    CompactString str;  // type == kString, or kHash encoded as a listpack (packed.hpp)
    List* list_;        // type == kList, owned
    Hash* hash_;        // type == kHash encoded as a hashtable, owned
    Set* set_;          // type == kSet, owned
    SortedSet* zset_;   // type == kZset, owned
  };
  std::int64_t expire_at_ms = kNoExpire;  // absolute Unix time, or kNoExpire
  ValueType type = ValueType::kString;
  Encoding encoding = Encoding::kRaw;  // strings; a hash's (kListpack or kHashtable)
  // The store's LRU clock (seconds) when the key was last used: OBJECT IDLETIME. Set by the
  // keyspace on every lookup and write, not copied with the value. Fits in the padding.
  std::uint32_t lru = 0;

 private:
  void destroy() noexcept;
  void copy_payload(const Value& other);
  void move_payload(Value& other) noexcept;
};

static_assert(sizeof(Value) == 32, "a short-keyed main-dict entry must fit a 64-byte chunk");

// Heap bytes of a std::string beyond the object itself (libstdc++ keeps 15 bytes inline).
inline std::size_t string_heap_bytes(const std::string& s) {
  return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

}  // namespace tcpkit::kv
