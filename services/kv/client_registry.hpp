#pragma once
// ClientRegistry: the live sessions of a service, for CLIENT LIST and INFO clients.
//
// Thread-safe. Its own mutex guards membership: a session registers in its constructor and
// unregisters in its destructor. Readers (CLIENT LIST) read the fields of other clients that
// ClientState makes safe to read (command.hpp). A leaf lock: held, it takes no shard, only a
// client's name mutex.

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
