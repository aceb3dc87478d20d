// tcpkit connect: a netcat-like client. stdin goes to the socket and the socket to stdout at
// the same time, binary-safe. On stdin EOF it half-closes (SHUT_WR) and keeps printing until
// the peer closes. With --udp each read from stdin (each line with --framing line) is one
// datagram; it exits -w seconds after stdin ends (default 1).
//
// Also as people use ncat: `tcpkit connect HOST PORT`, -U PATH, -z (does the port accept?),
// -C (CRLF line endings), --send-only, --recv-only, and -l (listen: accept a connection and
// relay it the same way; -k: then the next one, until interrupted).
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>

#include "commands.hpp"
#include "connect_framing.hpp"
#include "exit_codes.hpp"
#include "tcpkit/io/buffer.hpp"
#include "tcpkit/net/socket.hpp"
#include "tcpkit/net/trace.hpp"
#include "validators.hpp"

namespace tcpkit::cli {

namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kMaxPending = 1u << 20;  // stop reading stdin while this much is unsent

struct ConnectArgs {
  std::string address;
  std::string port;        // ncat's "HOST PORT" form
  std::string unix_path;   // -U
  bool listen = false;     // -l
  bool keep_open = false;  // -k
  bool zero_io = false;    // -z
  bool crlf = false;       // -C
  bool send_only = false;
  bool recv_only = false;
  bool ipv4 = false;  // -4
  bool ipv6 = false;  // -6
  bool udp = false;
  double wait_seconds = 0;
  bool no_shutdown = false;
  bool verbose = false;
  bool trace = false;
  std::string framing = "raw";
};

int fail(const Error& e) {
  std::fprintf(stderr, "tcpkit connect: %s\n", e.message().c_str());
  return exit_code_for(e);
}

class Client {
 public:
  Client(const ConnectArgs& args, UniqueFd fd, std::unique_ptr<Framer> framer, std::string peer)
      : args_(args), fd_(std::move(fd)), framer_(std::move(framer)), peer_(std::move(peer)) {
    stdin_open_ = !args.recv_only;
  }

  // Closes through net::close_fd, so --trace narrates the client's close too.
  ~Client() { net::close_fd(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  int run() {
    if (auto r = net::set_nonblocking(fd_.get(), true); !r) return fail(r.error());
    for (;;) {
      pollfd fds[2] = {
          {stdin_open_ && pending_.size() < kMaxPending ? STDIN_FILENO : -1, POLLIN, 0},
          {fd_.get(), static_cast<short>(POLLIN | (pending_.empty() ? 0 : POLLOUT)), 0}};
      int rc = ::poll(fds, 2, poll_timeout_ms());
      if (rc < 0 && errno == EINTR) continue;
      if (rc < 0) return fail(Error::from_errno("poll"));
      if (rc == 0) return on_timeout();
      if (fds[0].revents != 0 && !read_stdin()) return exit_code_;
      if ((fds[1].revents & POLLOUT) != 0 && !send_pending()) return exit_code_;
      if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !receive()) return exit_code_;
      maybe_half_close();
      if (args_.send_only && half_closed_) return kExitOk;  // all of stdin sent: done
    }
  }

 private:
  int poll_timeout_ms() const {
    if (args_.udp && !stdin_open_) {
      return static_cast<int>((args_.wait_seconds > 0 ? args_.wait_seconds : 1.0) * 1000);
    }
    return args_.wait_seconds > 0 ? static_cast<int>(args_.wait_seconds * 1000) : -1;
  }

  int on_timeout() {
    if (args_.udp && !stdin_open_ && pending_.empty()) return kExitOk;
    std::fprintf(stderr, "tcpkit connect: no data for %g s (-w); giving up\n", args_.wait_seconds);
    return kExitTempFail;
  }

  bool read_stdin() {
    char buf[kChunk];
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) {
      stdin_open_ = false;
      framer_->encode_rest(pending_, datagrams_);
      return send_pending();
    }
    std::string_view data(buf, static_cast<std::size_t>(n));
    std::string crlf;
    if (args_.crlf) {  // -C: a bare LF becomes CRLF (one already after CR stays as it is)
      for (char c : data) {
        if (c == '\n' && (crlf.empty() ? !after_cr_ : crlf.back() != '\r')) crlf += '\r';
        crlf += c;
      }
      after_cr_ = !crlf.empty() && crlf.back() == '\r';
      data = crlf;
    }
    framer_->encode(data, pending_, datagrams_);
    return send_pending();
  }

