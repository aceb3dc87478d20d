// upper_server: answers every line with the line upper-cased.
//   upper_server 127.0.0.1:0 epoll        (models: iterative fork thread epoll reactors)
#include <cctype>
#include <cstdio>
#include <tcpkit/server/server.hpp>
#include <tcpkit/server/signals.hpp>

using namespace tcpkit;

// One type is both: the Service (it opens sessions) and each connection's Session.
struct Upper : server::Session, server::Service {
  // Whole lines only, and no more replies than `room` allows (the server's memory bound).
  server::Progress on_bytes(std::string_view in, io::Buffer& out, std::size_t room) override {
    std::size_t used = 0, nl;
    for (auto start = out.size(); out.size() - start < room; used = nl + 1) {
      if ((nl = in.find('\n', used)) == in.npos) break;  // shown again with more bytes
      for (unsigned char c : in.substr(used, nl - used)) {
        if (c != '\r') out.append_byte(char(std::toupper(c)));  // LF or CRLF lines
      }
      out.append_byte('\n');
    }
    return {used, /*close=*/false};
  }
  std::string_view name() const override { return "upper"; }
  std::unique_ptr<server::Session> open_session(const server::SessionInfo&) override {
    return std::make_unique<Upper>();
  }
};

int main(int argc, char** argv) {
  server::ServerOptions options;
  options.listen = {argc > 1 ? argv[1] : "127.0.0.1:7000"};
  options.model = server::parse_model(argc > 2 ? argv[2] : "epoll").value_or(server::Model::kEpoll);
  Upper service;
  server::Server server(options, service);
  auto signals = server::ShutdownSignals::install(server);  // before open(): SIGTERM drains
  if (auto r = server.open(); !r) {
    std::fprintf(stderr, "upper_server: %s\n", r.error().message().c_str());
    return 1;
  }
  std::printf("upper_server: listening on %s\n", server.local_endpoints()[0].c_str());
  std::fflush(stdout);
  return server.run() ? 0 : 1;  // after a signal's stop() and the drain
}
