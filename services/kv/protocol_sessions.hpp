#pragma once
// The protocol-specific sessions (protocol_sessions.cpp), for KvService. Internal.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "kv/kv_session.hpp"

namespace tcpkit::kv {

// A session speaking service.protocol(), with requests limited to max_bulk_length per string.
std::unique_ptr<KvSession> make_protocol_session(KvService& service,
                                                 const server::SessionInfo& info,
                                                 std::size_t max_bulk_length);
// `error` as one reply in `protocol`'s framing ("-ERR ...\r\n" in RESP).
std::string refusal_reply(Protocol protocol, std::string_view error);
// sizeof the RESP session object (memory per idle connection, reported by tests).
std::size_t resp_session_size();

}  // namespace tcpkit::kv
