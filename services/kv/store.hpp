#pragma once
// Store: the shared state of a kv service, split into 64 shards by key hash so that commands on
// different keys run in parallel on different threads.
//
//   Store ─ shard 0 ─ mutex, counters, Keyspace for db 0 … db 15
//         ─ shard 1 ─ …
//         ─ …        (a key lives in shard_of(key), in every database: MOVE and COPY … DB n
//                     stay inside one shard)
//   Database (db(i)) — the view commands use: routes each key to its shard's Keyspace
//
// Locking (the design and why it cannot deadlock: docs/kv.md, "The all-core store"). Before a
// command runs, its session computes the set of shards it touches (its keys from the key
// specs; every shard for whole-keyspace commands such as KEYS, FLUSHALL and INFO; for EXEC, the
// queued commands' and the watched keys' shards) and takes them with a ShardLock, in ascending
// shard order, holding nothing else. The command then reaches only keys of those shards through
// Database; a debug build asserts it on every access. Counters that INFO reads across shards
// are Relaxed and need no lock.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string_view>
#include <vector>

#include "kv/blocking.hpp"
#include "kv/clock.hpp"
#include "kv/keyspace.hpp"
#include "tcpkit/base/futex_mutex.hpp"

namespace tcpkit::kv {

inline constexpr int kDatabases = 16;
inline constexpr unsigned kShardBits = 6;
inline constexpr std::size_t kShards = std::size_t{1} << kShardBits;

// A set of shards, bit i for shard i.
using ShardMask = std::uint64_t;
inline constexpr ShardMask kAllShards = ~ShardMask{0};
static_assert(kShards == 64, "a ShardMask has one bit per shard");
static_assert(sizeof(std::atomic<std::uint32_t>) == 4, "a futex word");

// The shard that holds `key`: the top bits of its hash (a Dict picks buckets by the low bits,
// so a shard's keys still spread over all of its buckets).
inline std::size_t shard_of(std::string_view key) {
  return std::hash<std::string_view>{}(key) >> (64 - kShardBits);
}
inline ShardMask shard_bit(std::string_view key) { return ShardMask{1} << shard_of(key); }

// maxmemory-policy (Redis's names; the LFU ones are refused by CONFIG SET and --maxmemory-policy:
// kv keeps no access frequencies).
enum class EvictionPolicy {
  kNoEviction,
  kAllkeysLru,
  kVolatileLru,
  kAllkeysRandom,
  kVolatileRandom,
  kVolatileTtl
};
// The policy named `name` (any case), or nullopt (the LFU ones included).
std::optional<EvictionPolicy> parse_eviction_policy(std::string_view name);
std::string_view eviction_policy_name(EvictionPolicy p);

// A shard's lock: a futex-based mutex (Drepper's "Futexes are tricky", mutex 2; the shape of
// base/futex_mutex.hpp, which has no give-up). Uncontended,
// lock is one compare-and-swap and unlock one exchange, no call into the C library; contended,
// waiters sleep in the kernel (futex). State: 0 free, 1 held, 2 held with waiters.
//
// lock_unless() is lock() for a waiter that may have to give up: it sleeps at most
// kGiveUpCheck at a time and asks `give_up` after each sleep (a script running past
// busy-reply-threshold makes other clients answer BUSY rather than wait, store.cpp).
class ShardMutex {
 public:
  static constexpr long kGiveUpCheckNs = 50'000'000;

  void lock() {
    std::uint32_t c = 0;
    if (state_.compare_exchange_strong(c, 1, std::memory_order_acquire)) return;
    if (c != 2) c = state_.exchange(2, std::memory_order_acquire);
    while (c != 0) {
      wait(0);
      c = state_.exchange(2, std::memory_order_acquire);
    }
  }
  // True when locked; false, not holding it, when `give_up()` said so while waiting.
  template <class GiveUp>
  bool lock_unless(GiveUp&& give_up) {
    std::uint32_t c = 0;
    if (state_.compare_exchange_strong(c, 1, std::memory_order_acquire)) return true;
    if (c != 2) c = state_.exchange(2, std::memory_order_acquire);
    while (c != 0) {
      wait(kGiveUpCheckNs);
      if (give_up()) return false;
      c = state_.exchange(2, std::memory_order_acquire);
    }
    return true;
  }
  bool try_lock() {
    std::uint32_t c = 0;
    return state_.compare_exchange_strong(c, 1, std::memory_order_acquire);
  }
  void unlock() {
    if (state_.exchange(0, std::memory_order_release) == 2) wake();
  }

 private:
  // Sleeps while the state is 2 (at most `timeout_ns` when not 0); store.cpp.
  void wait(long timeout_ns);
  void wake();

