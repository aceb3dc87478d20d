#pragma once
// Dict<K, V>: a chained hash table with progressive rehashing, after Redis's dict.c.
//
// Theory of operation. Two tables. Normally only table 0 is used. When it fills up
// (used == buckets) a table 1 of twice the size is allocated and rehashing starts: every
// find/insert/erase first moves one bucket of table 0 to table 1, and rehash_for() lets a
// periodic tick move more. Lookups search both tables; inserts go to table 1. When table 0 is
// empty, table 1 becomes table 0. So growth costs O(1) per operation, never one long pause.
//
//   table 0  [ moved | moved | rehash_idx_ ▶ b | c | ... ]
//   table 1  [ ....... twice as many buckets ............ ]
//
// scan() walks the buckets with Redis's reverse-binary cursor: a cursor remains valid when the
// table grows or shrinks between calls, and every element present for the whole scan is
// returned at least once (some may come twice).
//
// Entries never move in memory (rehash relinks them), so pointers to entries stay valid until
// the entry is erased. K is std::string (owning) or std::string_view (pointing into another
// dict's keys). Not thread-safe: the owner serializes access.
//
// An owned key (K = std::string) is not a std::string in the entry but an InlineKey: its length,
// with its bytes right after it in the entry's own allocation, so an entry is one allocation
// sized to its key (a 10-byte key beside a 32-byte Value: a 54-byte entry in a 64-byte malloc
// chunk, where a std::string key would make it 72 bytes in an 80-byte chunk).
//
//   Entry: [ next | value | key size | key bytes ... ]

#include <algorithm>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "tcpkit/base/assert.hpp"

namespace tcpkit::kv {

// A key stored inline at the end of a dict entry: the length here, the bytes right after it.
// Reads like a std::string_view; lives only inside an entry Dict allocated for it.
class InlineKey {
 public:
  explicit InlineKey(std::size_t size) : size_(static_cast<std::uint32_t>(size)) {
    TCPKIT_ASSERT(size <= UINT32_MAX);
  }
  InlineKey(const InlineKey&) = delete;
  InlineKey& operator=(const InlineKey&) = delete;

  const char* data() const { return reinterpret_cast<const char*>(this) + sizeof(InlineKey); }
  char* data() { return reinterpret_cast<char*>(this) + sizeof(InlineKey); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data(), size_}; }
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)
  friend bool operator==(const InlineKey& a, std::string_view b) { return a.view() == b; }
  friend auto operator<=>(const InlineKey& a, std::string_view b) { return a.view() <=> b; }

 private:
  std::uint32_t size_;
};

template <class K, class V>
class Dict {
  static constexpr bool kInlineKey = std::is_same_v<K, std::string>;

 public:
  // What insert_new takes: a view for an inline key (the entry copies its bytes), else a K.
  using KeyArg = std::conditional_t<kInlineKey, std::string_view, K>;
  struct Entry {
    Entry* next = nullptr;
    [[no_unique_address]] V value;                     // an empty V (a set's) takes no room
    std::conditional_t<kInlineKey, InlineKey, K> key;  // last: an InlineKey's bytes follow
  };

  // Where an Entry's key starts. offsetof is exact for any type without virtual bases; GCC
  // only warns that the standard leaves it conditionally supported off standard layout.
  static constexpr std::size_t key_offset() {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
    return offsetof(Entry, key);
#pragma GCC diagnostic pop
  }

  // The whole Entry (a short key may fit in its tail padding), or its bytes up to the key's
  // end where that is longer.
  static constexpr std::size_t allocation_size(std::size_t key_size) {
    return std::max(sizeof(Entry), key_offset() + sizeof(InlineKey) + key_size);
  }

  // Bytes of the allocation that holds `e` (its inline key included).
  static std::size_t entry_bytes(const Entry& e) {
    if constexpr (kInlineKey) {
      return allocation_size(e.key.size());
    } else {
      return sizeof(Entry);
    }
  }

  Dict() = default;
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;
  ~Dict() { clear(); }

  std::size_t size() const { return t_[0].used + t_[1].used; }
  bool empty() const { return size() == 0; }
  bool rehashing() const { return rehash_idx_ >= 0; }
  // Bytes held by the bucket arrays (entries are counted by the owner).
  std::size_t bucket_bytes() const { return (t_[0].size + t_[1].size) * sizeof(Entry*); }

