#include "echo/echo_service.hpp"

namespace tcpkit::echo {

namespace {

// Raw echo: whatever arrived goes straight back.
class RawSession final : public server::Session {
 public:
  server::Progress on_bytes(std::string_view input, io::Buffer& output) override {
    output.append(input);
    return {input.size(), false};
  }
};

class EchoService final : public server::Service {
 public:
  explicit EchoService(const EchoOptions& options) : options_(options) {}
  std::string_view name() const override { return "echo"; }
  std::unique_ptr<server::Session> open_session(const server::SessionInfo&) override {
    return std::make_unique<RawSession>();
  }
  bool on_datagram(std::string_view datagram, io::Buffer& output) override {
    output.append(datagram);
    return true;
  }

 private:
  EchoOptions options_;
};

}  // namespace

std::optional<Framing> parse_framing(std::string_view name) {
  if (name == "raw") return Framing::kRaw;
  if (name == "line") return Framing::kLine;
  if (name == "length") return Framing::kLength;
  return std::nullopt;
}

std::unique_ptr<server::Service> make_echo_service(const EchoOptions& options) {
  return std::make_unique<EchoService>(options);
}

}  // namespace tcpkit::echo
