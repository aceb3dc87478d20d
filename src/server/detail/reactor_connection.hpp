#pragma once
// Reactor::Connection: one client on a Reactor's loop; see reactor.hpp for the data path.
// Owns the socket, the leftover input, the pending output and the Session. Loop thread only.
// Deleted by its Reactor (destroy()) when it closes: nothing touches it after close().
//
// States:  serving ──stop──▶ draining: no request runs; owed output is written
//                                 └─ all written ─▶ lingering: FIN sent (shutdown SHUT_WR), input
//                                                   read and dropped until the peer acknowledged
//                                                   all we sent (or closed); then close
// A connection is "stalled" when whole requests wait in its input because its output reached
// the high-water mark; it neither reads nor runs requests until the output drains below it.

#include <optional>
#include <string>
#include <string_view>

#include "output_limits.hpp"
#include "reactor.hpp"
#include "tcpkit/base/unique_fd.hpp"

namespace tcpkit::server::detail {

class Reactor::Connection final : public io::Handler {
 public:
  Connection(Reactor& owner, UniqueFd fd, std::string peer);
  ~Connection();

  // The session and its outlet (whose owner is this connection), before start().
  void set_session(std::unique_ptr<Session> session, std::shared_ptr<Outlet> outlet);
  // Someone pushed output, woke the session or killed the connection (Reactor::run_woken).
  void on_wake();
  // Subscribed or blocked: the idle timeout does not apply (Progress::waiting).
  bool waiting() const { return waiting_; }
  Result<void> start();
  void on_events(io::Events events) override;
  // Graceful shutdown: stop running requests, write what is owed, then close cleanly.
  void drain();
  void close(const char* why);
  // Closed while the loop serves others for a blocked session (Reactor::destroy): nothing may
  // reach it any more (outlet detached, timers cancelled) until it is deleted.
  void retire();
  int fd() const { return fd_.get(); }
  // This connection's replies batched in the loop (see Reactor::flush_deferred).
  void write_deferred(std::string_view bytes);
  int deferred_slot() const { return deferred_slot_; }
  std::uint64_t log_mark() const { return session_ ? session_->log_mark() : 0; }
  void set_deferred_slot(int slot) { deferred_slot_ = slot; }

  // The idle list (Reactor::link/unlink/touch) and the time of the last activity.
  Connection* prev = nullptr;
  Connection* next = nullptr;
  io::Clock::time_point last_active;

 private:
  std::size_t pending_output() const;
  bool wants_input() const;
  bool read_and_serve(int rounds);
  bool serve(std::string_view data, bool from_scratch);
  bool serve_stalled();
  bool on_peer_closed();
  io::Buffer& reply_buffer();
  bool replied(io::Buffer& out, std::size_t before);
  void take_deferred();
  bool flush_and_update();
  std::optional<std::size_t> write_out(std::string_view bytes);
  bool after_write();
  bool check_limits();
  bool start_lingering();
  [[nodiscard]] bool linger_read();  // false: it closed the connection
  bool update_interest();
  void after_session(const Progress& p);

  Reactor& owner_;
  UniqueFd fd_;
  std::unique_ptr<Session> session_;
  std::shared_ptr<Outlet> outlet_;
  OutputLimits limits_;
  io::Buffer input_;
  io::Buffer output_;
  io::Events interest_ = 0;
  bool read_closed_ = false;
  bool close_after_flush_ = false;
  bool stalled_ = false;
  bool draining_ = false;
  bool lingering_ = false;
  bool waiting_ = false;
  int deferred_slot_ = -1;  // index in the Reactor's deferred_, or -1
  // Armed while over the soft output limit, or while lingering (they never overlap).
  io::EventLoop::TimerId soft_timer_ = 0;
  io::EventLoop::TimerId wake_timer_ = 0;  // Progress::wake_at
  std::string peer_;                       // "127.0.0.1:53122", for log lines
};

}  // namespace tcpkit::server::detail
