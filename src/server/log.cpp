#include "tcpkit/server/log.hpp"

#include <unistd.h>

#include <string>

namespace tcpkit::server::log::detail {

void write_line(std::string_view level, std::string_view text) {
  std::string line = fmt::format("tcpkit[{}] {}: {}\n", ::getpid(), level, text);
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace tcpkit::server::log::detail
