#pragma once
// --trace: every lifecycle syscall narrated with its fd and result, for people learning how
// servers work ("socket() = fd 3", "bind(fd 3, 127.0.0.1:7000)", "read(fd 5) = 12 bytes").
// Each syscall lives in one place in net/ or a model file, and calls trace() there.
// Thread-safe: one line per call, written with a single write(2) to stderr.
//
// Tracing is the program's choice (`--trace`, `--trace=verbose`), one switch per process, kept
// in trace.cpp: set_trace() and tracing() are the only way to it. Verbose adds the wake-ups of
// the event loops (each epoll_wait with how many events it returned).

#include <fmt/format.h>

#include <string_view>
#include <utility>

namespace tcpkit::net {

namespace detail {
void write_trace_line(std::string_view line);
}  // namespace detail

// Turns tracing on or off for the whole process. Any thread; off until called.
void set_trace(bool on);
// On, and also the event loops' wake-ups.
void set_trace_verbose();
// True when trace() writes its lines.
bool tracing();
// True when the event loops narrate their wake-ups too.
bool tracing_verbose();

template <class... Args>
void trace(fmt::format_string<Args...> format, Args&&... args) {
  if (!tracing()) return;
  detail::write_trace_line(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace tcpkit::net
