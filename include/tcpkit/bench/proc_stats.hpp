#pragma once
// What /proc says about a process (the server under test) and about our own limits.

#include <optional>

#include "tcpkit/base/result.hpp"

namespace tcpkit::bench {

// utime + stime of `pid` from /proc/PID/stat, in seconds (resolution: one clock tick, usually
// 10 ms). Nothing when the process is gone or /proc cannot be read.
std::optional<double> process_cpu_seconds(int pid);

// VmRSS of `pid` from /proc/PID/status, in KiB.
std::optional<long> process_rss_kib(int pid);

// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the new soft limit.
Result<long> raise_fd_limit();

}  // namespace tcpkit::bench
