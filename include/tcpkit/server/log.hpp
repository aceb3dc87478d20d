#pragma once
// A minimal logger for the server: one line per event on stderr, "tcpkit: " prefixed.
// info() lines appear only with -v; warn() and error() always. Thread-safe (one write each).

#include <atomic>
#include <string_view>

#include <fmt/format.h>

namespace tcpkit::server::log {

namespace detail {
inline std::atomic<bool> g_verbose{false};
void write_line(std::string_view level, std::string_view text);
}  // namespace detail

inline void set_verbose(bool on) { detail::g_verbose.store(on, std::memory_order_relaxed); }
inline bool verbose() { return detail::g_verbose.load(std::memory_order_relaxed); }

template <class... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  if (verbose()) detail::write_line("info", fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
  detail::write_line("warn", fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
  detail::write_line("error", fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace tcpkit::server::log
