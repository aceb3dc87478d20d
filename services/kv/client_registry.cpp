// ClientRegistry (see client_registry.hpp).

#include "kv/client_registry.hpp"

#include "kv/command.hpp"

namespace tcpkit::kv {

const ClientState* ClientRegistry::next_of(const ClientState* c) { return c->registry_next; }

void ClientRegistry::add(ClientState* client) {
  std::lock_guard lock(mutex_);
  client->registry_prev = tail_;
  client->registry_next = nullptr;
  (tail_ != nullptr ? tail_->registry_next : head_) = client;
  tail_ = client;
  ++size_;
  ++total_added_;
}

void ClientRegistry::remove(ClientState* c) {
  std::lock_guard lock(mutex_);
  (c->registry_prev != nullptr ? c->registry_prev->registry_next : head_) = c->registry_next;
  (c->registry_next != nullptr ? c->registry_next->registry_prev : tail_) = c->registry_prev;
  c->registry_prev = c->registry_next = nullptr;
  --size_;
}

std::size_t ClientRegistry::size() const {
  std::lock_guard lock(mutex_);
  return size_;
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
