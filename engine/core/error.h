// zkd::Error and the ZKD_CHECK macro: every failure says which op failed, what it expected and
// what it found, e.g. "conv2d: expected a 4-D NCHW input, got shape [8, 3, 32]".
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace zkd {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

}  // namespace zkd

// ZKD_CHECK(cond, "op", "expected ..., got ", x): throws zkd::Error("op: expected ..., got x").
#define ZKD_CHECK(cond, op, ...)                                                   \
  do {                                                                             \
    if (!(cond)) throw ::zkd::Error(::zkd::detail::concat(op, ": ", __VA_ARGS__)); \
  } while (0)

#define ZKD_FAIL(op, ...) throw ::zkd::Error(::zkd::detail::concat(op, ": ", __VA_ARGS__))
