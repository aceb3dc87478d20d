#include "tcpkit/server/log.hpp"

#include <unistd.h>

#include <atomic>
#include <string>

namespace tcpkit::server::log {

namespace {
std::atomic<bool> g_verbose{false};
}  // namespace

void set_verbose(bool on) { g_verbose.store(on, std::memory_order_relaxed); }
bool verbose() { return g_verbose.load(std::memory_order_relaxed); }

namespace detail {

void write_line(std::string_view level, std::string_view text) {
  std::string line = fmt::format("tcpkit[{}] {}: {}\n", ::getpid(), level, text);
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace detail
}  // namespace tcpkit::server::log
