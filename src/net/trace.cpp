#include "tcpkit/net/trace.hpp"

#include <unistd.h>

#include <string>

namespace tcpkit::net::detail {

void write_trace_line(std::string_view line) {
  std::string out = "trace: ";
  out.append(line);
  out.push_back('\n');
  // One write so lines from different threads never interleave.
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, out.data(), out.size());
}

}  // namespace tcpkit::net::detail
