// Store: shards, their locks and the whole-database operations (see store.hpp); the periodic
// work is in expire.cpp.

#include "kv/store.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bit>
#include <ctime>
#include <utility>

namespace tcpkit::kv {

namespace {

thread_local ShardMask t_held = 0;

}  // namespace

ShardMask held_shards() { return t_held; }

ShardMask exchange_held_shards(ShardMask mask) { return std::exchange(t_held, mask); }

Shard::Shard() {
  int index = 0;
  for (auto& db : dbs) db = std::make_unique<Keyspace>(counters, index++);
}

void ShardMutex::wait(long timeout_ns) {
  timespec timeout{0, timeout_ns};
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&state_), FUTEX_WAIT_PRIVATE, 2,
          timeout_ns != 0 ? &timeout : nullptr, nullptr, 0);
}

void ShardMutex::wake() {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&state_), FUTEX_WAKE_PRIVATE, 1, nullptr,
          nullptr, 0);
}

bool ShardLock::lock(std::span<Shard, kShards> shards, ShardMask mask, bool (*give_up)(const void*),
                     const void* arg) {
  TCPKIT_ASSERT(held_ == 0 && t_held == 0);
  shards_ = shards.data();
  for (ShardMask rest = mask; rest != 0; rest &= rest - 1) {
    const int shard = std::countr_zero(rest);
    if (!shards_[shard].mutex.lock_unless([&] { return give_up(arg); })) {
      held_ = mask & ~rest;  // the ones below `shard`, all taken
      t_held = held_;
      unlock();
      return false;
    }
  }
  held_ = t_held = mask;
  return true;
}

void ShardLock::lock(std::span<Shard, kShards> shards, ShardMask mask) {
  TCPKIT_ASSERT(held_ == 0 && t_held == 0);  // nothing held: the ascending order is global
  shards_ = shards.data();
  for (ShardMask rest = mask; rest != 0; rest &= rest - 1) {
    shards_[std::countr_zero(rest)].mutex.lock();
  }
  held_ = t_held = mask;
}

bool ShardLock::try_add(ShardMask bit) {
  if ((held_ & bit) != 0) return true;
  if (held_ == 0 || !shards_[std::countr_zero(bit)].mutex.try_lock()) return false;
  held_ |= bit;
  t_held = held_;
  return true;
}

void ShardLock::unlock() {
  for (ShardMask rest = held_; rest != 0; rest &= rest - 1) {
    shards_[std::countr_zero(rest)].mutex.unlock();
  }
  held_ = t_held = 0;
}

std::size_t Database::size() const {
  check_held(kAllShards);
  std::size_t n = 0;
  for (Shard& shard : shards_) n += keyspace(shard).size();
  return n;
}

std::size_t Database::expires_size() const {
  check_held(kAllShards);
  std::size_t n = 0;
  for (Shard& shard : shards_) n += keyspace(shard).expires_size();
  return n;
}

void Database::clear() {
  check_held(kAllShards);
  for (Shard& shard : shards_) keyspace(shard).clear();
}

void Database::swap_contents(Database& other) {
  check_held(kAllShards);
  for (Shard& shard : shards_) keyspace(shard).swap_contents(other.keyspace(shard));
}

KeyEntry* Database::random_entry(std::mt19937_64& rng) {
  const std::size_t total = size();
  if (total == 0) return nullptr;
  // A shard with a chance proportional to its keys, then a key of that shard.
  std::size_t pick = std::uniform_int_distribution<std::size_t>(0, total - 1)(rng);
  for (Shard& shard : shards_) {
    Keyspace& ks = keyspace(shard);
    if (pick < ks.size()) return ks.random_entry(rng);
    pick -= ks.size();
  }
  return nullptr;
}

Store::Store(std::shared_ptr<const Clock> clock)
    : clock_(std::move(clock)), shards_(std::make_unique<Shard[]>(kShards)) {
  if (!clock_) clock_ = std::make_shared<SystemClock>();
  advance_lru_clock();
  views_.reserve(kDatabases);
  for (int i = 0; i < kDatabases; ++i) views_.emplace_back(shards(), i, &blocked_);
  for (std::size_t s = 0; s < kShards; ++s) {
    for (int i = 0; i < kDatabases; ++i) {
      shards_[s].dbs[static_cast<std::size_t>(i)]->bind(&shared_, i);
    }
  }
}

void Store::advance_lru_clock() {
  const auto seconds = static_cast<std::uint32_t>(clock_->now_ms() / 1000);
  for (std::size_t i = 0; i < kShards; ++i) shards_[i].counters.lru_clock = seconds;
}

std::mt19937_64& Store::rng() {
  thread_local std::mt19937_64 rng{0x6b76u};
  return rng;
}

std::size_t Store::used_memory() const {
  std::size_t bytes = sizeof(Store) + kShards * (sizeof(Shard) + kDatabases * sizeof(Keyspace));
  for (std::size_t i = 0; i < kShards; ++i) {
    bytes += shards_[i].counters.entry_bytes + shards_[i].counters.bucket_bytes;
  }
  return bytes;
}

std::uint64_t Store::expired_keys() const {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < kShards; ++i) n += shards_[i].counters.expired_keys;
  return n;
}

std::uint64_t Store::changes() const {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < kShards; ++i) n += shards_[i].counters.changes;
  return n;
}

}  // namespace tcpkit::kv
