#include "exit_codes.hpp"

#include <cerrno>

#include "tcpkit/net/address.hpp"

namespace tcpkit::cli {

int exit_code_for(const Error& error) {
  const std::error_code& code = error.code();
  if (code.category() == net::address_category()) return kExitUsage;
  if (code.category() == net::resolver_category()) return kExitNoHost;
  if (code.category() != std::system_category() && code.category() != std::generic_category()) {
    return kExitSoftware;
  }
  switch (code.value()) {
    case EACCES:
    case EPERM:
      return kExitNoPerm;
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EADDRINUSE:
    case EADDRNOTAVAIL:
    case ENOTSUP:
      return kExitUnavailable;
    case ETIMEDOUT:
      return kExitTempFail;
    case ENOENT:
      return kExitUnavailable;
    case EINVAL:
      return kExitUsage;
    default:
      return kExitOsErr;
  }
}

}  // namespace tcpkit::cli
