// reverse_server: a length-prefixed request/response service. Each request frame is answered
// with one frame holding the payload reversed (binary-safe).
//
//   frame: | len: uint32 little-endian | payload (len bytes) |
//
//   reverse_server 127.0.0.1:0 [model]      prints "reverse_server: listening on ADDRESS"
#include <algorithm>
#include <cstdio>
#include <string>
#include <tcpkit/codec/length_prefix.hpp>
#include <tcpkit/server/server.hpp>
#include <tcpkit/server/signals.hpp>

using namespace tcpkit;

constexpr std::size_t kMaxFrame = 1 << 20;  // larger requests are a protocol error

class ReverseSession : public server::Session {
 public:
  server::Progress on_bytes(std::string_view in, io::Buffer& out, std::size_t room) override {
    std::size_t used = 0;
    for (const std::size_t before = out.size(); out.size() - before < room;) {
      const codec::DecodeResult r = frames_.decode(in.substr(used));
      if (r.status == codec::DecodeStatus::kNeedMore) break;
      // An oversized frame: no way to resynchronise a length-prefixed stream, so close.
      if (r.status == codec::DecodeStatus::kError) return {used, /*close=*/true};
      std::string reply(frames_.payload());
      std::reverse(reply.begin(), reply.end());
      codec::encode_length_prefixed(out, reply);
      used += r.consumed;
    }
    return {used, /*close=*/false};
  }

 private:
  codec::LengthPrefixDecoder frames_{kMaxFrame};
};

class ReverseService : public server::Service {
 public:
  std::string_view name() const override { return "reverse"; }
  std::unique_ptr<server::Session> open_session(const server::SessionInfo&) override {
    return std::make_unique<ReverseSession>();
  }
};

int fail(const std::string& why) {
  std::fprintf(stderr, "reverse_server: %s\n", why.c_str());
  return 1;
}

int main(int argc, char** argv) {
  server::ServerOptions options;
  options.listen = {argc > 1 ? argv[1] : "127.0.0.1:7001"};
  const auto model = server::parse_model(argc > 2 ? argv[2] : "epoll");
  if (!model) return fail(std::string("unknown model ") + argv[2]);
  options.model = *model;

  ReverseService service;
  server::Server server(options, service);
  auto signals = server::ShutdownSignals::install(server);  // before open(): SIGTERM drains
  if (!signals) return fail(signals.error().message());
  if (auto r = server.open(); !r) return fail(r.error().message());
  std::printf("reverse_server: listening on %s\n", server.local_endpoints()[0].c_str());
  std::fflush(stdout);
  if (auto r = server.run(); !r) return fail(r.error().message());
  return 0;
}
