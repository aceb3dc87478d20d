#include "echo/echo_service.hpp"

#include <algorithm>

#include "tcpkit/codec/length_prefix.hpp"
#include "tcpkit/codec/line.hpp"

namespace tcpkit::echo {

namespace {

// Raw echo: whatever arrived goes straight back.
class RawSession final : public server::Session {
 public:
  server::Progress on_bytes(std::string_view input, io::Buffer& output, std::size_t room) override {
    const std::string_view echoed = input.substr(0, std::min(input.size(), room));
    output.append(echoed);
    return {.consumed = echoed.size()};
  }
};

// Framed echo: each whole frame goes back byte for byte (a line with its own terminator, a
// length-prefixed frame with its header). A line or frame over the limit has no way to be
// reported in these protocols, so the connection is closed after what was owed is flushed.
template <class Decoder>
class FramedSession final : public server::Session {
 public:
  explicit FramedSession(std::size_t max_frame) : decoder_(max_frame) {}

  server::Progress on_bytes(std::string_view input, io::Buffer& output, std::size_t room) override {
    server::Progress p;
    const std::size_t start = output.size();
    while (output.size() - start < room) {
      auto r = decoder_.decode(input.substr(p.consumed));
      if (r.status == codec::DecodeStatus::kNeedMore) return p;
      if (r.status == codec::DecodeStatus::kError) {
        p.close = true;
        return p;
      }
      output.append(input.substr(p.consumed, r.consumed));
      p.consumed += r.consumed;
    }
    return p;
  }

 private:
  Decoder decoder_;
};

class EchoService final : public server::Service {
 public:
  explicit EchoService(const EchoOptions& options) : options_(options) {}
  std::string_view name() const override { return "echo"; }
  std::unique_ptr<server::Session> open_session(const server::SessionInfo&) override {
    switch (options_.framing) {
      case Framing::kLine:
        return std::make_unique<FramedSession<codec::LineDecoder>>(options_.max_frame);
      case Framing::kLength:
        return std::make_unique<FramedSession<codec::LengthPrefixDecoder>>(options_.max_frame);
      case Framing::kRaw:
        break;
    }
    return std::make_unique<RawSession>();
  }
  bool serves_datagrams() const override { return true; }
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
