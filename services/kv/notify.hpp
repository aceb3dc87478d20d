#pragma once
// Keyspace notifications (Redis's notify.c): with `notify-keyspace-events` set, a change to a
// key is published as pub/sub messages, `__keyspace@<db>__:<key>` carrying the event's name
// and `__keyevent@<db>__:<event>` carrying the key, for the classes of events the setting
// names (K and E choose the channels; g $ l s h z x e t d n m the events; A is g$lshzxetd).
//
// Who calls: each write command names its events (cmd_*.cpp, as Redis's do); the keyspace
// itself reports keys it creates ("new"), keys it finds expired ("expired", lazily or in the
// tick's active expiry); a missed read lookup is "keymiss" (cmd_util.hpp's lookup_read).
//
// A subscriber that caused the event gets its message in its own reply stream, before the
// command's reply (as Redis writes it), through the thread's NotifyTarget, which the session
// sets around each command; every other subscriber gets it through its Outlet.
//
// Cost: with the setting empty (the default), a notification is one relaxed load. Thread-safe:
// the flags are Relaxed, PubSub has its own mutex (taken under a shard: the lock order of
// pubsub.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tcpkit/base/relaxed.hpp"

namespace tcpkit::codec {
class ReplyWriter;
}

namespace tcpkit::kv {

class PubSub;
struct ClientState;

// Redis's event classes (notify.c's NOTIFY_*).
enum NotifyClass : std::uint32_t {
  kNotifyKeyspace = 1u << 0,  // K
  kNotifyKeyevent = 1u << 1,  // E
  kNotifyGeneric = 1u << 2,   // g
  kNotifyString = 1u << 3,    // $
  kNotifyList = 1u << 4,      // l
  kNotifySet = 1u << 5,       // s
  kNotifyHash = 1u << 6,      // h
  kNotifyZset = 1u << 7,      // z
  kNotifyExpired = 1u << 8,   // x
  kNotifyEvicted = 1u << 9,   // e
  kNotifyStream = 1u << 10,   // t
  kNotifyKeyMiss = 1u << 11,  // m (not part of A)
  kNotifyModule = 1u << 12,   // d
  kNotifyNew = 1u << 13,      // n (not part of A)
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// The flags of a setting's text, or nullopt for a character Redis refuses.
std::optional<std::uint32_t> parse_notify_flags(std::string_view text);
// The setting's text as CONFIG GET shows it (Redis's order; A for all of A's classes).
std::string notify_flags_text(std::uint32_t flags);

// Where the current command's own messages go: set by the session around a command, cleared
// (null) while it serves other clients' blocked commands and in the tick.
struct NotifyTarget {
  const ClientState* self = nullptr;
  codec::ReplyWriter* out = nullptr;
};

class KeyspaceEvents {
 public:
  void attach(PubSub* pubsub) { pubsub_ = pubsub; }
  void set_flags(std::uint32_t flags) { flags_ = flags; }
  std::uint32_t flags() const { return flags_.load(); }

  // Publishes `event` about `key` in database `db` if the setting asks for `type`.
  void notify(std::uint32_t type, std::string_view event, std::string_view key, int db) {
    const std::uint32_t f = flags_.load();
    if ((f & type) != 0 && (f & (kNotifyKeyspace | kNotifyKeyevent)) != 0) {
      publish(f, event, key, db);
    }
  }
  bool wants(std::uint32_t type) const { return (flags_.load() & type) != 0; }

  // This thread's target (see NotifyTarget); Scope sets it for a block.
  static NotifyTarget& target();
  class Scope {
   public:
    explicit Scope(NotifyTarget t) : saved_(target()) { target() = t; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope() { target() = saved_; }

   private:
    NotifyTarget saved_;
  };

 private:
  void publish(std::uint32_t flags, std::string_view event, std::string_view key, int db);

  Relaxed<std::uint32_t> flags_ = 0;
  PubSub* pubsub_ = nullptr;
};

}  // namespace tcpkit::kv
