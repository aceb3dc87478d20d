#pragma once
// KvSession: one kv connection. Owns the connection's ClientState (selected database, name,
// auth flag, MULTI queue, WATCHed keys) and runs its commands against the shared Store.
//
// Theory of operation: on_bytes() decodes every whole request in the input, and runs them one
// after the other under ONE acquisition of the store mutex (taken at the first whole request),
// appending each reply to the output. So a pipelined batch costs one lock round-trip and the
// replies leave in one write. A protocol error gets its error reply and closes the connection.
//
// The protocol is a parameter: RESP2 here, the native typed protocol in a subclass; the
// commands only see a ReplyWriter.
//
// Thread affinity: one thread at a time (its connection's). Lifetime: registered with the
// service's ClientRegistry from construction to destruction; must not outlive the service.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

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

  // Runs one command (args[0] is its name) as if it had arrived on the connection, taking the
  // store mutex itself; the reply goes to `out`. Returns true when the connection should close
  // (QUIT). For tests and embedders; needs no codec.
  bool execute(std::span<const std::string_view> args, codec::ReplyWriter& out);

  const ClientState& state() const { return client_; }

 protected:
  // Runs one command with the store mutex held. Returns true to close the connection.
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
  void reject(codec::ReplyWriter& out, std::string_view text);
  bool out_of_memory(std::uint32_t flags);

  KvService& service_;
  ClientState client_;
  bool rejected_ = false;  // over maxclients
  bool denied_ = false;    // refused by protected mode
};

}  // namespace tcpkit::kv
