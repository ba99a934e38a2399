// Checked size arithmetic for counts and products that come from untrusted input (grid sizes,
// list lengths, shapes): overflow past 64 bits or a result over the caller's cap is a one-line
// zkd::Error, never a wrapped value.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>

#include "engine/core/error.h"

namespace zkd {

namespace detail {
// r = a <sym> b, computed with overflow flag `over`: r, or the error of checked_mul / checked_add.
inline uint64_t checked_result(bool over, uint64_t r, uint64_t a, const char* sym, uint64_t b,
                               const std::string& op, const std::string& what, uint64_t cap) {
  ZKD_CHECK(!over && r <= cap, op, "expected ", what, " of at most ", cap, ", got ", a, sym, b,
            over ? " (past 2^64)" : " = " + std::to_string(r));
  return r;
}
}  // namespace detail

// a * b; throws "<op>: expected <what> of at most <cap>, got <a> x <b> = <r>" (or
// "... (past 2^64)" when the product overflows).
inline uint64_t checked_mul(uint64_t a, uint64_t b, const std::string& op, const std::string& what,
                            uint64_t cap = UINT64_MAX) {
  uint64_t r;
  const bool over = __builtin_mul_overflow(a, b, &r);  // before r is read (argument order)
  return detail::checked_result(over, r, a, " x ", b, op, what, cap);
}

// a + b, the same way ("<a> + <b>").
inline uint64_t checked_add(uint64_t a, uint64_t b, const std::string& op, const std::string& what,
                            uint64_t cap = UINT64_MAX) {
  uint64_t r;
  const bool over = __builtin_add_overflow(a, b, &r);
  return detail::checked_result(over, r, a, " + ", b, op, what, cap);
}

// The product of `factors` (1 when empty), each partial product checked against `cap`: with
// every factor >= 1 the partial products only grow, so the first one past the cap is reported.
// A zero factor gives 0 (callers that need at least one refuse empty lists themselves); a
// negative factor is an error.
template <typename Range>
uint64_t checked_product(const Range& factors, const std::string& op, const std::string& what,
                         uint64_t cap = UINT64_MAX) {
  uint64_t r = 1;
  for (auto f : factors) {
    if constexpr (std::is_signed_v<decltype(f)>)
      ZKD_CHECK(f >= 0, op, "expected non-negative factors of ", what, ", got ", f);
    r = checked_mul(r, static_cast<uint64_t>(f), op, what, cap);
  }
  return r;
}
inline uint64_t checked_product(std::initializer_list<uint64_t> factors, const std::string& op,
                                const std::string& what, uint64_t cap = UINT64_MAX) {
  return checked_product<std::initializer_list<uint64_t>>(factors, op, what, cap);
}

}  // namespace zkd
