#pragma once
// PubSub: who is subscribed to what, and delivery of published messages (Redis's pubsub.c).
//
// Three namespaces, as in Redis: channels (SUBSCRIBE/PUBLISH), patterns (PSUBSCRIBE, matched
// against channels with Redis's glob), and shard channels (SSUBSCRIBE/SPUBLISH; one shard
// here, so they behave as channels of their own namespace). The server side of a subscription
// is this registry (name -> subscribers); the client side is ClientState::subscriptions (its own
// names, touched only by its own session). A message to a client is pushed through its
// connection's Outlet (tcpkit/server/outlet.hpp), framed in the client's RESP version: a RESP2
// array or a RESP3 push. A client publishing to itself gets its message in its own reply
// stream, before the PUBLISH reply, as Redis writes it.
//
// Thread-safe: one mutex guards the registry. Lock order: a shard (keyspace notifications are
// published while one is held) -> this mutex -> an outlet's mutex. PubSub never takes a shard.
// Cost: PUBLISH is O(N + M) for N subscribers of the channel and M patterns in use (each
// pattern is matched against the channel, with glob's polynomial bound).

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tcpkit/codec/reply_writer.hpp"

namespace tcpkit::kv {

struct ClientState;

enum class SubKind { kChannel, kPattern, kShard };

class PubSub {
 public:
  // Adds `client` to `name`'s subscribers unless it is there; true when it was added.
  bool subscribe(SubKind kind, ClientState& client, std::string_view name);
  // Removes `client` from `name`'s subscribers; true when it was there.
  bool unsubscribe(SubKind kind, ClientState& client, std::string_view name);
  // Delivers `message` on `channel` (kChannel: to its subscribers and to the matching patterns'
  // as pmessage; kShard: to the shard channel's). `self` (if not null) gets its own message
  // through `self_out`. Returns how many deliveries were made (Redis's receiver count).
  std::int64_t publish(SubKind kind, std::string_view channel, std::string_view message,
                       const ClientState* self, codec::ReplyWriter* self_out);

  // PUBSUB CHANNELS / SHARDCHANNELS: the names with subscribers, matching `pattern` if given.
  std::vector<std::string> channels(SubKind kind, const std::string_view* pattern) const;
  // PUBSUB NUMSUB / SHARDNUMSUB: subscribers of `name`.
  std::size_t subscribers(SubKind kind, std::string_view name) const;
  // PUBSUB NUMPAT: patterns with at least one subscriber.
  std::size_t pattern_count() const;

 private:
  using Registry = std::unordered_map<std::string, std::vector<ClientState*>>;
  Registry& registry(SubKind kind);
  const Registry& registry(SubKind kind) const;

  mutable std::mutex mutex_;
  Registry channels_;
  Registry patterns_;
  Registry shard_channels_;
};

// A subscription reply (a RESP3 push, a RESP2 array): [action, name or null, count], as
// ["subscribe", "news", 1] or ["unsubscribe", null, 0] when there was nothing to leave.
void write_subscription(codec::ReplyWriter& out, std::string_view action, const std::string* name,
                        std::int64_t count);

}  // namespace tcpkit::kv