  Entry* find(std::string_view key) {
    if (empty()) return nullptr;
    step();
    const std::size_t h = hash(key);
    for (int t = 0; t <= 1; ++t) {
      const Table& table = t_[t];
      if (table.size == 0) continue;
      for (Entry* e = table.buckets[h & table.mask]; e != nullptr; e = e->next) {
        if (std::string_view(e->key) == key) return e;
      }
      if (!rehashing()) break;
    }
    return nullptr;
  }

  // Adds a key known to be absent; returns its entry.
  Entry* insert_new(KeyArg key, V value) {
    step();
    grow_if_needed();
    Table& table = rehashing() ? t_[1] : t_[0];
    Entry* e = new_entry(std::move(key), std::move(value));
    Entry*& head = table.buckets[hash(e->key) & table.mask];
    e->next = head;
    head = e;
    ++table.used;
    return e;
  }

  // Removes `key`; false when absent.
  bool erase(std::string_view key) {
    if (empty()) return false;
    step();
    const std::size_t h = hash(key);
    for (int t = 0; t <= 1; ++t) {
      Table& table = t_[t];
      if (table.size == 0) continue;
      for (Entry** link = &table.buckets[h & table.mask]; *link != nullptr; link = &(*link)->next) {
        if (std::string_view((*link)->key) != key) continue;
        Entry* victim = *link;
        *link = victim->next;
        delete_entry(victim);
        --table.used;
        return true;
      }
      if (!rehashing()) break;
    }
    return false;
  }

  void clear() {
    for (Table& table : t_) {
      for (std::size_t i = 0; i < table.size; ++i) {
        for (Entry* e = table.buckets[i]; e != nullptr;) delete_entry(std::exchange(e, e->next));
      }
      table = Table{};
    }
    rehash_idx_ = -1;
  }

  void swap(Dict& other) noexcept {
    std::swap(t_, other.t_);
    std::swap(rehash_idx_, other.rehash_idx_);
  }

  // Moves up to `n` buckets from table 0 to table 1 (visiting at most 10n empty ones).
  // Returns false when rehashing is over.
  bool rehash(std::size_t n) {
    std::size_t empty_visits = n * 10;
    while (n-- > 0 && t_[0].used != 0) {
      while (t_[0].buckets[static_cast<std::size_t>(rehash_idx_)] == nullptr) {
        ++rehash_idx_;
        if (--empty_visits == 0) return true;
      }
      move_bucket(static_cast<std::size_t>(rehash_idx_++));
    }
    if (t_[0].used == 0) {
      t_[0] = std::move(t_[1]);
      t_[1] = Table{};
      rehash_idx_ = -1;
      return false;
    }
    return true;
  }

  // Rehashes in steps of 100 buckets while `keep_going()` says so; for the periodic tick.
  template <class Pred>
  void rehash_while(Pred keep_going) {
    while (rehashing() && keep_going() && rehash(100)) {
    }
  }

  // Starts shrinking when less than 10% of the buckets are used (Redis's HASHTABLE_MIN_FILL).
  void shrink_if_sparse() {
    if (rehashing() || t_[0].size <= kInitialSize) return;
    if (t_[0].used * 100 / t_[0].size >= 10) return;
    start_resize(std::max(t_[0].used, kInitialSize));
  }

  // Calls fn(const Entry&) for the elements of the bucket(s) at `cursor`; returns the next
  // cursor, 0 when the walk is complete. fn must not modify the dict.
  template <class Fn>
  std::uint64_t scan(std::uint64_t cursor, Fn&& fn) const {
    if (empty()) return 0;
    std::uint64_t v = cursor;
    if (!rehashing()) {
      emit(t_[0], v, fn);
      return next_cursor(v, t_[0].mask);
    }
    const Table* small = &t_[0];
    const Table* large = &t_[1];
    if (small->size > large->size) std::swap(small, large);
    emit(*small, v, fn);
    do {
      emit(*large, v, fn);
      v = next_cursor(v, large->mask);
    } while ((v & (small->mask ^ large->mask)) != 0);
    return v;
  }

