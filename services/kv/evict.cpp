// maxmemory eviction (Redis's evict.c, approximated the same way): Store::evict, see store.hpp.
//
// Redis's pool: each step locks one shard (taking turns from where the last step stopped, so
// every shard pays its share), samples up to `samples` keys of each of its databases (keys with
// a TTL for the volatile-* policies) into a pool of the best 16 candidates seen so far by this
// thread, then evicts the pool's best: the longest idle (LRU clock) or the soonest to expire
// (TTL), looked up again under its own shard's lock (a candidate deleted meanwhile is skipped).
// The random policies evict the first key drawn. A full round of shards with nothing to offer
// ends it.
//
// Cost: O(samples x databases) a step plus the deletion; a command that finds memory over the
// limit runs as many steps as it takes to come under it (bounded by the keys there are).

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kv/store.hpp"

namespace tcpkit::kv {

namespace {

bool volatile_only(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileRandom ||
         p == EvictionPolicy::kVolatileTtl;
}

bool random_policy(EvictionPolicy p) {
  return p == EvictionPolicy::kAllkeysRandom || p == EvictionPolicy::kVolatileRandom;
}

// How good a victim `e` is under `p` (higher: evicted sooner).
std::uint64_t victim_score(EvictionPolicy p, const Keyspace& ks, const KeyEntry& e) {
  if (p == EvictionPolicy::kVolatileTtl) {
    return ~static_cast<std::uint64_t>(e.value.expire_at_ms);  // the soonest expiry first
  }
  return ks.idle_seconds(e);
}

struct Candidate {
  std::uint64_t score;
  std::size_t shard;
  int db;
  std::string key;
};
constexpr std::size_t kPoolSize = 16;

constexpr std::pair<std::string_view, EvictionPolicy> kPolicies[] = {
    {"noeviction", EvictionPolicy::kNoEviction},
    {"allkeys-lru", EvictionPolicy::kAllkeysLru},
    {"volatile-lru", EvictionPolicy::kVolatileLru},
    {"allkeys-random", EvictionPolicy::kAllkeysRandom},
    {"volatile-random", EvictionPolicy::kVolatileRandom},
    {"volatile-ttl", EvictionPolicy::kVolatileTtl}};

}  // namespace

std::optional<EvictionPolicy> parse_eviction_policy(std::string_view name) {
  for (const auto& [n, p] : kPolicies) {
    if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      return p;
    }
  }
  return std::nullopt;
}

std::string_view eviction_policy_name(EvictionPolicy p) {
  for (const auto& [n, policy] : kPolicies) {
    if (policy == p) return n;
  }
  return "noeviction";
}

bool Store::evict(EvictionPolicy policy, std::size_t limit, int samples) {
  if (policy == EvictionPolicy::kNoEviction) return used_memory() <= limit;
  thread_local std::vector<Candidate> pool;  // best last
  std::mt19937_64& random = rng();
  const bool volatile_keys = volatile_only(policy);
  std::size_t fruitless = 0;  // shards in a row that offered nothing
  while (used_memory() > limit) {
    if (fruitless > kShards) {
      pool.clear();
      return false;
    }
    // Sample one shard into the pool (random policies: evict what is drawn).
    const std::size_t s = evict_next_shard_.add(1) % kShards;
    Shard& shard = shards_[s];
    bool offered = false;
    {
      std::lock_guard lock(shard.mutex);
      for (int db = 0; db < kDatabases; ++db) {
        Keyspace& ks = *shard.dbs[static_cast<std::size_t>(db)];
        if ((volatile_keys ? ks.expires_size() : ks.size()) == 0) continue;
        offered = true;
        for (int i = 0; i < samples; ++i) {
          KeyEntry* e = volatile_keys ? ks.random_volatile(random) : ks.random_entry(random);
          if (e == nullptr) break;
          if (random_policy(policy)) {
            const std::string key(e->key);
            ks.evict(key);
            evicted_keys_.add(1);
            shared_.events.notify(kNotifyEvicted, "evicted", key, db);
            break;
          }
          const std::uint64_t score = victim_score(policy, ks, *e);
          const auto same = [&](const Candidate& c) {
            return c.shard == s && c.db == db && c.key == e->key;
          };
          if (std::any_of(pool.begin(), pool.end(), same)) continue;
          if (pool.size() == kPoolSize && score <= pool.front().score) continue;
          Candidate c{score, s, db, std::string(e->key)};
          pool.insert(std::upper_bound(
                          pool.begin(), pool.end(), c,
                          [](const Candidate& a, const Candidate& b) { return a.score < b.score; }),
                      std::move(c));
          if (pool.size() > kPoolSize) pool.erase(pool.begin());
        }
        if (random_policy(policy)) break;
      }
    }
    fruitless = offered ? 0 : fruitless + 1;
    if (random_policy(policy) || pool.empty()) continue;
    // Evict the pool's best that still exists.
    while (!pool.empty()) {
      Candidate best = std::move(pool.back());
      pool.pop_back();
      Shard& home = shards_[best.shard];
      std::lock_guard lock(home.mutex);
      if (!home.dbs[static_cast<std::size_t>(best.db)]->evict(best.key)) continue;
      evicted_keys_.add(1);
      shared_.events.notify(kNotifyEvicted, "evicted", best.key, best.db);
      break;
    }
  }
  return true;
}

}  // namespace tcpkit::kv
