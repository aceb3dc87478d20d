// Datagram mode (--udp): every bound datagram socket (UDP over IPv4/IPv6, Unix datagram) is
// watched by one event loop; each datagram goes to Service::on_datagram and the reply goes back
// to its sender. Datagrams have no connections, so the stream models do not apply: whatever
// --model says, one loop serves them (a datagram is answered as soon as it is read).
#include <memory>
#include <vector>

#include "../detail/model.hpp"
#include "../detail/reactor.hpp"
#include "tcpkit/io/buffer.hpp"
#include "tcpkit/io/event_loop.hpp"
#include "tcpkit/server/log.hpp"

namespace tcpkit::server::detail {

namespace {

constexpr std::size_t kMaxDatagram = 65536;
constexpr int kDatagramsPerEvent = 64;

class DatagramSocket final : public io::Handler {
 public:
  DatagramSocket(ModelContext& ctx, const net::Listener& listener, char* scratch)
      : ctx_(ctx), listener_(listener), scratch_(scratch) {}

  void on_events(io::Events) override {
    for (int i = 0; i < kDatagramsPerEvent; ++i) {
      auto d = net::receive_from(listener_.fd.get(), scratch_, kMaxDatagram);
      if (!d) {
        log::info("{}", d.error().message());
        return;
      }
      if (d->status == net::IoStatus::kWouldBlock) return;
      ctx_.stats.bytes_read.fetch_add(d->bytes, std::memory_order_relaxed);
      reply_.clear();
      if (!ctx_.service.on_datagram(std::string_view(scratch_, d->bytes), reply_)) continue;
      auto sent = net::send_to(listener_.fd.get(), reply_.view(), d->from);
      if (!sent) {
        log::info("{}", sent.error().message());
      } else {
        ctx_.stats.bytes_written.fetch_add(sent->bytes, std::memory_order_relaxed);
      }
    }
  }

 private:
  ModelContext& ctx_;
  const net::Listener& listener_;
  char* scratch_;
  io::Buffer reply_;
};

}  // namespace

Result<void> run_datagram(ModelContext& ctx) {
  auto loop = io::EventLoop::create();
  if (!loop) return Fail(loop.error());
  auto scratch = std::make_unique<char[]>(kMaxDatagram);
  std::vector<std::unique_ptr<DatagramSocket>> sockets;
  for (const auto& listener : ctx.listeners) {
    sockets.push_back(std::make_unique<DatagramSocket>(ctx, listener, scratch.get()));
    if (auto r = (*loop)->add(listener.fd.get(), io::kReadable, sockets.back().get()); !r) return r;
  }
  io::EventLoop* l = loop->get();
  StopWatch stop(*l, ctx.stop_fd, [l] { l->stop(); });
  if (auto r = stop.start(); !r) return r;
  return l->run();
}

}  // namespace tcpkit::server::detail
