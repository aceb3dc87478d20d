#pragma once
// Error: a std::error_code plus the context that says what failed and where
// ("bind 127.0.0.1:7000"). Its message() reads "bind 127.0.0.1:7000: Address already in use".

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

namespace tcpkit {

class Error {
 public:
  Error() = default;
  Error(std::error_code code, std::string context) : code_(code), context_(std::move(context)) {}
  explicit Error(std::error_code code) : code_(code) {}

  // An Error for the current errno, with the failed call and its arguments as context.
  static Error from_errno(std::string context) { return from_errno(errno, std::move(context)); }
  static Error from_errno(int err, std::string context) {
    return Error(std::error_code(err, std::system_category()), std::move(context));
  }

  const std::error_code& code() const { return code_; }
  const std::string& context() const { return context_; }
  // "context: reason", or just the reason when there is no context.
  std::string message() const;

 private:
  std::error_code code_;
  std::string context_;
};

}  // namespace tcpkit
