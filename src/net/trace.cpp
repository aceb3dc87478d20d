#include "tcpkit/net/trace.hpp"

#include <unistd.h>

#include <atomic>
#include <string>

namespace tcpkit::net {

namespace {
std::atomic<int> g_trace{0};  // 0 off, 1 on, 2 verbose
}  // namespace

void set_trace(bool on) { g_trace.store(on ? 1 : 0, std::memory_order_relaxed); }
void set_trace_verbose() { g_trace.store(2, std::memory_order_relaxed); }
bool tracing() { return g_trace.load(std::memory_order_relaxed) >= 1; }
bool tracing_verbose() { return g_trace.load(std::memory_order_relaxed) >= 2; }

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