  // Streams: write what the kernel takes. Datagrams: one send per recorded message length.
  bool send_pending() {
    while (!pending_.empty()) {
      std::size_t len = pending_.size();
      if (args_.udp && !datagrams_.empty()) len = datagrams_.front();
      auto r = net::write_some(fd_.get(), pending_.data(), len);
      if (!r) return stop(fail_with_peer(r.error()));
      if (r->status == net::IoStatus::kWouldBlock) return true;
      pending_.consume(r->bytes);
      if (args_.udp && !datagrams_.empty()) datagrams_.pop_front();
    }
    return true;
  }

  bool receive() {
    char buf[kChunk];
    auto r = net::read_some(fd_.get(), buf, sizeof(buf));
    if (!r) return stop(fail_with_peer(r.error()));
    if (r->status == net::IoStatus::kWouldBlock) return true;
    if (r->status == net::IoStatus::kEof) {
      if (auto e = framer_->finish(); !e.empty()) {
        std::fprintf(stderr, "tcpkit connect: %s\n", e.c_str());
        return stop(kExitDataErr);
      }
      return stop(kExitOk);
    }
    if (args_.send_only) return true;  // read and dropped, so the peer is never blocked
    std::string out;
    if (auto e = framer_->decode(std::string_view(buf, r->bytes), out); !e.empty()) {
      std::fprintf(stderr, "tcpkit connect: %s\n", e.c_str());
      return stop(kExitDataErr);
    }
    if (auto w = net::write_all(STDOUT_FILENO, out); !w) return stop(fail(w.error()));
    return true;
  }

  void maybe_half_close() {
    if (stdin_open_ || half_closed_ || !pending_.empty() || args_.udp || args_.no_shutdown ||
        args_.recv_only) {
      return;
    }
    half_closed_ = true;
    // ENOTCONN: the peer already closed; its output is still read until EOF.
    if (auto r = net::shutdown_write(fd_.get()); !r && r.error().code().value() != ENOTCONN) {
      std::fprintf(stderr, "tcpkit connect: %s\n", r.error().message().c_str());
    }
  }

  // An I/O error named by the peer's address, not an fd; a refused datagram says why.
  int fail_with_peer(const Error& e) {
    const bool refused = e.code() == std::errc::connection_refused;
    std::fprintf(stderr, "tcpkit connect: %s: %s%s\n", peer_.c_str(), e.code().message().c_str(),
                 refused && args_.udp ? " (nothing listens on that UDP port)" : "");
    return exit_code_for(e);
  }

  bool stop(int code) {
    exit_code_ = code;
    return false;
  }

