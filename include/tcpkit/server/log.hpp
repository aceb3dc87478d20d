#pragma once
// A minimal logger for the server: one line per event on stderr, "tcpkit: " prefixed.
// info() lines appear only with -v; warn() and error() always. Thread-safe (one write each).
//
// The verbosity is the program's choice (`tcpkit serve -v`), one per process, and lives in
// log.cpp: set_verbose() and verbose() are the only way to it.

#include <fmt/format.h>

#include <string_view>
#include <utility>

namespace tcpkit::server::log {

namespace detail {
void write_line(std::string_view level, std::string_view text);
}  // namespace detail

// Turns info() lines on or off for the whole process. Any thread; off until called.
void set_verbose(bool on);
// True when info() lines are written.
bool verbose();

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