  std::atomic<std::uint32_t> state_{0};
};

struct alignas(64) Shard {
  ShardMutex mutex;
  ShardCounters counters;
  std::array<std::unique_ptr<Keyspace>, kDatabases> dbs;
  int expire_next_db = 0;  // where this shard's last expiry cycle stopped

  Shard();
};

// The shards this thread holds (debug builds check every key access against it).
ShardMask held_shards();
// Sets what this thread is taken to hold and returns what it was: a script that lets its loop
// serve other connections meanwhile (ScriptEngine) hides its shards from their sessions, which
// lock for themselves (and so answer BUSY rather than use the script's shards).
ShardMask exchange_held_shards(ShardMask mask);

// The shard of the key a command is about to use, computed once by the session before it
// locks (KvSession::dispatch), so the command's own lookup does not hash the key again. It
// names the key by the address and length of the argument: valid only while that command
// runs (dispatch clears it after).
struct RouteMemo {
  const char* data = nullptr;
  std::size_t size = 0;
  std::size_t shard = 0;
};
inline RouteMemo& route_memo() {
  thread_local RouteMemo memo;
  return memo;
}

// Holds a set of shards: locks them in ascending order on construction (or lock()), unlocks them
// on destruction (or unlock()). A thread holds at most one ShardLock's shards at a time and
// takes new shards only while it holds none: the order is total, so no cycle of waiters can form.
class ShardLock {
 public:
  ShardLock() = default;
  ShardLock(std::span<Shard, kShards> shards, ShardMask mask) { lock(shards, mask); }
  ShardLock(const ShardLock&) = delete;
  ShardLock& operator=(const ShardLock&) = delete;
  ~ShardLock() { unlock(); }

  void lock(std::span<Shard, kShards> shards, ShardMask mask);
  // lock(), giving up (holding nothing, false) when `give_up` is set and says so while this
  // thread waits for a shard.
  bool lock(std::span<Shard, kShards> shards, ShardMask mask, bool (*give_up)(const void*),
            const void* arg);
  void unlock();
  // Adds the shard of `bit` if it can be had without waiting (true when held then). Out of the
  // ascending order, but a thread that never waits for it closes no cycle of waiters.
  bool try_add(ShardMask bit);
  ShardMask held() const { return held_; }
  // Holds exactly the shards of `mask` or more: keeps what it holds when that covers `mask`,
  // otherwise releases everything and locks `mask`.
  void cover(std::span<Shard, kShards> shards, ShardMask mask) {
    if ((mask & ~held_) == 0) return;
    unlock();
    lock(shards, mask);
  }
  // cover() that may give up while waiting (see lock()); false: holds nothing.
  bool cover(std::span<Shard, kShards> shards, ShardMask mask, bool (*give_up)(const void*),
             const void* arg) {
    if ((mask & ~held_) == 0) return true;
    unlock();
    return lock(shards, mask, give_up, arg);
  }

 private:
  Shard* shards_ = nullptr;
  ShardMask held_ = 0;
};

// One numbered database as the commands see it: each key goes to the Keyspace of its shard.
// Whole-database operations (size, scan, clear, …) visit every shard and need all of them held.
class Database {
 public:
  Database(std::span<Shard, kShards> shards, int index, BlockedClients* blocked)
      : shards_(shards), index_(index), blocked_(blocked) {}

  KeyEntry* find(std::string_view key, std::int64_t now_ms, bool touch = true) {
    return at(key).find(key, now_ms, touch);
  }
  std::uint32_t idle_seconds(const KeyEntry& e) { return at(e.key).idle_seconds(e); }
  KeyEntry* set(std::string_view key, std::string_view value, Encoding enc, bool keep_ttl) {
    return at(key).set(key, value, enc, keep_ttl);
  }
  // A new key. A list or sorted set may serve clients blocked on it (blocking.hpp).
  KeyEntry* add(std::string_view key, Value value, bool fresh = true) {
    const ValueType type = value.type;
    KeyEntry* e = at(key).add(key, std::move(value), fresh);
    if (type == ValueType::kList || type == ValueType::kZset) blocked_->note_key(index_, key);
    return e;
  }
  // Stores `value` under `key` in place of any old value (and its TTL), as Redis's setKey: a
  // key that existed is overwritten (no "new" event).
  KeyEntry* replace(std::string_view key, Value value) {
    const bool existed = erase(key);
    return add(key, std::move(value), !existed);
  }
  template <class Fn>
  void update(KeyEntry* e, Encoding enc, Fn&& fn) {
    at(e->key).update(e, enc, std::forward<Fn>(fn));
  }
  template <class Fn>
  bool change(KeyEntry* e, Fn&& fn) {
    return at(e->key).change(e, std::forward<Fn>(fn));
  }
  template <class Fn>
  void reencode(KeyEntry* e, Fn&& fn) {
    at(e->key).reencode(e, std::forward<Fn>(fn));
  }
  Value extract(KeyEntry* e) { return at(e->key).extract(e); }
  bool erase(std::string_view key) { return at(key).erase(key); }
  void set_expire(KeyEntry* e, std::int64_t at_ms) { at(e->key).set_expire(e, at_ms); }
  std::uint64_t watch(std::string_view key) { return at(key).watch(key); }
  void unwatch(std::string_view key) { at(key).unwatch(key); }
  std::uint64_t version(std::string_view key) { return at(key).version(key); }

