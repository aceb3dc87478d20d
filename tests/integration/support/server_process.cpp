#include "server_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tcpkit::testing {

namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

ExitStatus decode(int status) {
  if (WIFEXITED(status)) return {true, WEXITSTATUS(status)};
  return {false, WIFSIGNALED(status) ? WTERMSIG(status) : -1};
}

// fork + exec of the binary with stdout/stderr redirected. In the child only async-signal-safe
// calls until exec.
pid_t spawn(const std::vector<std::string>& args, int out_fd, int err_fd,
            unsigned long max_open_files) {
  std::vector<std::string> argv_storage;
  argv_storage.push_back(tcpkit_binary());
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  int devnull = ::open("/dev/null", O_RDONLY);
  ::dup2(devnull, STDIN_FILENO);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  if (max_open_files > 0) {
    rlimit rl{max_open_files, max_open_files};
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  // Close everything else so the server's fd numbers start low and no test socket leaks in.
  for (int fd = 3; fd < 1024; ++fd) ::close(fd);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string make_stderr_file(int* fd) {
  char name[] = "/tmp/tcpkit-it-stderr-XXXXXX";
  *fd = ::mkostemp(name, O_CLOEXEC);
  return name;
}

}  // namespace

const char* tcpkit_binary() { return TCPKIT_BINARY; }

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
  if (!stderr_path_.empty()) ::unlink(stderr_path_.c_str());
}

bool ServerProcess::start(const std::vector<std::string>& args, const SpawnOptions& options) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    error_ = "pipe2 failed";
    return false;
  }
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  int err_fd = -1;
  stderr_path_ = make_stderr_file(&err_fd);
  UniqueFd err(err_fd);
  pid_ = spawn(args, write_end.get(), err.get(), options.max_open_files);
  if (pid_ < 0) {
    error_ = "fork failed";
    return false;
  }
  pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
  write_end.reset();
  stdout_ = std::move(read_end);
  const auto deadline = Clock::now() + options.ready_timeout;
  std::string got;
  while (got.find('\n') == std::string::npos) {
    pollfd p{stdout_.get(), POLLIN, 0};
    int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) {
      error_ = "no ready line in time; stderr: " + stderr_text();
      return false;
    }
    char buf[512];
    ssize_t n = ::read(stdout_.get(), buf, sizeof(buf));
    if (n <= 0) {
      auto st = wait_exit(std::chrono::seconds(5));
      error_ = fmt::format("exited before ready ({} {}); stderr: {}",
                           st && st->exited ? "code" : "signal", st ? st->code : -1, stderr_text());
      return false;
    }
    got.append(buf, static_cast<std::size_t>(n));
  }
  ready_line_ = got.substr(0, got.find('\n'));
  const std::string on = "listening on ";
  const auto from = ready_line_.find(on);
  const auto to = ready_line_.rfind(" (model");
  if (from == std::string::npos || to == std::string::npos || to < from) {
    error_ = "unexpected ready line: " + ready_line_;
    return false;
  }
  std::string list = ready_line_.substr(from + on.size(), to - from - on.size());
  for (std::size_t pos = 0;;) {
    auto comma = list.find(", ", pos);
    endpoints_.push_back(list.substr(pos, comma - pos));
    if (comma == std::string::npos) break;
    pos = comma + 2;
  }
  return true;
}

ExitStatus ServerProcess::run_to_exit(const std::vector<std::string>& args, std::string* out,
                                      std::string* err, std::chrono::milliseconds timeout) {
  int out_fd = -1, err_fd = -1;
  std::string out_path = make_stderr_file(&out_fd);
  std::string err_path = make_stderr_file(&err_fd);
  pid_t pid = spawn(args, out_fd, err_fd, 0);
  ::close(out_fd);
  ::close(err_fd);
  ServerProcess p;
  p.pid_ = pid;
  p.pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  auto st = p.wait_exit(timeout);
  if (out != nullptr) *out = read_file(out_path);
  if (err != nullptr) *err = read_file(err_path);
  ::unlink(out_path.c_str());
  ::unlink(err_path.c_str());
  return st ? *st : ExitStatus{false, -1};  // the destructor kills one that hung
}

bool ServerProcess::signal(int sig) const { return pid_ > 0 && !status_ && ::kill(pid_, sig) == 0; }

std::optional<ExitStatus> ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = decode(st);
      return status_;
    }
    const int left = remaining_ms(deadline);
    if (left == 0) return std::nullopt;
    if (pidfd_) {
      pollfd p{pidfd_.get(), POLLIN, 0};
      ::poll(&p, 1, left);
    } else {
      ::usleep(5000);  // no pidfd (old kernel): look again shortly, still bounded by the deadline
    }
  }
}

bool ServerProcess::running() { return pid_ > 0 && !wait_exit(std::chrono::milliseconds(0)); }

std::optional<ExitStatus> ServerProcess::stop(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  signal(SIGTERM);
  auto st = wait_exit(timeout);
  if (!st) {
    ::kill(pid_, SIGKILL);
    (void)wait_exit(std::chrono::seconds(10));
  }
  return st;
}

std::string ServerProcess::stderr_text() const {
  return stderr_path_.empty() ? std::string() : read_file(stderr_path_);
}

std::chrono::milliseconds ServerProcess::cpu_time() const {
  std::string stat = read_file(fmt::format("/proc/{}/stat", pid_));
  // Fields after the ")" of the command name: state is field 3; utime 14, stime 15.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return std::chrono::milliseconds(-1);
  std::istringstream in(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  const long ticks = ::sysconf(_SC_CLK_TCK);
  return std::chrono::milliseconds((utime + stime) * 1000 / static_cast<unsigned long long>(ticks));
}

std::string temp_unix_path(const char* tag) {
  static std::atomic<int> counter{0};
  return fmt::format("unix:/tmp/tcpkit-it-{}-{}-{}.sock", ::getpid(), tag, ++counter);
}

bool ipv6_loopback_available() {
  int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace tcpkit::testing
