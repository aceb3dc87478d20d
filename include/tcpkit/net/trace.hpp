#pragma once
// --trace: every lifecycle syscall narrated with its fd and result, for people learning how
// servers work ("socket() = fd 3", "bind(fd 3, 127.0.0.1:7000)", "read(fd 5) = 12 bytes").
// Each syscall lives in one place in net/ or a model file, and calls trace() there.
// Thread-safe: one line per call, written with a single write(2) to stderr.

#include <atomic>
#include <string_view>

#include <fmt/format.h>

namespace tcpkit::net {

namespace detail {
inline std::atomic<bool> g_trace{false};
void write_trace_line(std::string_view line);
}  // namespace detail

inline void set_trace(bool on) { detail::g_trace.store(on, std::memory_order_relaxed); }
inline bool tracing() { return detail::g_trace.load(std::memory_order_relaxed); }

template <class... Args>
void trace(fmt::format_string<Args...> format, Args&&... args) {
  if (!tracing()) return;
  detail::write_trace_line(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace tcpkit::net
