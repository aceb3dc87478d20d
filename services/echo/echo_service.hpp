#pragma once
// The echo service: every byte (raw), line or length-prefixed frame a client sends comes back
// unchanged. Stateless, so it runs under every model, fork included; with --udp each datagram
// is echoed to its sender.

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "tcpkit/server/service.hpp"

namespace tcpkit::echo {

enum class Framing { kRaw, kLine, kLength };

std::optional<Framing> parse_framing(std::string_view name);

struct EchoOptions {
  Framing framing = Framing::kRaw;
  std::size_t max_frame = 32u << 20;  // line or length-prefixed frame, bytes
};

std::unique_ptr<server::Service> make_echo_service(const EchoOptions& options = {});

}  // namespace tcpkit::echo
