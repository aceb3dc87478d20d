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
constexpr std::chrono::microseconds kRehashBudget{1000};  // per database and tick

}  // namespace

Store::Store(std::shared_ptr<const Clock> clock) : clock_(std::move(clock)) {
  if (!clock_) clock_ = std::make_shared<SystemClock>();
  for (auto& db : dbs_) db = std::make_unique<Database>(counters_);
}

std::size_t Store::used_memory() const {
  std::size_t bytes = sizeof(Store) + counters_.entry_bytes;
  for (const auto& db : dbs_) bytes += sizeof(Database) + db->bucket_bytes();
  return bytes;
}

std::pair<std::size_t, std::size_t> Database::sample_expired(std::size_t count,
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
  for (KeyEntry* e : expired) erase_entry(e);
  counters_->expired_keys += expired.size();
  return {sampled, expired.size()};
}

void Store::active_expire_cycle() {
  using SteadyClock = std::chrono::steady_clock;
  const auto deadline = SteadyClock::now() + kCycleBudget;
  const std::int64_t now_ms = clock_->now_ms();
  for (int n = 0; n < kDatabases; ++n) {
    Database& current = db(expire_next_db_);
    expire_next_db_ = (expire_next_db_ + 1) % kDatabases;
    for (int loops = 1;; ++loops) {
      if (current.expires_size() == 0) break;
      auto [sampled, expired] = current.sample_expired(kKeysPerLoop, now_ms);
      if (sampled == 0 || expired * 100 / sampled <= kRepeatPercent) break;
      if (loops % 16 == 0 && SteadyClock::now() >= deadline) return;
    }
    if (SteadyClock::now() >= deadline) return;
  }
}

void Store::tick() {
  active_expire_cycle();
  for (auto& database : dbs_) {
    const auto deadline = std::chrono::steady_clock::now() + kRehashBudget;
    database->housekeeping([deadline] { return std::chrono::steady_clock::now() < deadline; });
  }
}

}  // namespace tcpkit::kv
