// Properties of the CPU distillation losses (float64): invariance of the LS losses to a*row + b,
// zero row sums of the KD gradient, finite results on constant rows and on |z| ~ 1e4, and the
// mean over the actual batch. The same checks run on CUDA in kd_loss_cuda_test.cpp.
#include <gtest/gtest.h>

#include "tests/losses/kd_loss_test_util.h"

namespace zkd {
namespace {

const Device kCpu = Device::cpu();

// Exact invariance is broken only by the 1e-7 on the std: a row scaled by a moves zh by about
// 1e-7 |1 - 1/a| / s relative. Measured: scaled error <= 9.3e-8 (a = 0.4). Bound 1e-6.
TEST(KdLossPropertiesCpu, LsInvariantToAffineRowMaps) {
  test::check_affine_invariance(kCpu, DType::F64, 1e-6);
}

// Measured: |row sum| / sum |row| <= 1.3e-15 (plain DKD). Bound 1e-14.
TEST(KdLossPropertiesCpu, KdGradientRowsSumToZero) {
  test::check_kd_rows_sum_to_zero(kCpu, DType::F64, 1e-14);
}

TEST(KdLossPropertiesCpu, ConstantRowsGiveFiniteResults) {
  test::check_constant_rows_finite(kCpu, DType::F64);
}

TEST(KdLossPropertiesCpu, HugeLogitsGiveFiniteResults) {
  test::check_huge_logits_finite(kCpu, DType::F64);
}

// Measured: scaled error <= 4.1e-16. Bound 5e-15.
TEST(KdLossPropertiesCpu, MeanIsOverTheActualBatch) {
  test::check_mean_over_actual_batch(kCpu, DType::F64, 5e-15);
}

// Measured: 0 (the same float64 product on both sides). Bound 1e-15.
TEST(KdLossPropertiesCpu, BackwardScalesByTheUpstreamGradient) {
  test::check_backward_scales(kCpu, DType::F64, 1e-15);
}

}  // namespace
}  // namespace zkd
