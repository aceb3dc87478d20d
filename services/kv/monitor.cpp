// Monitors: see monitor.hpp.
#include "kv/monitor.hpp"

#include <sys/time.h>

#include <algorithm>
#include <cstdio>

#include "kv/command.hpp"
#include "kv/command_meta.hpp"
#include "tcpkit/codec/value.hpp"

namespace tcpkit::kv {

void Monitors::add(ClientState& client) {
  std::lock_guard lock(mutex_);
  monitors_.push_back(&client);
  count_.store(monitors_.size(), std::memory_order_relaxed);
}

void Monitors::remove(const ClientState& client) {
  std::lock_guard lock(mutex_);
  monitors_.erase(std::remove(monitors_.begin(), monitors_.end(), &client), monitors_.end());
  count_.store(monitors_.size(), std::memory_order_relaxed);
}

void Monitors::feed(const ClientState& client, std::string_view full_name,
                    std::span<const std::string_view> args) {
  const CommandMeta* meta = find_command_meta(full_name);
  if (meta != nullptr && (meta->flags & (kFlagAdmin | kFlagSkipMonitor)) != 0) return;
  timeval tv{};
  ::gettimeofday(&tv, nullptr);
  char head[64];
  std::snprintf(head, sizeof head, "+%ld.%06ld [%d ", static_cast<long>(tv.tv_sec),
                static_cast<long>(tv.tv_usec), client.db.load());
  std::string line = head;
  // A Unix-socket client shows the listening socket's path, as redis-server shows its own.
  line += client.peer.starts_with("unix:") ? client.local : client.peer;
  line += ']';
  for (std::string_view a : args) {
    line += ' ';
    codec::append_quoted(line, a);
  }
  line += "\r\n";
  std::lock_guard lock(mutex_);
  for (ClientState* m : monitors_) {
    if (m->outlet) (void)m->outlet->push(line);
  }
}

}  // namespace tcpkit::kv