  const ConnectArgs& args_;
  UniqueFd fd_;
  std::unique_ptr<Framer> framer_;
  std::string peer_;  // the address, for error messages
  io::Buffer pending_;
  std::deque<std::size_t> datagrams_;
  bool stdin_open_ = true;
  bool half_closed_ = false;
  bool after_cr_ = false;  // -C: the last byte of the previous stdin read was CR
  int exit_code_ = kExitOk;
};

// The address from the arguments: -U PATH, HOST PORT (ncat's form), a bare PORT with -l
// (every interface), or tcpkit's HOST:PORT / unix:/PATH form.
std::string target(const ConnectArgs& args) {
  if (!args.unix_path.empty()) return "unix:" + args.unix_path;
  if (!args.port.empty()) {
    const bool v6 = args.address.find(':') != std::string::npos && !args.address.starts_with('[');
    return (v6 ? "[" + args.address + "]" : args.address) + ":" + args.port;
  }
  const bool all_digits =
      !args.address.empty() && args.address.find_first_not_of("0123456789") == std::string::npos;
  if (args.listen && all_digits) return ":" + args.address;
  return args.address;
}

// -l: listens, and relays each accepted connection as a client's (one at a time; with -k the
// next after each closes). Says where it listens on stderr with -v (the real port for :0).
int run_listen(const ConnectArgs& args, const net::Endpoint& endpoint) {
  net::ListenOptions options;
  options.nonblocking = false;
  options.backlog = 16;
  auto listener = net::listen_on(endpoint, options);
  if (!listener) return fail(listener.error());
  std::fprintf(stderr, "tcpkit connect: listening on %s\n", listener->endpoint.to_string().c_str());
  int code = kExitOk;
  do {
    auto accepted = net::accept_connection(listener->fd.get(), false);
    if (!accepted) return fail(accepted.error());
    if (!accepted->fd) continue;
    if (args.verbose) {
      std::fprintf(stderr, "tcpkit connect: connection from %s\n",
                   accepted->peer.to_string().c_str());
    }
    code =
        Client(args, std::move(accepted->fd), make_framer(args.framing), accepted->peer.to_string())
            .run();
  } while (args.keep_open);
  return code;
}

int run_connect(const ConnectArgs& args) {
  net::set_trace(args.trace);
  if (args.send_only && args.recv_only) {
    std::fprintf(stderr, "tcpkit connect: --send-only and --recv-only do not go together\n");
    return kExitUsage;
  }
  if (args.zero_io && (args.listen || args.udp)) {
    std::fprintf(stderr, "tcpkit connect: -z is for TCP and Unix stream connects\n");
    return kExitUsage;
  }
  if (args.keep_open && !args.listen) {
    std::fprintf(stderr, "tcpkit connect: -k needs -l\n");
    return kExitUsage;
  }
  std::string address = target(args);
  auto endpoint = net::parse_endpoint(address);
  if (!endpoint) return fail(endpoint.error());
  if ((args.ipv4 || args.ipv6) && !endpoint->is_unix()) {
    // -4/-6: the first address of that family the name resolves to, as a literal.
    if (args.ipv4 && args.ipv6) {
      std::fprintf(stderr, "tcpkit connect: -4 and -6 do not go together\n");
      return kExitUsage;
    }
    auto addresses = net::resolve(*endpoint, args.listen, args.udp ? SOCK_DGRAM : SOCK_STREAM);
    if (!addresses) return fail(addresses.error());
    const int family = args.ipv4 ? AF_INET : AF_INET6;
    auto it = std::find_if(addresses->begin(), addresses->end(),
                           [family](const net::SocketAddress& a) { return a.family() == family; });
    if (it == addresses->end()) {
      std::fprintf(stderr, "tcpkit connect: %s has no %s address\n", address.c_str(),
                   args.ipv4 ? "IPv4" : "IPv6");
      return kExitNoHost;
    }
    address = it->to_string();
    endpoint = net::parse_endpoint(address);
    if (!endpoint) return fail(endpoint.error());
  }
  if (args.listen) return run_listen(args, *endpoint);
  auto timeout = std::chrono::milliseconds(static_cast<long long>(args.wait_seconds * 1000));
  auto fd = net::connect_to(*endpoint, timeout, args.udp ? SOCK_DGRAM : SOCK_STREAM);
  if (!fd) return fail(fd.error());
  if (args.zero_io) {  // -z: the port accepts; nothing is sent
    if (args.verbose) std::fprintf(stderr, "tcpkit connect: %s accepts\n", address.c_str());
    return kExitOk;
  }
  if (args.verbose) {
    auto peer = net::peer_address(fd->get());
    std::fprintf(stderr, "tcpkit connect: connected to %s\n",
                 peer ? peer->to_string().c_str() : address.c_str());
  }
  auto framer = make_framer(args.framing);
  return Client(args, std::move(*fd), std::move(framer), address).run();
}

}  // namespace

