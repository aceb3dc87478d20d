// ClientRegistry (see client_registry.hpp).

#include "kv/client_registry.hpp"

#include "kv/command.hpp"

namespace tcpkit::kv {

void ClientRegistry::add(ClientState* client) {
  std::lock_guard lock(mutex_);
  clients_[client->id] = client;
  ++total_added_;
}

void ClientRegistry::remove(const ClientState* client) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(client->id);
  if (it != clients_.end() && it->second == client) clients_.erase(it);
}

std::size_t ClientRegistry::size() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

std::uint64_t ClientRegistry::total_added() const {
  std::lock_guard lock(mutex_);
  return total_added_;
}

std::uint64_t ClientRegistry::next_local_id() {
  std::lock_guard lock(mutex_);
  return next_id_++;
}

}  // namespace tcpkit::kv
