// Out-of-line helpers of engine/core: shape arithmetic and device parsing.
#include "engine/core/device.h"
#include "engine/core/error.h"
#include "engine/core/shape.h"

namespace zkd {

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) {
    ZKD_CHECK(d >= 0, "shape", "expected non-negative sizes, got ", shape_str(s));
    ZKD_CHECK(!__builtin_mul_overflow(n, d, &n), "shape",
              "expected an element count that fits in int64, got ", shape_str(s));
  }
  return n;
}

Shape contiguous_strides(const Shape& s) {
  Shape st(s.size());
  int64_t acc = 1;
  for (size_t i = s.size(); i-- > 0;) {
    st[i] = acc;
    ZKD_CHECK(!__builtin_mul_overflow(acc, s[i], &acc), "shape",
              "expected an element count that fits in int64, got ", shape_str(s));
  }
  return st;
}

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

Device parse_device(const std::string& s) {
  if (s == "cpu") return Device::cpu();
  if (s == "cuda") return Device::cuda(0);
  if (s.rfind("cuda:", 0) == 0) {
    try {
      return Device::cuda(std::stoi(s.substr(5)));
    } catch (const std::exception&) {
    }
  }
  ZKD_FAIL("device", "expected cpu, cuda or cuda:N, got '", s, "'");
}

}  // namespace zkd
