// BlockedClients and the timeout argument: see blocking.hpp.
#include "kv/blocking.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kv/command.hpp"
#include "kv/text.hpp"

namespace tcpkit::kv {

void BlockedClients::add(const std::shared_ptr<Waiter>& w) {
  std::lock_guard lock(mutex_);
  for (const std::string& key : w->keys) by_key_[{w->db, key}].push_back(w);
  by_client_[w->client_id] = w;
  count_.fetch_add(1, std::memory_order_relaxed);
}

void BlockedClients::remove(const Waiter& w) {
  std::lock_guard lock(mutex_);
  for (const std::string& key : w.keys) {
    auto it = by_key_.find({w.db, key});
    if (it == by_key_.end()) continue;
    auto& queue = it->second;
    queue.erase(std::remove_if(queue.begin(), queue.end(),
                               [&](const std::shared_ptr<Waiter>& q) { return q.get() == &w; }),
                queue.end());
    if (queue.empty()) by_key_.erase(it);
  }
  if (auto it = by_client_.find(w.client_id); it != by_client_.end() && it->second.get() == &w) {
    by_client_.erase(it);
    count_.fetch_sub(1, std::memory_order_relaxed);
  }
}

std::vector<BlockedClients::ReadyKey>& BlockedClients::ready() {
  thread_local std::vector<ReadyKey> keys;
  return keys;
}

void BlockedClients::note_key_slow(int db, std::string_view key) {
  {
    std::lock_guard lock(mutex_);
    if (!by_key_.contains({db, std::string(key)})) return;
  }
  auto& keys = ready();
  for (const ReadyKey& k : keys) {
    if (k.db == db && k.key == key) return;
  }
  keys.push_back({db, std::string(key)});
}

void BlockedClients::note_db(int db) {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [where, queue] : by_key_) {
      if (where.first == db) names.push_back(where.second);
    }
  }
  for (const std::string& n : names) ready().push_back({db, n});
}

std::vector<std::shared_ptr<Waiter>> BlockedClients::waiters(int db, std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = by_key_.find({db, std::string(key)});
  if (it == by_key_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::shared_ptr<Waiter> BlockedClients::of_client(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = by_client_.find(id);
  return it == by_client_.end() ? nullptr : it->second;
}

std::optional<std::optional<std::chrono::steady_clock::time_point>> parse_block_timeout(
    std::string_view arg, std::string& error) {
  // Redis reads a long double, takes milliseconds rounded up, and calls anything past the
  // range of a 64-bit count of milliseconds (infinity included) negative, as its cast does.
  const auto seconds = parse_long_double(arg);
  if (!seconds || std::isnan(*seconds)) {
    error = "ERR timeout is not a float or out of range";
    return std::nullopt;
  }
  const long double ms = std::ceil(*seconds * 1000.0L);
  if (ms < 0 || !(ms <= static_cast<long double>(std::numeric_limits<std::int64_t>::max()))) {
    error = "ERR timeout is negative";
    return std::nullopt;
  }
  if (ms == 0) return std::optional<std::chrono::steady_clock::time_point>{};
  // Far-off deadlines are capped at a century: the same as forever for any client, and
  // clear of the clock's overflow.
  const auto capped = std::min<long double>(ms, 100.0L * 365 * 24 * 3600 * 1000);
  return std::optional<std::chrono::steady_clock::time_point>{
      std::chrono::steady_clock::now() +
      std::chrono::milliseconds(static_cast<std::int64_t>(capped))};
}

void block_or_null(CommandContext& ctx, std::span<const std::string_view> keys, ValueType type,
                   std::optional<std::chrono::steady_clock::time_point> deadline, bool null_bulk,
                   std::optional<std::string_view> destination) {
  if (ctx.block == nullptr) return null_bulk ? ctx.out.null() : ctx.out.null_array();
  BlockRequest& r = *ctx.block;
  r.active = true;
  r.keys.assign(keys.begin(), keys.end());
  r.type = type;
  r.destination = destination;
  r.deadline = deadline;
}

}  // namespace tcpkit::kv
