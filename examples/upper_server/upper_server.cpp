// upper_server: answers every line with the line upper-cased.
//   upper_server 127.0.0.1:0 epoll        (models: iterative fork thread epoll reactors)
#include <cctype>
#include <cstdio>
#include <string>
#include <tcpkit/codec/line.hpp>
#include <tcpkit/server/server.hpp>
#include <tcpkit/server/signals.hpp>

using namespace tcpkit;

struct UpperSession : server::Session {
  codec::LineDecoder lines;  // one per connection: it remembers how far it searched

  server::Progress on_bytes(std::string_view in, io::Buffer& out, std::size_t room) override {
    std::size_t used = 0;
    for (const std::size_t before = out.size(); out.size() - before < room;) {
      const codec::DecodeResult r = lines.decode(in.substr(used));
      if (r.status == codec::DecodeStatus::kNeedMore) break;  // shown again with more bytes
      if (r.status == codec::DecodeStatus::kError) {          // a line over 64 KiB
        codec::encode_line(out, lines.error().text);
        return {used, /*close=*/true};
      }
      std::string line(lines.line());
      for (char& c : line) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      codec::encode_line(out, line);
      used += r.consumed;
    }
    return {used, /*close=*/false};
  }
};

struct UpperService : server::Service {
  std::string_view name() const override { return "upper"; }
  std::unique_ptr<server::Session> open_session(const server::SessionInfo&) override {
    return std::make_unique<UpperSession>();
  }
};

int fail(const std::string& why) {
  std::fprintf(stderr, "upper_server: %s\n", why.c_str());
  return 1;
}

int main(int argc, char** argv) {
  server::ServerOptions options;
  options.listen = {argc > 1 ? argv[1] : "127.0.0.1:7000"};
  const auto model = server::parse_model(argc > 2 ? argv[2] : "epoll");
  if (!model) return fail(std::string("unknown model ") + argv[2]);
  options.model = *model;

  UpperService service;
  server::Server server(options, service);
  auto signals = server::ShutdownSignals::install(server);  // before open(): SIGTERM drains
  if (!signals) return fail(signals.error().message());
  if (auto r = server.open(); !r) return fail(r.error().message());
  std::printf("upper_server: listening on %s\n", server.local_endpoints()[0].c_str());
  std::fflush(stdout);
  // run() returns once a signal has called server.stop() and the connections have drained.
  if (auto r = server.run(); !r) return fail(r.error().message());
  return 0;
}
