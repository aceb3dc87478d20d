#pragma once
// OutputLimits: the rules for one connection's pending output (replies the kernel has not
// taken yet), shared by every model so they hold the same everywhere:
//
//   pending < high water          the session may run requests: room() = high water - pending
//   pending >= high water         no room: requests wait, reading stops (backpressure)
//   pending > hard limit          disconnect at once ("output over the hard limit")
//   owed > soft limit for the soft seconds in a row           disconnect
//
// Because a session stops at its room, pending output passes the high-water mark by at most
// one reply; the hard limit catches a single reply too large to hold. "Owed" adds, while the
// connection waits for its socket, what the kernel holds unsent: with backpressure a client
// that stopped reading keeps little in user space (the kernel's buffers fill first), so the
// soft limit must see those bytes to notice it. Not thread-safe: it belongs to its connection.

#include <chrono>
#include <cstddef>
#include <optional>

#include "tcpkit/server/options.hpp"
#include "tcpkit/server/service.hpp"

namespace tcpkit::server::detail {

class OutputLimits {
 public:
  using Clock = std::chrono::steady_clock;

  explicit OutputLimits(const ServerOptions& options) : options_(options) {}

  // How many more bytes of output a session may produce now.
  std::size_t room(std::size_t pending) const {
    const std::size_t high = options_.output_high_water;
    if (high == 0) return kUnboundedRoom;
    return pending >= high ? 0 : high - pending;
  }

  // The session's own class of limits (Session::output_limits()), replacing the server's hard
  // and soft limits while set. Returns true when they changed.
  bool use(const std::optional<OutputLimitSet>& limits) {
    if (limits == class_) return false;
    class_ = limits;
    soft_since_.reset();
    return true;
  }
  std::size_t hard() const { return class_ ? class_->hard : options_.output_limit; }
  std::size_t soft() const { return class_ ? class_->soft : options_.output_soft_limit; }
  std::chrono::seconds soft_seconds() const {
    return class_ ? class_->soft_seconds : options_.output_soft_seconds;
  }

  // True when the soft limit is on, so that callers query the kernel for `owed` only then.
  bool soft_limited() const { return soft() > 0; }

  // Called whenever the output changed: `pending` in user space, `owed` = pending plus what
  // the kernel holds unsent (or just pending when the caller did not ask the kernel). The
  // reason to disconnect, or nullptr.
  const char* exceeded(std::size_t pending, std::size_t owed, Clock::time_point now) {
    if (hard() > 0 && pending > hard()) {
      return class_ ? "pending output over the hard limit of its client class"
                    : "pending output over the hard limit (--output-limit)";
    }
    if (!soft_limited() || owed <= soft()) {
      soft_since_.reset();
      return nullptr;
    }
    if (!soft_since_) soft_since_ = now;
    if (now - *soft_since_ >= soft_seconds()) {
      return class_ ? "pending output over the soft limit of its client class for too long"
                    : "pending output over the soft limit for too long (--output-soft-limit)";
    }
    return nullptr;
  }

  // When the soft limit runs out if nothing changes; nullopt while under it.
  std::optional<Clock::time_point> soft_deadline() const {
    if (!soft_since_) return std::nullopt;
    return *soft_since_ + soft_seconds();
  }

 private:
  const ServerOptions& options_;
  std::optional<Clock::time_point> soft_since_;
  std::optional<OutputLimitSet> class_;
};

}  // namespace tcpkit::server::detail
