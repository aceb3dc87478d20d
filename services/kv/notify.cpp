// Keyspace notifications: see notify.hpp.
#include "kv/notify.hpp"

#include <array>
#include <utility>

#include "kv/pubsub.hpp"

namespace tcpkit::kv {

namespace {

// The class characters in the order CONFIG GET writes them (after A, when all of A's are set).
constexpr std::array<std::pair<char, std::uint32_t>, 11> kClassChars{{{'g', kNotifyGeneric},
                                                                      {'$', kNotifyString},
                                                                      {'l', kNotifyList},
                                                                      {'s', kNotifySet},
                                                                      {'h', kNotifyHash},
                                                                      {'z', kNotifyZset},
                                                                      {'x', kNotifyExpired},
                                                                      {'e', kNotifyEvicted},
                                                                      {'t', kNotifyStream},
                                                                      {'d', kNotifyModule},
                                                                      {'n', kNotifyNew}}};

}  // namespace

std::optional<std::uint32_t> parse_notify_flags(std::string_view text) {
  std::uint32_t flags = 0;
  for (char c : text) {
    switch (c) {
      case 'A':
        flags |= kNotifyAll;
        continue;
      case 'K':
        flags |= kNotifyKeyspace;
        continue;
      case 'E':
        flags |= kNotifyKeyevent;
        continue;
      case 'm':
        flags |= kNotifyKeyMiss;
        continue;
      default:
        break;
    }
    bool known = false;
    for (const auto& [ch, bit] : kClassChars) {
      if (ch == c) {
        flags |= bit;
        known = true;
      }
    }
    if (!known) return std::nullopt;
  }
  return flags;
}

std::string notify_flags_text(std::uint32_t flags) {
  std::string text;
  if ((flags & kNotifyAll) == kNotifyAll) {
    text += 'A';  // n is not part of A, and Redis does not write it next to A either
  } else {
    for (const auto& [ch, bit] : kClassChars) {
      if ((flags & bit) != 0) text += ch;
    }
  }
  if ((flags & kNotifyKeyspace) != 0) text += 'K';
  if ((flags & kNotifyKeyevent) != 0) text += 'E';
  if ((flags & kNotifyKeyMiss) != 0) text += 'm';
  return text;
}

NotifyTarget& KeyspaceEvents::target() {
  thread_local NotifyTarget t;
  return t;
}

void KeyspaceEvents::publish(std::uint32_t flags, std::string_view event, std::string_view key,
                             int db) {
  if (pubsub_ == nullptr) return;
  const NotifyTarget& t = target();
  const std::string prefix = "@" + std::to_string(db) + "__:";
  if ((flags & kNotifyKeyspace) != 0) {
    std::string channel = "__keyspace" + prefix;
    channel.append(key);
    pubsub_->publish(SubKind::kChannel, channel, event, t.self, t.out);
  }
  if ((flags & kNotifyKeyevent) != 0) {
    std::string channel = "__keyevent" + prefix;
    channel.append(event);
    pubsub_->publish(SubKind::kChannel, channel, key, t.self, t.out);
  }
}

}  // namespace tcpkit::kv
