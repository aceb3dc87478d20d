#include "tcpkit/net/trace.hpp"

#include <unistd.h>

#include <atomic>
#include <string>

namespace tcpkit::net {

namespace {
std::atomic<bool> g_trace{false};
}  // namespace

void set_trace(bool on) { g_trace.store(on, std::memory_order_relaxed); }
bool tracing() { return g_trace.load(std::memory_order_relaxed); }

namespace detail {

void write_trace_line(std::string_view line) {
  std::string out = "trace: ";
  out.append(line);
  out.push_back('\n');
  // One write so lines from different threads never interleave.
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, out.data(), out.size());
}

}  // namespace detail
}  // namespace tcpkit::net
