#pragma once
// Result<T>: either a value or an Error (an error_code with its context), like
// std::expected<T, Error>. Written here because clang 14, which builds the fuzzers, cannot use
// libstdc++'s <expected>. Would-block, EOF and need-more are values, never Errors.
//
// Asking for the alternative a Result does not hold (value() or * on an error, error() on a
// value) is a bug: it aborts with a message in every build type, release included.

#include <type_traits>
#include <utility>
#include <variant>

#include "tcpkit/base/assert.hpp"
#include "tcpkit/base/error.hpp"

namespace tcpkit {

// Wraps an Error so that `return Fail(err);` converts to any Result<T>.
struct Fail {
  Error error;
  explicit Fail(Error e) : error(std::move(e)) {}
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}   // NOLINT: implicit
  Result(Fail f) : state_(std::in_place_index<1>, std::move(f.error)) {}  // NOLINT: implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    TCPKIT_ASSERT(ok() && "Result::value() on an error");
    return std::get<0>(state_);
  }
  const T& value() const& {
    TCPKIT_ASSERT(ok() && "Result::value() on an error");
    return std::get<0>(state_);
  }
  T&& value() && {
    TCPKIT_ASSERT(ok() && "Result::value() on an error");
    return std::move(std::get<0>(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    TCPKIT_ASSERT(!ok() && "Result::error() on a value");
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Fail f) : error_(std::move(f.error)), failed_(true) {}  // NOLINT: implicit

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    TCPKIT_ASSERT(failed_ && "Result::error() on a success");
    return error_;
  }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace tcpkit
