#include "worker.hpp"

#include <sys/epoll.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "tcpkit/net/socket.hpp"

namespace tcpkit::bench::detail {

namespace {

constexpr std::size_t kReadChunk = 128u * 1024;
constexpr std::size_t kMaxErrorSamples = 4;
constexpr std::uint64_t kNs = 1'000'000'000;
constexpr std::uint64_t kNever = UINT64_MAX;

std::uint64_t seconds_to_ns(double s) { return static_cast<std::uint64_t>(s * 1e9); }

}  // namespace

std::uint64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * kNs + static_cast<std::uint64_t>(ts.tv_nsec);
}

// One connection: its socket, the bytes of its current batch, a ring of the send (or due)
// times of the requests in flight, and the parser state for its replies.
struct Worker::Conn {
  Conn(UniqueFd f, std::size_t i, std::size_t pipeline, std::size_t request_size, const Workload& w,
       const KeyOptions& key_options, std::uint64_t seed)
      : fd(std::move(f)),
        index(i),
        out(new char[pipeline * request_size]),
        stamps(pipeline),
        skipper(w.protocol, w.request.size()),
        keys(key_options, seed) {}

  std::uint64_t pop_stamp() {
    const std::uint64_t t = stamps[head];
    head = head + 1 == stamps.size() ? 0 : head + 1;
    --inflight;
    return t;
  }

  UniqueFd fd;
  std::size_t index;  // among this worker's connections: its slot in the open-loop schedule
  std::unique_ptr<char[]> out;
  std::size_t out_at = 0;   // bytes of `out` already written to the socket
  std::size_t out_len = 0;  // bytes of `out` filled
  io::Buffer in;            // only the part of a reply that straddles two reads
  std::vector<std::uint64_t> stamps;
  std::size_t head = 0;
  std::size_t inflight = 0;
  ReplySkipper skipper;
  KeyDrawer keys;
  std::uint64_t next_k = 0;  // open loop: this connection's next request number
  std::uint64_t replies = 0;
  bool alive = true;
  bool watching_out = false;
};

Worker::Worker(const EngineOptions& options, const Workload& workload, std::vector<UniqueFd> fds,
               Schedule schedule, std::uint64_t seed)
    : options_(options),
      workload_(workload),
      schedule_(schedule),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      events_(std::max<std::size_t>(64, std::min<std::size_t>(fds.size(), 1024))),
      scratch_(new char[kReadChunk]) {
  const auto pipeline = static_cast<std::size_t>(std::max(1, options.pipeline));
  for (std::size_t i = 0; i < fds.size(); ++i) {
    auto c = std::make_unique<Conn>(std::move(fds[i]), i, pipeline, workload.request.size(),
                                    workload, options.keys, seed * 0x9E3779B97F4A7C15ull + i + 1);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c.get();
    ++alive_;
    if (!epoll_ || ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, c->fd.get(), &ev) != 0) {
      fail(*c, &result_.connection_errors, "epoll_ctl: " + std::string(std::strerror(errno)));
    }
    conns_.push_back(std::move(c));
  }
}

Worker::~Worker() = default;

int Worker::connections_open() const {
  return static_cast<int>(
      std::count_if(conns_.begin(), conns_.end(), [](const auto& c) { return c->alive; }));
}

void Worker::run() {
  while (now_ns() < schedule_.start_ns) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(schedule_.start_ns - now_ns()));
  }
  std::uint64_t now = now_ns();
  last_progress_ns_ = now;
  if (schedule_.rate > 0) {
    release_due(now);
  } else {
    for (auto& c : conns_) {
      if (c->alive) send_batch(*c, now);
    }
  }
  while (!should_finish(now = now_ns())) {
    wait_for_events(now);
    if (schedule_.rate > 0) release_due(now_ns());
    live_completed.store(result_.completed, std::memory_order_relaxed);
    live_errors.store(result_.errors(), std::memory_order_relaxed);
  }
  finish();
  finished.store(true, std::memory_order_release);
}

bool Worker::issuing(std::uint64_t now) const {
  if (schedule_.quota > 0 && issued_measured_ >= schedule_.quota) return false;
  return schedule_.end_ns == 0 || now < schedule_.end_ns;
}

bool Worker::should_finish(std::uint64_t now) const {
  if (alive_ == 0) return true;
  if (!issuing(now) && outstanding_ == 0) return true;
  if (schedule_.end_ns != 0 && now >= schedule_.end_ns + seconds_to_ns(options_.drain_s)) {
    return true;
  }
  return outstanding_ > 0 && now - last_progress_ns_ >= seconds_to_ns(options_.timeout_s);
}

