#pragma once
// Keyspace: the keys of one numbered database that fall in one shard of the store (store.hpp).
// Owns the keys (a Dict of key → Value), the expires table (a Dict of key → entry, for the keys
// with a TTL; its keys are views of the main dict's keys) and the versions of the keys clients
// WATCH.
//
// Every change goes through a Keyspace method, so the memory accounting and the WATCH versions
// can never be forgotten by a command. Expiry is lazy here (find() deletes an expired key it
// meets) and active in expire.cpp (sample_expired()).
//
// Not thread-safe: its shard's mutex guards it. The counters it keeps for the shard are
// Relaxed, so INFO and the maxmemory check read them without that mutex.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kv/dict.hpp"
#include "kv/notify.hpp"
#include "kv/value.hpp"
#include "tcpkit/base/relaxed.hpp"

namespace tcpkit::kv {

using MainDict = Dict<std::string, Value>;
using KeyEntry = MainDict::Entry;
using ExpireDict = Dict<std::string_view, KeyEntry*>;

// Redis's choice for a freshly stored string: int, embstr (<= 44 bytes) or raw.
Encoding encoding_for(std::string_view s);

// Counters shared by the keyspaces of one shard: written under the shard's mutex, read anywhere.
struct ShardCounters {
  Relaxed<std::size_t> entry_bytes = 0;     // keys + values + per-entry overhead
  Relaxed<std::size_t> bucket_bytes = 0;    // the dicts' bucket arrays
  Relaxed<std::uint64_t> expired_keys = 0;  // INFO stats: expired_keys
  Relaxed<std::uint64_t> changes = 0;       // keys written or deleted (rdb_changes_since_...)
  Relaxed<std::uint32_t> lru_clock = 0;     // seconds; the tick moves it (Redis's lruclock)
  std::uint64_t next_version = 1;           // WATCH versions (read under the mutex only)

  // An entry's bytes went from `before` to `after` (0 for an entry added or removed).
  void resize(std::size_t before, std::size_t after) { entry_bytes = entry_bytes + after - before; }
};

// What every Keyspace of a store shares (the Store owns it): where key events go
// (notify.hpp), and CLIENT PAUSE's hold on expiry: until then an expired key reads as missing
// but stays (no deletion, no event), as Redis keeps keys during a pause.
struct KeyspaceShared {
  KeyspaceEvents events;
  Relaxed<std::int64_t> expiry_paused_until_ms = 0;
};

class Keyspace {
 public:
  class ExpiryLog;

 private:
  static thread_local std::uint64_t t_changes;
  static thread_local ExpiryLog* t_expiry_log;
  void report_expired(const KeyEntry& e) const;

 public:
  Keyspace(ShardCounters& counters, int db = 0) : counters_(&counters), db_(db) {}
  // Where this keyspace reports key events (notify.hpp), and the number of its database.
  void bind(KeyspaceShared* shared, int db) {
    shared_ = shared;
    db_ = db;
  }

  // Where the keys this thread deletes because they expired are reported (the append-only
  // file logs them as DEL, as Redis does); null: nowhere. Set for a scope by ExpiryScope.
  class ExpiryLog {  // NOLINT: defined here, declared above
   public:
    virtual void expired(int db, std::string_view key) = 0;

   protected:
    ~ExpiryLog() = default;
  };
  class ExpiryScope {
   public:
    explicit ExpiryScope(ExpiryLog* log) : saved_(t_expiry_log) { t_expiry_log = log; }
    ~ExpiryScope() { t_expiry_log = saved_; }
    ExpiryScope(const ExpiryScope&) = delete;
    ExpiryScope& operator=(const ExpiryScope&) = delete;

   private:
    ExpiryLog* saved_;
  };
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;
  ~Keyspace() { clear(); }

  // Changes this thread made to any keyspace (the AOF compares it around a command).
  static std::uint64_t thread_changes() { return t_changes; }

  std::size_t size() const { return main_.size(); }
  std::size_t expires_size() const { return expires_.size(); }
  std::size_t bucket_bytes() const { return main_.bucket_bytes() + expires_.bucket_bytes(); }

