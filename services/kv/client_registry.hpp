#pragma once
// ClientRegistry: the live sessions of a service, for CLIENT LIST and INFO clients.
//
// Thread-safe. Its own mutex guards membership: a session registers in its constructor and
// unregisters in its destructor (without the store mutex). Readers (CLIENT LIST) hold the
// store mutex first, then this one, which makes the ClientState fields they print stable
// (those are written only under the store mutex). Lock order: store, then registry.

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

namespace tcpkit::kv {

struct ClientState;

class ClientRegistry {
 public:
  void add(ClientState* client);
  void remove(const ClientState* client);
  std::size_t size() const;
  std::uint64_t total_added() const;
  // A fresh id for sessions opened without one (SessionInfo::id == 0).
  std::uint64_t next_local_id();
  // Calls fn(const ClientState&) for each client in id order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    std::lock_guard lock(mutex_);
    for (const auto& [id, client] : clients_) fn(*client);
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::uint64_t, ClientState*> clients_;
  std::uint64_t total_added_ = 0;
  std::uint64_t next_id_ = 1ull << 32;  // away from the server's ids
};

}  // namespace tcpkit::kv
