#pragma once
// Exit codes follow sysexits(3), so scripts can tell a typo from a refused connection.

#include <system_error>

#include "tcpkit/base/error.hpp"

namespace tcpkit::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 64,        // bad flag, bad address syntax
  kExitDataErr = 65,      // bad input data
  kExitNoHost = 68,       // host name does not resolve
  kExitUnavailable = 69,  // connection refused, service cannot run
  kExitSoftware = 70,     // internal error
  kExitOsErr = 71,        // a system call failed
  kExitCantCreate = 73,   // cannot create (socket file)
  kExitIoErr = 74,        // I/O error on the connection
  kExitTempFail = 75,     // timed out; try again
  kExitNoPerm = 77,       // permission denied (privileged port)
  kExitConfig = 78,       // options that do not fit together
};

// The sysexits code that best describes an Error.
int exit_code_for(const Error& error);

}  // namespace tcpkit::cli
