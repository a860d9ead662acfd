#pragma once
// Result<T>: a value or an Error. Expected failures are values here; exceptions
// never cross our interfaces (STYLE.md §3). Member names follow std::expected so a
// later switch is a rename.
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace daemonlet::base {

enum class ErrorCode {
  kInvalidArgument,  // the input is malformed or fails validation
  kNotFound,
  kIo,               // the file system or a socket failed
  kUnavailable,      // a peer is down or timed out; worth retrying
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string context;  // where: a file, a field path, a URL

  std::string describe() const { return context.empty() ? message : context + ": " + message; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}           // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}       // NOLINT: implicit by design

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Result<void> spelled as a type: success carries nothing.
struct Ok {};
using Status = Result<Ok>;

inline Error makeError(ErrorCode code, std::string message, std::string context = {}) {
  return Error{code, std::move(message), std::move(context)};
}

}  // namespace daemonlet::base

// Always-on invariant check: a broken invariant is a bug, so log and abort and let
// systemd restart us rather than run on in an unknown state.
#define DL_ASSERT(cond, msg)                                                          \
  do {                                                                                \
    if (!(cond)) ::daemonlet::base::assertionFailed(#cond, (msg), __FILE__, __LINE__); \
  } while (0)

namespace daemonlet::base {
[[noreturn]] void assertionFailed(const char* cond, const std::string& msg, const char* file, int line);
}
