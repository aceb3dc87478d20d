// PubSub: see pubsub.hpp.
#include "kv/pubsub.hpp"

#include <algorithm>

#include "kv/command.hpp"
#include "kv/glob.hpp"
#include "tcpkit/codec/resp.hpp"

namespace tcpkit::kv {

namespace {

// A published message framed once per RESP version, on first need.
class Framed {
 public:
  template <class Write>
  explicit Framed(Write write) : write_(std::move(write)) {}

  std::string_view bytes(int resp) {
    std::string& b = resp == 3 ? resp3_ : resp2_;
    if (b.empty()) {
      io::Buffer buffer;
      codec::RespWriter writer(buffer,
                               resp == 3 ? codec::RespVersion::kResp3 : codec::RespVersion::kResp2);
      write_(writer);
      b.assign(buffer.view());
    }
    return b;
  }

 private:
  std::function<void(codec::ReplyWriter&)> write_;
  std::string resp2_, resp3_;
};

void deliver(ClientState& client, Framed& framed, const ClientState* self,
             codec::ReplyWriter* self_out, const std::function<void(codec::ReplyWriter&)>& write) {
  if (&client == self) return write(*self_out);
  if (client.outlet) (void)client.outlet->push(framed.bytes(client.resp.load()));
}

}  // namespace

void write_subscription(codec::ReplyWriter& out, std::string_view action, const std::string* name,
                        std::int64_t count) {
  out.push(3);
  out.bulk(action);
  name != nullptr ? out.bulk(*name) : out.null();
  out.integer(count);
}

PubSub::Registry& PubSub::registry(SubKind kind) {
  return kind == SubKind::kChannel   ? channels_
         : kind == SubKind::kPattern ? patterns_
                                     : shard_channels_;
}

const PubSub::Registry& PubSub::registry(SubKind kind) const {
  return kind == SubKind::kChannel   ? channels_
         : kind == SubKind::kPattern ? patterns_
                                     : shard_channels_;
}

bool PubSub::subscribe(SubKind kind, ClientState& client, std::string_view name) {
  std::lock_guard lock(mutex_);
  Registry& r = registry(kind);
  auto it = r.find(std::string(name));
  if (it == r.end()) it = r.emplace(std::string(name), std::vector<ClientState*>{}).first;
  auto& subscribers = it->second;
  if (std::find(subscribers.begin(), subscribers.end(), &client) != subscribers.end()) {
    return false;
  }
  subscribers.push_back(&client);
  return true;
}

bool PubSub::unsubscribe(SubKind kind, ClientState& client, std::string_view name) {
  std::lock_guard lock(mutex_);
  Registry& r = registry(kind);
  auto it = r.find(std::string(name));
  if (it == r.end()) return false;
  auto& subscribers = it->second;
  auto found = std::find(subscribers.begin(), subscribers.end(), &client);
  if (found == subscribers.end()) return false;
  subscribers.erase(found);  // keeps the others in subscription order
  if (subscribers.empty()) r.erase(it);
  return true;
}

std::int64_t PubSub::publish(SubKind kind, std::string_view channel, std::string_view message,
                             const ClientState* self, codec::ReplyWriter* self_out) {
  std::int64_t receivers = 0;
  const std::string_view action = kind == SubKind::kShard ? "smessage" : "message";
  const auto write_message = [&](codec::ReplyWriter& w) {
    w.push(3);
    w.bulk(action);
    w.bulk(channel);
    w.bulk(message);
  };
  std::lock_guard lock(mutex_);
  const Registry& r = registry(kind);
  if (auto it = r.find(std::string(channel)); it != r.end()) {
    Framed framed(write_message);
    for (ClientState* client : it->second) {
      deliver(*client, framed, self, self_out, write_message);
      ++receivers;
    }
  }
  if (kind != SubKind::kChannel) return receivers;
  for (const auto& [pattern, subscribers] : patterns_) {
    if (!glob_match(pattern, channel)) continue;
    const auto write_pmessage = [&, p = std::string_view(pattern)](codec::ReplyWriter& w) {
      w.push(4);
      w.bulk("pmessage");
      w.bulk(p);
      w.bulk(channel);
      w.bulk(message);
    };
    Framed framed(write_pmessage);
    for (ClientState* client : subscribers) {
      deliver(*client, framed, self, self_out, write_pmessage);
      ++receivers;
    }
  }
  return receivers;
}

std::vector<std::string> PubSub::channels(SubKind kind, const std::string_view* pattern) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, subscribers] : registry(kind)) {
    if (pattern == nullptr || glob_match(*pattern, name)) names.push_back(name);
  }
  return names;
}

std::size_t PubSub::subscribers(SubKind kind, std::string_view name) const {
  std::lock_guard lock(mutex_);
  const Registry& r = registry(kind);
  auto it = r.find(std::string(name));
  return it == r.end() ? 0 : it->second.size();
}

std::size_t PubSub::pattern_count() const {
  std::lock_guard lock(mutex_);
  return patterns_.size();
}

}  // namespace tcpkit::kv
