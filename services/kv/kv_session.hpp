#pragma once
// KvSession: one kv connection. Owns the connection's ClientState (selected database, name,
// auth flag, MULTI queue, WATCHed keys) and runs its commands against the shared Store.
//
// Theory of operation: on_bytes() decodes every whole request in the input and runs them one
// after the other, appending each reply to the output, so the replies of a pipelined batch
// leave in one write. Before each command the session holds the shards it touches
// (command_shards(); for EXEC the union over the queued commands and the watched keys): it
// keeps the shards it already holds when they cover the command, so a batch on one key locks
// once, and releases everything at the end of the batch. A protocol error gets its error reply
// and closes the connection.
//
// The protocol is a parameter: RESP2 here, the native typed protocol in a subclass; the
// commands only see a ReplyWriter.
//
// Thread affinity: one thread at a time (its connection's). Lifetime: registered with the
// service's ClientRegistry from construction to destruction; must not outlive the service.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kv/aof_log.hpp"
#include "kv/command.hpp"
#include "kv/kv_service.hpp"
#include "tcpkit/codec/reply_writer.hpp"
#include "tcpkit/server/service.hpp"

namespace tcpkit::kv {

class KvSession : public server::Session {
 public:
  KvSession(KvService& service, const server::SessionInfo& info);
  ~KvSession() override;
  KvSession(const KvSession&) = delete;
  KvSession& operator=(const KvSession&) = delete;

  // Runs one command (args[0] is its name) as if it had arrived on the connection, taking and
  // releasing its shards itself; the reply goes to `out`. Returns true when the connection should
  // close (QUIT). For tests and embedders; needs no codec.
  bool execute(std::span<const std::string_view> args, codec::ReplyWriter& out);

  const ClientState& state() const { return client_; }
  // The log position this session's replies depend on (server::Session::log_mark).
  std::uint64_t log_mark() const override { return aof_mark_; }
  // A session of the server itself (loading the append-only file): authenticated, and not
  // held to maxmemory (as Redis loads whatever its file holds).
  void trust() {
    client_.authenticated = true;
    trusted_ = true;
  }

  // In a blocking command (BLPOP ...): the requests after it wait until it is answered.
  bool blocked() const { return waiter_ != nullptr; }
  // Subscribers are held to the pubsub class of output limits, as Redis's are.
  std::optional<server::OutputLimitSet> output_limits() const override;
  // Ends a batch: lets go of the shards dispatch() took.
  void release_shards() { lock_.unlock(); }
  // After each command: CLIENT REPLY SKIP mutes exactly the command after it.
  void advance_reply_skip() {
    client_.reply_skip = client_.reply_skip_next;
    client_.reply_skip_next = false;
  }

 protected:
  // What became of this session's blocking command (resume_blocked()).
  struct Resumed {
    enum Kind { kWaiting, kServed, kNull, kZero, kUnblockError, kRetry } kind = kWaiting;
    std::optional<std::chrono::steady_clock::time_point> wake_at;  // kWaiting: look again then
    std::string reply;              // kServed: the reply, framed by whoever served it
    std::vector<std::string> args;  // kRetry: the command, to run again as if just sent
  };
  // While blocked(): what the waiter's state says now (a timeout that passed is taken here).
  // Anything but kWaiting ends the block; the caller writes the outcome.
  Resumed resume_blocked();
  // While CLIENT PAUSE holds this command back: when to look again (the pause's end; CLIENT
  // UNPAUSE wakes the connection sooner). nullopt: run it.
  std::optional<std::chrono::steady_clock::time_point> postponed(
      std::span<const std::string_view> args);
  // The deadline of the blocking command in progress (none: forever).
  std::optional<std::chrono::steady_clock::time_point> block_deadline() const;

  // Runs one command, taking the shards it needs (kept held for the next command of the batch
  // until release_shards()). Returns true to close the connection.
  bool dispatch(std::span<const std::string_view> args, codec::ReplyWriter& out);

  // Why this connection is refused, decided when it opened: the maxclients error, or the
  // protected-mode DENIED error (protected mode on, no requirepass, a peer that is neither
  // loopback nor a Unix socket); nullopt when it is served. A refused connection gets the
  // error as its only reply, at its first input (or EOF), and is closed.
  std::optional<std::string_view> refusal() const;
  // Redis's authRequired(): a password is set and this client has not authenticated. While
  // true, only AUTH-like commands run and requests are held to the unauthenticated limits.
  bool auth_required() const { return !client_.authenticated && service_.password_required(); }
  KvService& service() { return service_; }

 private:
  const CommandSpec* resolve(std::span<const std::string_view> args, codec::ReplyWriter& out,
                             std::uint32_t& flags);
  // Refuses a command: its error, and a MULTI in progress is flagged to fail (or, when the
  // command refused is EXEC, discarded with Redis's EXECABORT reply).
  void reject(codec::ReplyWriter& out, std::string_view text, const CommandSpec* spec = nullptr);
  bool out_of_memory(std::uint32_t flags);
  // The shards `spec` run with `args` must hold, for this client (EXEC, DISCARD, UNWATCH and
  // RESET reach the watched keys; EXEC the queued commands' keys too).
  ShardMask shards_for(const CommandSpec& spec, std::span<const std::string_view> args) const;
  ShardMask watched_shards() const;
  // Blocks on what `r` asks (the command's shards held).
  void block(const CommandSpec* spec, std::span<const std::string_view> args,
             const BlockRequest& r);
  void unblock();
  // Serves the clients blocked on the keys this thread's last command made ready (blocking.hpp),
  // holding that command's shards.
  void serve_ready_keys(std::int64_t now_ms);
  void serve_key(int db, const std::string& key, std::int64_t now_ms);

  KvService& service_;
  ClientState client_;
  ShardLock lock_;
  std::shared_ptr<Waiter> waiter_;  // while blocked
  std::uint64_t aof_mark_ = 0;
  bool rejected_ = false;  // over maxclients
  bool denied_ = false;    // refused by protected mode
  bool trusted_ = false;   // the server's own session (trust())
};

}  // namespace tcpkit::kv