  // A uniformly chosen bucket's random element, or nullptr when empty (Redis's
  // dictGetRandomKey: good enough for RANDOMKEY, not perfectly uniform).
  Entry* random_entry(std::mt19937_64& rng) {
    if (empty()) return nullptr;
    step();
    Entry* head = nullptr;
    while (head == nullptr) {
      std::size_t total = t_[0].size + (rehashing() ? t_[1].size : 0);
      std::size_t skip = rehashing() ? static_cast<std::size_t>(rehash_idx_) : 0;
      std::size_t i = skip + static_cast<std::size_t>(rng() % (total - skip));
      head = i < t_[0].size ? t_[0].buckets[i] : t_[1].buckets[i - t_[0].size];
    }
    std::size_t length = 0;
    for (Entry* e = head; e != nullptr; e = e->next) ++length;
    std::size_t pick = static_cast<std::size_t>(rng() % length);
    while (pick-- > 0) head = head->next;
    return head;
  }

  // Calls fn(Entry&) for every element; fn must not modify the dict.
  template <class Fn>
  void for_each(Fn&& fn) {
    for (Table& table : t_) {
      for (std::size_t i = 0; i < table.size; ++i) {
        for (Entry* e = table.buckets[i]; e != nullptr; e = e->next) fn(*e);
      }
    }
  }
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const Table& table : t_) {
      for (std::size_t i = 0; i < table.size; ++i) {
        for (const Entry* e = table.buckets[i]; e != nullptr; e = e->next) fn(*e);
      }
    }
  }

 private:
  static constexpr std::size_t kInitialSize = 4;

  struct Table {
    std::unique_ptr<Entry*[]> buckets;
    std::size_t size = 0;
    std::size_t mask = 0;
    std::size_t used = 0;
  };

  static std::size_t hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

  static std::uint64_t next_cursor(std::uint64_t v, std::uint64_t mask) {
    v |= ~mask;  // set the bits above the mask so the increment carries past them
    v = reverse(v);
    ++v;
    return reverse(v);
  }

  static std::uint64_t reverse(std::uint64_t v) {
    std::uint64_t r = 0;
    for (int i = 0; i < 64; ++i, v >>= 1) r = (r << 1) | (v & 1);
    return r;
  }

  template <class Fn>
  static void emit(const Table& table, std::uint64_t cursor, Fn& fn) {
    for (const Entry* e = table.buckets[cursor & table.mask]; e != nullptr; e = e->next) fn(*e);
  }

  void step() {
    if (rehashing()) rehash(1);
  }

  static Entry* new_entry(KeyArg key, V value) {
    if constexpr (kInlineKey) {
      void* memory = ::operator new(allocation_size(key.size()));
      // The bytes go into the allocation past the InlineKey (Entry's tail padding, then
      // beyond): nothing but InlineKey reads or writes there.
      auto* e = new (memory) Entry{nullptr, std::move(value), InlineKey(key.size())};
      if (!key.empty()) std::memcpy(e->key.data(), key.data(), key.size());
      return e;
    } else {
      return new Entry{nullptr, std::move(value), std::move(key)};
    }
  }

  static void delete_entry(Entry* e) {
    if constexpr (kInlineKey) {
      e->~Entry();
      ::operator delete(e);
    } else {
      delete e;
    }
  }

  void grow_if_needed() {
    if (rehashing()) return;
    if (t_[0].size == 0) {
      t_[0] = make_table(kInitialSize);
    } else if (t_[0].used >= t_[0].size) {
      start_resize(t_[0].used + 1);
    }
  }

  void start_resize(std::size_t at_least) {
    std::size_t size = std::bit_ceil(std::max(at_least, kInitialSize));
    if (size == t_[0].size) return;
    t_[1] = make_table(size);
    rehash_idx_ = 0;
  }

  static Table make_table(std::size_t size) {
    Table table;
    table.buckets = std::make_unique<Entry*[]>(size);
    table.size = size;
    table.mask = size - 1;
    return table;
  }

  void move_bucket(std::size_t index) {
    Entry* e = std::exchange(t_[0].buckets[index], nullptr);
    while (e != nullptr) {
      Entry* next = e->next;
      Entry*& head = t_[1].buckets[hash(e->key) & t_[1].mask];
      e->next = head;
      head = e;
      --t_[0].used;
      ++t_[1].used;
      e = next;
    }
  }

  Table t_[2];
  std::ptrdiff_t rehash_idx_ = -1;
};

}  // namespace tcpkit::kv
