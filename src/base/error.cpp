#include "tcpkit/base/error.hpp"

namespace tcpkit {

std::string Error::message() const {
  if (context_.empty()) return code_.message();
  return context_ + ": " + code_.message();
}

}  // namespace tcpkit
