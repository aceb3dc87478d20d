// Active expiry and the other periodic work of the Store (see store.hpp).
//
// Lazy expiry alone would keep keys nobody reads forever, so every tick samples the expires
// tables like Redis's activeExpireCycle: the sampling walks each expires table with a SCAN
// cursor kept between cycles (so it visits every key in turn, without a full pass), deletes
// what has expired, and keeps going on a database while the sample was mostly expired —
// a good sign that many more are. A time budget bounds the pause.

#include <chrono>
#include <vector>

#include "kv/store.hpp"

namespace tcpkit::kv {

namespace {

constexpr std::size_t kKeysPerLoop = 20;                  // ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP
constexpr std::size_t kRepeatPercent = 25;                // repeat while > 25% expired
constexpr std::chrono::microseconds kCycleBudget{25000};  // 25% of the 100 ms period
constexpr std::chrono::microseconds kRehashBudget{2000};  // per tick, all shards together

}  // namespace

std::pair<std::size_t, std::size_t> Keyspace::sample_expired(std::size_t count,
                                                             std::int64_t now_ms) {
  std::vector<KeyEntry*> expired;
  std::size_t sampled = 0;
  std::size_t buckets = 0;
  do {
    expire_cursor_ = expires_.scan(expire_cursor_, [&](const ExpireDict::Entry& e) {
      ++sampled;
      if (e.value->value.expire_at_ms <= now_ms) expired.push_back(e.value);
    });
    ++buckets;
  } while (expire_cursor_ != 0 && sampled < count && buckets < count * 20);
  for (KeyEntry* e : expired) {
    report_expired(*e);
    erase_entry(e);
  }
  counters_->expired_keys = counters_->expired_keys + expired.size();
  return {sampled, expired.size()};
}

bool Store::expire_shard(Shard& shard, std::int64_t now_ms,
                         std::chrono::steady_clock::time_point deadline) {
  using SteadyClock = std::chrono::steady_clock;
  for (int n = 0; n < kDatabases; ++n) {
    Keyspace& current = *shard.dbs[static_cast<std::size_t>(shard.expire_next_db)];
    shard.expire_next_db = (shard.expire_next_db + 1) % kDatabases;
    for (int loops = 1;; ++loops) {
      if (current.expires_size() == 0) break;
      auto [sampled, expired] = current.sample_expired(kKeysPerLoop, now_ms);
      if (sampled == 0 || expired * 100 / sampled <= kRepeatPercent) break;
      if (loops % 16 == 0 && SteadyClock::now() >= deadline) return false;
    }
  }
  return SteadyClock::now() < deadline;
}

void Store::tick() {
  using SteadyClock = std::chrono::steady_clock;
  const auto start = SteadyClock::now();
  const auto expire_deadline = start + kCycleBudget;
  const std::int64_t now_ms = clock_->now_ms();
  advance_lru_clock();
  // Expiry, from the shard where the last tick ran out of time, so that every shard gets its turn.
  for (std::size_t n = 0; n < kShards; ++n) {
    Shard& shard = shards_[tick_next_shard_];
    tick_next_shard_ = (tick_next_shard_ + 1) % kShards;
    std::lock_guard lock(shard.mutex);
    if (!expire_shard(shard, now_ms, expire_deadline)) break;
  }
  // Rehashing, for a bounded time in all.
  const auto rehash_deadline = SteadyClock::now() + kRehashBudget;
  const auto keep_going = [rehash_deadline] { return SteadyClock::now() < rehash_deadline; };
  for (std::size_t i = 0; i < kShards && keep_going(); ++i) {
    std::lock_guard lock(shards_[i].mutex);
    for (auto& keyspace : shards_[i].dbs) keyspace->housekeeping(keep_going);
  }
}

}  // namespace tcpkit::kv