  // The live entry for `key`, or nullptr. An expired key is deleted on the way (lazy expiry).
  // A lookup counts as a use of the key (its LRU clock) unless `touch` is false (OBJECT).
  KeyEntry* find(std::string_view key, std::int64_t now_ms, bool touch = true);
  // Seconds since the entry was last used, at the LRU clock's resolution.
  std::uint32_t idle_seconds(const KeyEntry& e) const { return counters_->lru_clock - e.value.lru; }
  // Stores a string value, replacing any old one (of any type); drops the TTL unless keep_ttl.
  // The caller has looked the key up (find) first, so an expired one is gone.
  KeyEntry* set(std::string_view key, std::string_view value, Encoding enc, bool keep_ttl);
  // Adds a key known to be absent (after find() returned nullptr): the "new" event, unless
  // `fresh` is false (it replaces a key just erased, as Redis's setKey overwrites).
  KeyEntry* add(std::string_view key, Value value, bool fresh = true);
  // Changes a string entry's string in place through fn(CompactString&), keeping the accounting
  // right.
  template <class Fn>
  void update(KeyEntry* e, Encoding enc, Fn&& fn) {
    TCPKIT_ASSERT(e->value.type == ValueType::kString);
    std::size_t before = entry_bytes(*e);
    fn(e->value.str);
    e->value.encoding = enc;
    counters_->resize(before, entry_bytes(*e));
    touch(e->key);
  }
  // Changes an entry's value (any type) through fn(Value&), keeping the accounting and WATCH
  // versions right; a collection left empty deletes its key, as in Redis. Returns false when
  // the key was deleted (`e` is then dangling).
  template <class Fn>
  bool change(KeyEntry* e, Fn&& fn) {
    std::size_t before = entry_bytes(*e);
    fn(e->value);
    counters_->resize(before, entry_bytes(*e));
    touch(e->key);
    if (!e->value.empty_collection()) return true;
    erase_entry(e);
    return false;
  }
  // Changes how an entry's value is encoded, not what it holds, through fn(Value&): the memory
  // accounting follows, WATCH versions do not (Redis's encoding conversions modify nothing).
  template <class Fn>
  void reencode(KeyEntry* e, Fn&& fn) {
    std::size_t before = entry_bytes(*e);
    fn(e->value);
    counters_->resize(before, entry_bytes(*e));
  }
  // Removes an entry and returns its value (TTL included): RENAME, MOVE.
  Value extract(KeyEntry* e);
  // Deletes `key` if present (expired or not); true when it was there.
  bool erase(std::string_view key);
  // Deletes `key` for the server itself (maxmemory eviction): reported to the thread's
  // ExpiryLog like an expired key (the append-only file's DEL). True when it was there.
  bool evict(std::string_view key);
  // Sets (at_ms >= 0) or removes (kNoExpire) the TTL of an entry.
  void set_expire(KeyEntry* e, std::int64_t at_ms);
  // Deletes everything; WATCHers of the existing keys see them modified.
  void clear();
  // Exchanges the keys (not the watches) of two databases: SWAPDB.
  void swap_contents(Keyspace& other);

  // Records a watcher of `key` and returns its current version.
  std::uint64_t watch(std::string_view key);
  void unwatch(std::string_view key);
  std::uint64_t version(std::string_view key) const;
  // Marks `key` modified for WATCH.
  void touch(std::string_view key);
  // Marks every watched key that exists modified (FLUSHDB, SWAPDB).
  void touch_all_existing();

  // One SCAN step over the main dict (see Dict::scan).
  template <class Fn>
  std::uint64_t scan(std::uint64_t cursor, Fn&& fn) const {
    return main_.scan(cursor, fn);
  }
  KeyEntry* random_entry(std::mt19937_64& rng) {
    KeyEntry* e = main_.random_entry(rng);
    sync_buckets();
    return e;
  }
  // A random key with a TTL, or nullptr (eviction's volatile-* policies).
  KeyEntry* random_volatile(std::mt19937_64& rng) {
    ExpireDict::Entry* x = expires_.random_entry(rng);
    sync_buckets();
    return x != nullptr ? x->value : nullptr;
  }
  template <class Fn>
  void for_each(Fn&& fn) {
    main_.for_each(fn);
  }

  // Active expiry: samples about `count` keys with a TTL from where the last call stopped,
  // deletes the expired ones; returns {sampled, expired}.
  std::pair<std::size_t, std::size_t> sample_expired(std::size_t count, std::int64_t now_ms);
  // Background work for the tick: finishes rehashing for a while, shrinks sparse tables.
  template <class Pred>
  void housekeeping(Pred keep_going) {
    main_.shrink_if_sparse();
    expires_.shrink_if_sparse();
    main_.rehash_while(keep_going);
    expires_.rehash_while(keep_going);
    sync_buckets();
  }

  static std::size_t entry_bytes(const KeyEntry& e);

 private:
  struct WatchSlot {
    std::uint64_t version = 0;
    std::uint32_t watchers = 0;
  };
  struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using WatchMap = std::unordered_map<std::string, WatchSlot, TransparentHash, std::equal_to<>>;

  void erase_entry(KeyEntry* e);
  // Deletes an entry whose TTL has passed: counted, and reported as "expired".
  void expire_entry(KeyEntry* e);
  // Brings the shard's bucket_bytes up to date with this keyspace's dicts (which may resize on
  // any operation, a lookup included, while they rehash).
  void sync_buckets() {
    const std::size_t now = bucket_bytes();
    if (now == buckets_) return;
    counters_->bucket_bytes = counters_->bucket_bytes + now - buckets_;
    buckets_ = now;
  }

  ShardCounters* counters_;
  KeyspaceShared* shared_ = nullptr;
  int db_ = 0;               // the database this keyspace is part of
  std::size_t buckets_ = 0;  // this keyspace's part of counters_->bucket_bytes
  MainDict main_;
  ExpireDict expires_;
  WatchMap watched_;
  std::uint64_t expire_cursor_ = 0;
};

}  // namespace tcpkit::kv