  // Whole database: every shard must be held.
  std::size_t size() const;
  std::size_t expires_size() const;
  void clear();
  void swap_contents(Database& other);
  KeyEntry* random_entry(std::mt19937_64& rng);
  template <class Fn>
  void for_each(Fn&& fn) {
    for (Shard& shard : shards_) keyspace(shard).for_each(fn);
  }
  // One SCAN step: the cursor's low kShardBits bits name the shard, the rest is that shard's
  // dict cursor. A shard's scan finishing moves the cursor to the next non-empty shard.
  template <class Fn>
  std::uint64_t scan(std::uint64_t cursor, Fn&& fn) {
    std::size_t s = cursor & (kShards - 1);
    std::uint64_t inner = keyspace(shards_[s]).scan(cursor >> kShardBits, fn);
    if (inner == 0) {
      do {
        if (++s == kShards) return 0;
      } while (keyspace(shards_[s]).size() == 0);
    }
    return inner << kShardBits | s;
  }

 private:
  Keyspace& keyspace(Shard& shard) const { return *shard.dbs[static_cast<std::size_t>(index_)]; }
  Keyspace& at(std::string_view key) {
    const RouteMemo& memo = route_memo();
    const std::size_t s =
        key.data() == memo.data && key.size() == memo.size ? memo.shard : shard_of(key);
    check_held(ShardMask{1} << s);
    return keyspace(shards_[s]);
  }
  static void check_held([[maybe_unused]] ShardMask mask) {
#ifndef NDEBUG
    TCPKIT_ASSERT((held_shards() & mask) == mask);
#endif
  }

  std::span<Shard, kShards> shards_;
  int index_;
  BlockedClients* blocked_;
};

class Store {
 public:
  static constexpr int kDatabases = kv::kDatabases;

  explicit Store(std::shared_ptr<const Clock> clock);
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const Clock& clock() const { return *clock_; }
  Database& db(int index) { return views_[static_cast<std::size_t>(index)]; }
  BlockedClients& blocked() { return blocked_; }
  // Key events (notify.hpp) and CLIENT PAUSE's hold on expiry, shared by every keyspace.
  KeyspaceEvents& events() { return shared_.events; }
  void pause_expiry_until(std::int64_t ms) { shared_.expiry_paused_until_ms = ms; }
  std::span<Shard, kShards> shards() { return std::span<Shard, kShards>(shards_.get(), kShards); }
  // This thread's generator (RANDOMKEY, SPOP, …): no lock needed.
  std::mt19937_64& rng();

  // Bytes used by the data: entries (keys, values, overhead) plus hash-table buckets. Lock-free.
  std::size_t used_memory() const;
  std::uint64_t expired_keys() const;
  // Keys written or deleted since start (Redis's dirty counter, summed over the shards).
  std::uint64_t changes() const;

  // maxmemory: deletes keys chosen by `policy` (sampling `samples` keys a database at a time,
  // as Redis approximates LRU and TTL) until used_memory() <= `limit`; each is an "evicted"
  // event. Takes one shard at a time (the caller holds none). False when nothing was left to
  // evict and memory is still over. evict.cpp.
  bool evict(EvictionPolicy policy, std::size_t limit, int samples);
  std::uint64_t evicted_keys() const { return evicted_keys_.load(); }

  // The periodic work (every 100 ms), shard by shard, each under its own lock: active expiry,
  // then incremental rehashing, within a time budget for the whole tick.
  void tick();

 private:
  // Sets every shard's LRU clock from the clock (at start and every tick, as Redis's cron).
  void advance_lru_clock();
  // Redis's slow active-expire cycle (expire.cpp) over one shard's databases: sample 20 keys
  // with a TTL, delete the expired ones, repeat while more than 25% of the sample had expired.
  // False when the deadline passed.
  bool expire_shard(Shard& shard, std::int64_t now_ms,
                    std::chrono::steady_clock::time_point deadline);

  std::shared_ptr<const Clock> clock_;
  BlockedClients blocked_;
  KeyspaceShared shared_;
  Relaxed<std::uint64_t> evicted_keys_ = 0;
  Relaxed<std::size_t> evict_next_shard_ = 0;  // where the last eviction looked
  std::unique_ptr<Shard[]> shards_;
  std::vector<Database> views_;
  std::size_t tick_next_shard_ = 0;  // where the last tick's budget ran out
};

}  // namespace tcpkit::kv