std::uint64_t Worker::next_wake(std::uint64_t now) const {
  std::uint64_t wake = now + kNs / 4;
  if (outstanding_ > 0)
    wake = std::min(wake, last_progress_ns_ + seconds_to_ns(options_.timeout_s));
  if (schedule_.end_ns != 0) {
    wake =
        std::min(wake, now < schedule_.end_ns ? schedule_.end_ns
                                              : schedule_.end_ns + seconds_to_ns(options_.drain_s));
  }
  if (schedule_.rate > 0 && issuing(now)) {
    const auto due = schedule_.start_ns + static_cast<std::uint64_t>(static_cast<double>(due_seq_) *
                                                                     1e9 / schedule_.rate);
    wake = std::min(wake, due);
  }
  return std::max(wake, now);
}

void Worker::wait_for_events(std::uint64_t now) {
  const std::uint64_t wait = next_wake(now) - now;
  timespec timeout{static_cast<time_t>(wait / kNs), static_cast<long>(wait % kNs)};
  int n = ::epoll_pwait2(epoll_.get(), events_.data(), static_cast<int>(events_.size()), &timeout,
                         nullptr);
  if (n < 0 && errno == ENOSYS) {
    n = ::epoll_wait(epoll_.get(), events_.data(), static_cast<int>(events_.size()),
                     static_cast<int>((wait + 999'999) / 1'000'000));
  }
  if (n <= 0) return;
  const std::uint64_t after = now_ns();
  for (int i = 0; i < n; ++i) {
    const auto& ev = events_[static_cast<std::size_t>(i)];
    on_events(*static_cast<Conn*>(ev.data.ptr), ev.events, after);
  }
}

void Worker::on_events(Conn& c, std::uint32_t events, std::uint64_t now) {
  if (!c.alive) return;
  if ((events & EPOLLOUT) != 0) flush(c);
  if (c.alive && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) on_readable(c);
  if (!c.alive) return;
  if (schedule_.rate > 0) {
    send_due(c);
  } else if (c.inflight == 0) {
    send_batch(c, now);
  }
}

// Reads until the socket is drained (a short read says so) and completes every whole reply.
// A reply that straddles two reads waits in c.in; otherwise replies are skipped in scratch_.
void Worker::on_readable(Conn& c) {
  for (;;) {
    auto r = net::read_some(c.fd.get(), scratch_.get(), kReadChunk);
    if (!r) return fail(c, &result_.connection_errors, r.error().message());
    if (r->status == net::IoStatus::kWouldBlock) return;
    if (r->status == net::IoStatus::kEof) {
      return fail(c, &result_.connection_errors, "the server closed the connection");
    }
    result_.bytes_received += r->bytes;
    const std::uint64_t now = now_ns();
    std::string_view fresh(scratch_.get(), r->bytes);
    std::size_t used = 0;
    if (c.in.empty()) {
      if (!take_replies(c, fresh, now, &used)) return;
      if (used < fresh.size()) c.in.append(fresh.substr(used));
    } else {
      c.in.append(fresh);
      if (!take_replies(c, c.in.view(), now, &used)) return;
      c.in.consume(used);
    }
    if (r->bytes < kReadChunk) return;
  }
}

bool Worker::take_replies(Conn& c, std::string_view data, std::uint64_t now, std::size_t* used) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    if (c.inflight == 0) {
      fail(c, &result_.protocol_errors, "bytes from the server with no request in flight");
      return false;
    }
    const ReplyScan s = c.skipper.next(data.substr(pos));
    if (s.status == ReplyStatus::kBad) {
      fail(c, &result_.protocol_errors, "unreadable reply: " + std::string(c.skipper.bad_reason()));
      return false;
    }
    pos += s.consumed;
    if (s.status == ReplyStatus::kNeedMore) break;
    complete(c, now, s.error_reply, data.substr(pos - s.consumed, s.consumed));
  }
  *used = pos;
  return true;
}

void Worker::complete(Conn& c, std::uint64_t now, bool error_reply, std::string_view reply) {
  const std::uint64_t stamp = c.pop_stamp();
  --outstanding_;
  ++c.replies;
  last_progress_ns_ = now;
  if (stamp >= schedule_.measure_ns) {
    result_.latency.record(now > stamp ? now - stamp : 0);
    ++result_.completed;
    last_measured_reply_ns_ = now;
    if (error_reply) ++result_.error_replies;
  }
  if (error_reply && result_.error_samples.size() < kMaxErrorSamples) {
    std::string text(reply.substr(0, 200));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    result_.error_samples.push_back("error reply: " + text);
  }
}

// Closed loop: the next batch, in one write.
void Worker::send_batch(Conn& c, std::uint64_t now) {
  if (!issuing(now)) return;
  std::size_t n = c.stamps.size();
  const bool measured = now >= schedule_.measure_ns;
  if (measured && schedule_.quota > 0) {
    n = static_cast<std::size_t>(std::min<std::uint64_t>(n, schedule_.quota - issued_measured_));
  }
  for (std::size_t i = 0; i < n; ++i) push_request(c, now);
  flush(c);
}

// Open loop: marks every request due by `now` and sends those that fit in their window. Only
// connections whose turn came since the last call are visited (request j goes to j % count).
void Worker::release_due(std::uint64_t now) {
  if (now < schedule_.start_ns || !issuing(now)) return;
  auto due = static_cast<std::uint64_t>(static_cast<double>(now - schedule_.start_ns) *
                                        schedule_.rate / 1e9) +
             1;
  if (schedule_.end_ns != 0) {
    const auto last = static_cast<std::uint64_t>(
        static_cast<double>(schedule_.end_ns - schedule_.start_ns) * schedule_.rate / 1e9);
    due = std::min(due, last + 1);
  }
  if (due <= due_seq_) return;
  const std::uint64_t first = due_seq_;
  due_seq_ = due;
  const std::uint64_t visits = std::min<std::uint64_t>(due - first, conns_.size());
  for (std::uint64_t j = first; j < first + visits; ++j) {
    Conn& c = *conns_[j % conns_.size()];
    if (c.alive) send_due(c);
  }
}

void Worker::send_due(Conn& c) {
  const std::uint64_t count = conns_.size();
  const std::uint64_t i = c.index;
  const std::uint64_t due_here = due_seq_ > i ? (due_seq_ - i + count - 1) / count : 0;
  bool sent = false;
  while (c.next_k < due_here && c.inflight < c.stamps.size()) {
    const double seq = static_cast<double>(c.next_k * count + i);
    const std::uint64_t intended =
        schedule_.start_ns + static_cast<std::uint64_t>(seq * 1e9 / schedule_.rate);
    if (intended >= schedule_.measure_ns && !issuing(intended)) break;
    push_request(c, intended);
    ++c.next_k;
    sent = true;
  }
  if (sent) flush(c);
}

void Worker::push_request(Conn& c, std::uint64_t stamp) {
  if (c.out_at == c.out_len) c.out_at = c.out_len = 0;
  workload_.request.write(c.out.get() + c.out_len, c.keys);
  c.out_len += workload_.request.size();
  c.stamps[(c.head + c.inflight) % c.stamps.size()] = stamp;
  ++c.inflight;
  ++outstanding_;
  if (stamp >= schedule_.measure_ns) ++issued_measured_;
  if (c.inflight == 1 && outstanding_ == 1) last_progress_ns_ = now_ns();
}

void Worker::flush(Conn& c) {
  while (c.out_at < c.out_len) {
    auto r = net::write_some(c.fd.get(), c.out.get() + c.out_at, c.out_len - c.out_at);
    if (!r) return fail(c, &result_.connection_errors, r.error().message());
    if (r->status == net::IoStatus::kWouldBlock) return watch_writable(c, true);
    c.out_at += r->bytes;
    result_.bytes_sent += r->bytes;
  }
  c.out_at = c.out_len = 0;
  watch_writable(c, false);
}

void Worker::watch_writable(Conn& c, bool on) {
  if (c.watching_out == on) return;
  epoll_event ev{};
  ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
  ev.data.ptr = &c;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
  c.watching_out = on;
}

// The connection is unusable: its requests in flight are lost with it.
void Worker::fail(Conn& c, std::uint64_t* counter, std::string what) {
  if (!c.alive) return;
  ++*counter;
  if (result_.error_samples.size() < kMaxErrorSamples)
    result_.error_samples.push_back(std::move(what));
  c.alive = false;
  outstanding_ -= c.inflight;
  c.inflight = 0;
  if (c.fd) ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, c.fd.get(), nullptr);
  c.fd.reset();
  --alive_;
}

void Worker::finish() {
  for (auto& c : conns_) {
    if (c->replies > 0) ++result_.connections_served;
    // Warm-up requests included: a request never answered is an error whenever it was sent.
    result_.timeouts += c->inflight;
  }
  result_.connections = static_cast<int>(conns_.size());
}

}  // namespace tcpkit::bench::detail
