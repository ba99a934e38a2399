// Helpers of the CUDA-vs-CPU tests of the cuDNN / cuBLAS ops: seeded inputs as float32 on the GPU
// together with the SAME (rounded) values as float64 on the CPU, so the float64 CPU reference
// measures the GPU's arithmetic error alone; a scale-aware comparison that also prints the
// "[zkd-error]" line tests/gpu/check.sh summarizes; and a guard selecting the Strict math mode.
#pragma once
#include <cmath>
#include <string>

#include "engine/backend/backend.h"
#include "engine/backend/cuda/context.h"
#include "tests/common/test_util.h"

namespace zkd::test {

struct GpuInput {
  Tensor gpu;  // float32 on cuda:0
  Tensor ref;  // the same float32 values, as float64 on the CPU
};

// U(lo, hi) values from `seed` (never all zeros), rounded to float32.
inline GpuInput gpu_input(const Shape& shape, uint64_t seed, double lo = -1, double hi = 1) {
  Tensor f32 = random_tensor(shape, seed, DType::F32, Device::cpu(), lo, hi);
  return {f32.to(Device::cuda(0)), f32.to(DType::F64)};
}

inline Tensor to_ref(const Tensor& t) {
  return t.to(Device::cpu()).to(DType::F64);
}

inline double rms(const Tensor& t) {
  std::vector<double> v = to_ref(t).to_vector<double>();
  double s = 0;
  for (double x : v) s += x * x;
  return v.empty() ? 0 : std::sqrt(s / static_cast<double>(v.size()));
}

// Passes when |got - want| <= tol * (|want| + rms(want)) everywhere: a relative error of `tol`
// measured against each value or, for values near zero (cancellation), against the tensor's
// typical magnitude. Prints the "[zkd-error] <op> ..." line whatever the outcome.
inline ::testing::AssertionResult close_to_ref(const std::string& op, const Tensor& got,
                                               const Tensor& want, double tol) {
  report_error(op, got, want);
  return all_close(got, want, tol * rms(want), tol, op);
}

// Selects a math mode for the scope of a test (the parity tests run in Strict: fp32, no TF32).
class MathModeGuard {
 public:
  explicit MathModeGuard(cuda::MathMode m = cuda::MathMode::Strict) : saved_(cuda::math_mode()) {
    cuda::set_math_mode(m);
  }
  ~MathModeGuard() { cuda::set_math_mode(saved_); }
  MathModeGuard(const MathModeGuard&) = delete;
  MathModeGuard& operator=(const MathModeGuard&) = delete;

 private:
  cuda::MathMode saved_;
};

}  // namespace zkd::test