void add_connect(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ConnectArgs>();
  CLI::App* cmd = app.add_subcommand(
      "connect",
      "Connect to ADDR and copy stdin to the socket and the socket to stdout, like netcat. "
      "On stdin EOF the write side is shut down (SHUT_WR) and output continues until the "
      "peer closes. Exit 0 when the peer closes; 69 when the connection is refused, 68 when "
      "the host is unknown, 75 when -w passes.");
  cmd->add_option("address", args->address,
                  "HOST:PORT, [V6]:PORT, unix:/PATH or unix:@ABSTRACT; or HOST with PORT "
                  "after it (ncat's form); with -l also a bare PORT (every interface)");
  cmd->add_option("port", args->port, "PORT, when the address is a bare HOST (ncat's form)");
  cmd->add_option("-U,--unixsock", args->unix_path, "Connect to (or listen on) this Unix socket");
  cmd->add_flag("-l,--listen", args->listen,
                "Listen on the address, accept one connection and relay it as a client's");
  cmd->add_flag("-k,--keep-open", args->keep_open,
                "With -l: after a connection closes, accept the next (until interrupted)");
  cmd->add_flag("-z", args->zero_io,
                "Only say whether the port accepts a connection (exit 0) or not; send nothing");
  cmd->add_flag("-C,--crlf", args->crlf, "Send line endings as CRLF");
  cmd->add_flag("-4", args->ipv4, "IPv4 only: the first IPv4 address the host resolves to");
  cmd->add_flag("-6", args->ipv6, "IPv6 only: the first IPv6 address the host resolves to");
  cmd->add_flag("--send-only", args->send_only,
                "Only send: drop what the peer sends, exit once stdin is sent");
  cmd->add_flag("--recv-only", args->recv_only, "Only receive: stdin is not read");
  cmd->add_flag("-u,--udp", args->udp, "Datagrams: each stdin read (or line) is one datagram");
  cmd->add_option("-w,--wait", args->wait_seconds,
                  "Seconds to wait for the connection, and for data while connected "
                  "(0 = forever; with --udp, the wait for replies after stdin ends, default 1)")
      ->check(kNonNegative);
  cmd->add_flag("--no-shutdown", args->no_shutdown,
                "Keep the write side open after stdin ends (no SHUT_WR)");
  cmd->add_option("--framing", args->framing,
                  "raw (bytes as they come), line (each stdin line is one message), length "
                  "(each stdin line is sent as a 4-byte little-endian length + payload; each "
                  "reply frame is printed on its own line)")
      ->check(CLI::IsMember({"raw", "line", "length"}))
      ->capture_default_str();
  cmd->add_flag("--trace", args->trace, "Narrate socket calls on stderr");
  cmd->add_flag("-v,--verbose", args->verbose, "Say where it connected on stderr");
  cmd->footer(
      "Examples:\n"
      "  echo hello | tcpkit connect 127.0.0.1:7000\n"
      "  tcpkit connect unix:/tmp/echo.sock < file.bin > copy.bin\n"
      "  tcpkit connect --framing length 127.0.0.1:7000     (one frame per stdin line)\n"
      "  echo ping | tcpkit connect --udp -w 2 [::1]:7000\n"
      "  tcpkit connect 127.0.0.1 7000                      (ncat's HOST PORT form)\n"
      "  tcpkit connect -z 127.0.0.1 6379 && echo open\n"
      "  tcpkit connect -l 127.0.0.1:9000 > received.bin   (listen for one connection)");
  cmd->callback([args, &exit_code] {
    if (args->address.empty() && args->unix_path.empty()) {
      std::fprintf(stderr, "tcpkit connect: an address is required; see tcpkit connect --help\n");
      exit_code = kExitUsage;
      return;
    }
    exit_code = run_connect(*args);
  });
}

}  // namespace tcpkit::cli
