// Test helpers: seeded random tensors (never zeros), tensor comparison with a full report (max
// abs error, max relative error, NMSE, shape, first mismatches), and the GPU-skip macro.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/memory/gpu_api.h"
#include "engine/tensor/tensor.h"

namespace zkd::test {

struct Diff {
  double max_abs = 0, max_rel = 0, nmse = 0;
};

Diff diff(const Tensor& got, const Tensor& want);
// |got - want|_2 / (|want|_2 + 1e-6) over two same-length vectors (whole-step comparisons).
double rel_l2(const std::vector<float>& got, const std::vector<float>& want);
// Passes when |got - want| <= atol + rtol * |want| everywhere (and shapes match).
::testing::AssertionResult all_close(const Tensor& got, const Tensor& want, double atol,
                                     double rtol, const std::string& what = "");
// U(lo, hi) values from a seeded generator, as dtype on device; magnitudes bounded away from 0
// when `away_from_zero` (for ops with kinks at 0, e.g. relu).
Tensor random_tensor(const Shape& shape, uint64_t seed, DType dtype = DType::F64,
                     Device device = Device::cpu(), double lo = -1, double hi = 1,
                     bool away_from_zero = false);
// Prints "[zkd-error] <op> max_abs=... max_rel=... nmse=... shape=[...]" for the GPU check
// script's worst-error-per-op summary (tests/gpu/check.sh greps these lines).
void report_error(const std::string& op, const Tensor& got, const Tensor& want);
Tensor random_labels(int64_t n, int64_t classes, uint64_t seed, Device device = Device::cpu());
// Runs the shell command `cmd`; returns its exit status (-1 when it did not exit) and appends its
// stdout and stderr to `output` (the PyTorch cross-checks and parity twins).
int run_command(const std::string& cmd, std::string& output);

}  // namespace zkd::test

// Skips the current test, visibly, when no CUDA device can be used.
#define ZKD_REQUIRE_GPU()                                                         \
  do {                                                                            \
    if (!::zkd::gpu::available())                                                 \
      GTEST_SKIP() << "no usable CUDA device (" << ::zkd::gpu::describe() << ")"; \
  } while (0)
