#pragma once
// Reactor::Connection: one client on a Reactor's loop; see reactor.hpp for the data path.
// Owns the socket, the leftover input, the pending output and the Session. Loop thread only.
// Deleted by its Reactor (destroy()) when it closes: nothing touches it after close().

#include <string>

#include "reactor.hpp"
#include "tcpkit/base/unique_fd.hpp"

namespace tcpkit::server::detail {

class Reactor::Connection final : public io::Handler {
 public:
  Connection(Reactor& owner, UniqueFd fd, std::unique_ptr<Session> session, std::string peer);
  ~Connection();

  Result<void> start();
  void on_events(std::uint32_t events) override;
  void drain();
  void close(const char* why);
  int fd() const { return fd_.get(); }

  // The idle list (Reactor::link/unlink/touch) and the time of the last activity.
  Connection* prev = nullptr;
  Connection* next = nullptr;
  io::Clock::time_point last_active;

 private:
  bool wants_input() const;
  bool read_and_serve(int rounds);
  bool serve(std::string_view data, bool from_scratch);
  bool on_peer_closed();
  bool flush_and_update(io::Buffer* pending = nullptr);
  void update_interest();

  Reactor& owner_;
  UniqueFd fd_;
  std::unique_ptr<Session> session_;
  io::Buffer input_;
  io::Buffer output_;
  std::uint32_t interest_ = 0;
  bool read_closed_ = false;
  bool close_after_flush_ = false;
  std::string peer_;  // "127.0.0.1:53122", for log lines
};

}  // namespace tcpkit::server::detail
