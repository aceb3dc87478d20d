#pragma once
// Store: the shared state of a kv service — 16 databases, the clock, memory accounting — and
// the mutex that guards it all.
//
// Locking: every method requires the caller to hold mutex(). A session takes it once per
// on_bytes() batch (all pipelined commands of the batch run under one acquisition) and the
// service's tick() takes it for the periodic work. Owned by KvService; outlives its sessions.

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

#include "kv/clock.hpp"
#include "kv/database.hpp"

namespace tcpkit::kv {

class Store {
 public:
  static constexpr int kDatabases = 16;

  explicit Store(std::shared_ptr<const Clock> clock);
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  std::mutex& mutex() const { return mutex_; }
  const Clock& clock() const { return *clock_; }
  Database& db(int index) { return *dbs_[static_cast<std::size_t>(index)]; }
  std::mt19937_64& rng() { return rng_; }

  // Bytes used by the data: entries (keys, values, overhead) plus hash-table buckets.
  std::size_t used_memory() const;
  std::uint64_t expired_keys() const { return counters_.expired_keys; }

  // The periodic work (every 100 ms): active expiry, then incremental rehashing for up to
  // 1 ms per database.
  void tick();
  // Redis's slow active-expire cycle (expire.cpp): per database, sample 20 keys with a TTL,
  // delete the expired ones, repeat while more than 25% of the sample had expired; stop when
  // the cycle has used 25 ms.
  void active_expire_cycle();

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Clock> clock_;
  StoreCounters counters_;
  std::array<std::unique_ptr<Database>, kDatabases> dbs_;
  std::mt19937_64 rng_{0x6b76u};
  int expire_next_db_ = 0;  // where the last cycle stopped, so all databases get their turn
};

}  // namespace tcpkit::kv
