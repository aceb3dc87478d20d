#pragma once
// ClientRegistry: the live sessions of a service, for CLIENT LIST and INFO clients.
//
// Thread-safe. Its own mutex guards membership: a session registers in its constructor and
// unregisters in its destructor. The clients form an intrusive list in registration order
// (ClientState::registry_prev/next): no allocation per client, which an idle connection's
// memory figure feels. Readers (CLIENT LIST) read the fields of other clients that
// ClientState makes safe to read (command.hpp). A leaf lock: held, it takes no shard, only a
// client's name mutex.

#include <cstddef>
#include <cstdint>
#include <mutex>

namespace tcpkit::kv {

struct ClientState;

class ClientRegistry {
 public:
  void add(ClientState* client);
  void remove(ClientState* client);
  std::size_t size() const;
  std::uint64_t total_added() const;
  // A fresh id for sessions opened without one (SessionInfo::id == 0).
  std::uint64_t next_local_id();
  // Calls fn(const ClientState&) for each client, oldest first (as Redis lists them).
  template <class Fn>
  void for_each(Fn&& fn) const {
    std::lock_guard lock(mutex_);
    for (const ClientState* c = head_; c != nullptr; c = next_of(c)) fn(*c);
  }

 private:
  static const ClientState* next_of(const ClientState* c);

  mutable std::mutex mutex_;
  ClientState* head_ = nullptr;
  ClientState* tail_ = nullptr;
  std::size_t size_ = 0;
  std::uint64_t total_added_ = 0;
  std::uint64_t next_id_ = 1ull << 32;  // away from the server's ids
};

}  // namespace tcpkit::kv
