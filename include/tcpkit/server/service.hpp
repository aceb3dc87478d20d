#pragma once
// Service and Session: the sans-I/O boundary between the concurrency models and the protocols.
//
// A concurrency model owns sockets and buffers; it hands a Session every chunk of unconsumed
// input and an output Buffer to append replies to. The Session never sees a socket, so one
// service runs unchanged under every model, and tests drive it with plain strings.
//
//   model: read() ──▶ input Buffer ──▶ session.on_bytes(input.view(), output, room)
//                                        returns {consumed, close}
//          input.consume(consumed); write(output) ...
//
// Output no input asked for (a published message, a blocked command completed by another
// client) goes through the connection's Outlet (SessionInfo::outlet, outlet.hpp): any thread
// pushes or wakes, and the model then takes the pushed bytes into the output and calls
// on_bytes() again with the unconsumed input, which may be empty.
//
// Output is bounded while it is produced, not after a batch: `room` is how many more bytes of
// output the model can take from this call (the connection's high-water mark less what it
// already owes). A session stops taking requests once it has appended `room` bytes or more;
// the request in hand finishes, so one reply may overshoot. The unconsumed requests are shown
// again once the client has read enough.
//
// Thread affinity: a Session is used by one thread at a time (the thread of its connection's
// loop or worker). A Service may be called from many threads at once when shares_state() is true
// and the model is `thread` or `reactors`; it must then protect its shared state itself.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tcpkit/io/buffer.hpp"
#include "tcpkit/server/outlet.hpp"

namespace tcpkit::server {

class Stats;

// What a Session did with the input it was shown.
struct Progress {
  std::size_t consumed = 0;  // bytes of input fully handled; the model drops them
  bool close = false;        // close once the output is flushed (QUIT, protocol error)
  // The session waits for pushed output rather than for its client (subscribed, or blocked
  // in a command another client's write completes): the idle timeout does not apply to it.
  bool waiting = false;
  // Run on_bytes() again at this time even if nothing arrives or wakes the session (the
  // timeout of a blocked command). Only models with an outlet honour it.
  std::optional<std::chrono::steady_clock::time_point> wake_at = std::nullopt;
};

// Output limits a session asks for instead of the server's (a client class, as Redis's
// client-output-buffer-limit has them: normal, pubsub). Zero turns a limit off.
struct OutputLimitSet {
  std::size_t hard = 0;
  std::size_t soft = 0;
  std::chrono::seconds soft_seconds{0};
  bool operator==(const OutputLimitSet&) const = default;
};

// Facts about a new connection, for services that list their clients.
struct SessionInfo {
  std::uint64_t id = 0;  // unique per server, starts at 1
  std::string peer;      // "127.0.0.1:53122", "[::1]:40000", "unix:/tmp/s" (or "unix:" unnamed)
  std::string local;     // the listening address the connection arrived on
  int fd = -1;           // for display only (CLIENT LIST); never read or written by a service
  bool peer_is_local = false;  // loopback (127.0.0.0/8, ::1, ::ffff:127.x) or a Unix socket
  // The connection's handle for output no input asked for (outlet.hpp); null under models
  // that cannot push (fork, datagrams) and for sessions driven directly.
  std::shared_ptr<Outlet> outlet;
};

// An on_bytes() `room` that sets no bound (tests, embedders feeding a session directly).
inline constexpr std::size_t kUnboundedRoom = static_cast<std::size_t>(-1);

class Session {
 public:
  virtual ~Session() = default;
  // Handles as much of `input` (all bytes not yet consumed, oldest first) as forms whole
  // messages, appending replies to `output`, and stops early once it has appended `room`
  // bytes or more (see above). Bytes not consumed are shown again, with more after them, on
  // the next call. Never throws.
  virtual Progress on_bytes(std::string_view input, io::Buffer& output, std::size_t room) = 0;
  // The peer half-closed (EOF). `input` holds the unconsumed bytes (an incomplete message);
  // a session may append a last reply. The connection closes once the output is flushed.
  virtual void on_eof(std::string_view input, io::Buffer& output) {
    (void)input;
    (void)output;
  }
  // The limits this connection's output is held to now, when they are not the server's.
  // Asked after each on_bytes(); a session changes class by answering differently.
  virtual std::optional<OutputLimitSet> output_limits() const { return std::nullopt; }
  // Durability (Service::await_log): the position in the service's log that this session's
  // replies so far depend on; 0 when none (the default: a service without a log).
  virtual std::uint64_t log_mark() const { return 0; }
};

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string_view name() const = 0;
  // A new Session for an accepted connection. Called on the connection's thread.
  virtual std::unique_ptr<Session> open_session(const SessionInfo& info) = 0;
  // True when sessions share state in this process (kv); the fork model refuses such services.
  virtual bool shares_state() const { return false; }
  // Bytes sent (best effort, never waited for) to a connection refused because the server is
  // at --max-connections, just before it is closed. Empty: close without a word.
  virtual std::string_view over_capacity_reply() const { return {}; }
  // True when the service answers datagrams (--udp); the server refuses --udp otherwise.
  virtual bool serves_datagrams() const { return false; }
  // Datagram mode (--udp): appends the reply to one datagram to `output`; false for no reply.
  virtual bool on_datagram(std::string_view datagram, io::Buffer& output) {
    (void)datagram;
    (void)output;
    return false;
  }
  // Periodic housekeeping (kv's active expiry), run on one thread every tick_interval();
  // zero means never.
  virtual std::chrono::milliseconds tick_interval() const { return std::chrono::milliseconds(0); }
  virtual void tick() {}
  // The server's statistics, for services that report them (kv's INFO). Called once before
  // the first session; the Stats outlive the service's use of them.
  virtual void attach_stats(const Stats* stats) { (void)stats; }
  // Durability barrier (group commit). A model calls it before it writes replies of a session
  // whose log_mark() is above what an earlier call returned, with the highest such mark among
  // the connections it is about to write (once per loop iteration under epoll and reactors;
  // before each write under thread and iterative). It returns once the service's log up to
  // `mark` is as durable as the service promises (kv's appendfsync always: fsynced), and
  // returns the position now covered. Less than a connection's mark means the log failed:
  // the model closes that connection without writing, so nothing unlogged is acknowledged.
  // Called with no lock held, from any serving thread; the default has no log.
  virtual std::uint64_t await_log(std::uint64_t mark) { return mark; }
};

}  // namespace tcpkit::server
