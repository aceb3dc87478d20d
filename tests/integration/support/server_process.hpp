#pragma once
// ServerProcess: the real `tcpkit serve` binary run as a child for a test. Starts it with
// fork+exec (stdout on a pipe for the ready line, stderr into a temp file), waits for the one
// ready line with a deadline and parses the addresses from it. Stops it by its pid: the
// destructor sends SIGKILL to a child still running and reaps it, so no test leaves one.
// Waiting for exit uses a pidfd, so there is no sleeping.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tcpkit/base/unique_fd.hpp"

namespace tcpkit::testing {

// Where the build put the binary under test (a compile definition).
const char* tcpkit_binary();

struct SpawnOptions {
  // RLIMIT_NOFILE for the child (0 = inherit).
  unsigned long max_open_files = 0;
  std::chrono::milliseconds ready_timeout{20000};
};

// How a child ended.
struct ExitStatus {
  bool exited = false;  // false: killed by a signal
  int code = -1;        // exit code, or the signal number when !exited
};

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Runs `tcpkit <args...>` and waits for the ready line (or for it to exit). False, with a
  // reason in error(), when it exits or says nothing in time.
  bool start(const std::vector<std::string>& args, const SpawnOptions& options = {});
  // Runs `tcpkit <args...>` to completion (bounded), for commands that are expected to fail.
  static ExitStatus run_to_exit(const std::vector<std::string>& args, std::string* out,
                                std::string* err,
                                std::chrono::milliseconds timeout = std::chrono::seconds(20));

  pid_t pid() const { return pid_; }
  const std::string& ready_line() const { return ready_line_; }
  // The addresses of the ready line, in --listen order ("127.0.0.1:40123", "unix:/tmp/s").
  const std::vector<std::string>& endpoints() const { return endpoints_; }
  const std::string& error() const { return error_; }

  bool signal(int sig) const;
  // Waits up to `timeout` for the process to end; nullopt when it is still running.
  std::optional<ExitStatus> wait_exit(std::chrono::milliseconds timeout);
  bool running();
  // SIGTERM, then the exit status within `timeout` (SIGKILL after it).
  std::optional<ExitStatus> stop(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Everything the server wrote on stderr so far.
  std::string stderr_text() const;
  // User + system CPU time of the process so far, from /proc/PID/stat.
  std::chrono::milliseconds cpu_time() const;

 private:
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd stdout_;
  std::string stderr_path_;
  std::string ready_line_;
  std::vector<std::string> endpoints_;
  std::string error_;
  std::optional<ExitStatus> status_;
};

// "unix:/tmp/tcpkit-it-<pid>-<n>.sock": a fresh path per call.
std::string temp_unix_path(const char* tag);
// True when this host can bind [::1].
bool ipv6_loopback_available();

}  // namespace tcpkit::testing
