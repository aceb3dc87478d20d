// Keyspace: keys, TTLs and WATCH versions of one database in one shard (see keyspace.hpp).

#include "kv/keyspace.hpp"

#include "kv/text.hpp"

namespace tcpkit::kv {

Encoding encoding_for(std::string_view s) {
  if (is_int_encodable(s)) return Encoding::kInt;
  return s.size() <= 44 ? Encoding::kEmbstr : Encoding::kRaw;
}

std::size_t Keyspace::entry_bytes(const KeyEntry& e) {
  std::size_t bytes = MainDict::entry_bytes(e) + e.value.heap_bytes();
  if (e.value.expire_at_ms != kNoExpire) bytes += sizeof(ExpireDict::Entry);
  return bytes;
}

KeyEntry* Keyspace::find(std::string_view key, std::int64_t now_ms, bool touch) {
  KeyEntry* e = main_.find(key);
  if (e == nullptr) {
    sync_buckets();
    return nullptr;
  }
  if (e->value.expire_at_ms != kNoExpire && e->value.expire_at_ms <= now_ms) {
    if (shared_ == nullptr || shared_->expiry_paused_until_ms.load() <= now_ms) expire_entry(e);
    return nullptr;
  }
  if (touch) e->value.lru = counters_->lru_clock;
  return e;
}

KeyEntry* Keyspace::set(std::string_view key, std::string_view value, Encoding enc, bool keep_ttl) {
  KeyEntry* e = main_.find(key);
  if (e == nullptr) {
    Value v;
    v.str.assign(value);
    v.encoding = enc;
    return add(key, std::move(v));
  }
  if (!keep_ttl) set_expire(e, kNoExpire);
  if (e->value.type != ValueType::kString) change(e, [](Value& v) { v.make_string(); });
  update(e, enc, [value](CompactString& s) { s.assign(value); });
  e->value.lru = counters_->lru_clock;
  sync_buckets();
  return e;
}

KeyEntry* Keyspace::add(std::string_view key, Value value, bool fresh) {
  std::int64_t expire_at = value.expire_at_ms;
  value.expire_at_ms = kNoExpire;
  KeyEntry* e = main_.insert_new(key, std::move(value));
  e->value.lru = counters_->lru_clock;
  counters_->resize(0, entry_bytes(*e));
  if (expire_at != kNoExpire) set_expire(e, expire_at);
  touch(e->key);
  sync_buckets();
  if (fresh && shared_ != nullptr) shared_->events.notify(kNotifyNew, "new", e->key, db_);
  return e;
}

Value Keyspace::extract(KeyEntry* e) {
  touch(e->key);
  counters_->resize(entry_bytes(*e), 0);
  if (e->value.expire_at_ms != kNoExpire) expires_.erase(e->key);
  Value v = std::move(e->value);  // leaves an empty string behind
  e->value.expire_at_ms = kNoExpire;
  main_.erase(e->key);
  sync_buckets();
  return v;
}

bool Keyspace::erase(std::string_view key) {
  KeyEntry* e = main_.find(key);
  if (e != nullptr) erase_entry(e);
  sync_buckets();
  return e != nullptr;
}

bool Keyspace::evict(std::string_view key) {
  KeyEntry* e = main_.find(key);
  if (e == nullptr) return false;
  report_expired(*e);
  erase_entry(e);
  return true;
}

void Keyspace::erase_entry(KeyEntry* e) {
  touch(e->key);
  counters_->resize(entry_bytes(*e), 0);
  if (e->value.expire_at_ms != kNoExpire) expires_.erase(e->key);
  // Safe although the view points into the entry: erase() stops reading it once it unlinks.
  main_.erase(e->key);
  sync_buckets();
}

void Keyspace::expire_entry(KeyEntry* e) {
  report_expired(*e);  // the append-only file's DEL
  counters_->expired_keys = counters_->expired_keys + 1;
  if (shared_ == nullptr || !shared_->events.wants(kNotifyExpired)) return erase_entry(e);
  const std::string key(e->key);
  erase_entry(e);
  shared_->events.notify(kNotifyExpired, "expired", key, db_);
}

void Keyspace::set_expire(KeyEntry* e, std::int64_t at_ms) {
  bool had = e->value.expire_at_ms != kNoExpire;
  bool has = at_ms != kNoExpire;
  if (had && !has) {
    expires_.erase(e->key);
    counters_->resize(sizeof(ExpireDict::Entry), 0);
  } else if (!had && has) {
    expires_.insert_new(std::string_view(e->key), e);
    counters_->resize(0, sizeof(ExpireDict::Entry));
  }
  e->value.expire_at_ms = at_ms;
  touch(e->key);
  sync_buckets();
}

void Keyspace::clear() {
  touch_all_existing();
  counters_->changes.add(main_.size());
  t_changes += main_.size();
  std::size_t bytes = 0;
  main_.for_each([&bytes](KeyEntry& e) { bytes += entry_bytes(e); });
  counters_->resize(bytes, 0);
  expires_.clear();
  main_.clear();
  expire_cursor_ = 0;
  sync_buckets();
}

void Keyspace::swap_contents(Keyspace& other) {
  touch_all_existing();
  other.touch_all_existing();
  main_.swap(other.main_);
  expires_.swap(other.expires_);
  std::swap(expire_cursor_, other.expire_cursor_);
  touch_all_existing();
  other.touch_all_existing();
  sync_buckets();
  other.sync_buckets();
}

std::uint64_t Keyspace::watch(std::string_view key) {
  auto it = watched_.find(key);
  if (it == watched_.end()) it = watched_.emplace(std::string(key), WatchSlot{}).first;
  ++it->second.watchers;
  return it->second.version;
}

void Keyspace::unwatch(std::string_view key) {
  auto it = watched_.find(key);
  if (it == watched_.end()) return;
  if (--it->second.watchers == 0) watched_.erase(it);
}

std::uint64_t Keyspace::version(std::string_view key) const {
  auto it = watched_.find(key);
  return it == watched_.end() ? 0 : it->second.version;
}

thread_local std::uint64_t Keyspace::t_changes = 0;
thread_local Keyspace::ExpiryLog* Keyspace::t_expiry_log = nullptr;

void Keyspace::report_expired(const KeyEntry& e) const {
  if (t_expiry_log != nullptr) t_expiry_log->expired(db_, e.key);
}

void Keyspace::touch(std::string_view key) {
  counters_->changes.add(1);
  ++t_changes;
  if (watched_.empty()) return;
  auto it = watched_.find(key);
  if (it != watched_.end()) it->second.version = counters_->next_version++;
}

void Keyspace::touch_all_existing() {
  for (auto& [key, slot] : watched_) {
    if (main_.find(key) != nullptr) slot.version = counters_->next_version++;
  }
  sync_buckets();
}

}  // namespace tcpkit::kv
