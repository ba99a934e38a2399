// The fp32 batch norm loops (training forward with running statistics, eval forward, training
// backward) against the float64 reference on random inputs of odd shapes.
#include <gtest/gtest.h>

#include "engine/backend/backend.h"
#include "engine/backend/cpu/batchnorm_fp32.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

Tensor f32(const Tensor& t) {
  return t.to(DType::F32);
}
Tensor f64(const Tensor& t) {
  return t.to(DType::F64);
}

// Inputs U(-2.5, 3.5) so that mean and variance are not the trivial ones. fp32 statistics over
// up to 3 * 7 * 9 = 189 values per channel: measured max |error| 4.9e-7 on y, 3.1e-7 on dx,
// 1.5e-6 on dgamma (a sum of 189 terms); tolerance 5e-6 + 1e-5 relative, about 3x the worst.
constexpr double kAtol = 5e-6, kRtol = 1e-5;

class Fp32BatchNorm : public ::testing::TestWithParam<Shape> {};

TEST_P(Fp32BatchNorm, MatchesFloat64Reference) {
  Shape xs = GetParam();
  int64_t C = xs[1];
  Tensor x = test::random_tensor(xs, 11, DType::F64, Device::cpu(), -2.5, 3.5);
  Tensor gamma = test::random_tensor({C}, 12, DType::F64, Device::cpu(), 0.5, 1.5);
  Tensor beta = test::random_tensor({C}, 13);
  Tensor rm = test::random_tensor({C}, 14),
         rv = test::random_tensor({C}, 15, DType::F64, Device::cpu(), 0.5, 2);
  Tensor rm32 = f32(rm), rv32 = f32(rv);
  BatchNormArgs a;
  a.momentum = 0.3;

  BatchNormTrainOut want = cpu::batchnorm_train_fwd(x, gamma, beta, rm, rv, a);
  BatchNormTrainOut got =
      cpu::fp32::batchnorm_train_fwd(f32(x), f32(gamma), f32(beta), rm32, rv32, a);
  EXPECT_TRUE(test::all_close(f64(got.y), want.y, kAtol, kRtol, "train y"));
  EXPECT_TRUE(test::all_close(f64(got.save_mean), want.save_mean, kAtol, kRtol, "save_mean"));
  EXPECT_TRUE(test::all_close(f64(got.save_invstd), want.save_invstd, kAtol, kRtol, "save_invstd"));
  EXPECT_TRUE(test::all_close(f64(rm32), rm, kAtol, kRtol, "running_mean"));
  EXPECT_TRUE(test::all_close(f64(rv32), rv, kAtol, kRtol, "running_var"));

  Tensor e_want = cpu::batchnorm_eval_fwd(x, gamma, beta, rm, rv, a);
  Tensor e_got = cpu::fp32::batchnorm_eval_fwd(f32(x), f32(gamma), f32(beta), rm32, rv32, a);
  EXPECT_TRUE(test::all_close(f64(e_got), e_want, kAtol, kRtol, "eval y"));

  Tensor dy = test::random_tensor(xs, 16);
  BatchNormGrads g_want = cpu::batchnorm_train_bwd(dy, x, gamma, want.save_mean, want.save_invstd);
  BatchNormGrads g_got =
      cpu::fp32::batchnorm_train_bwd(f32(dy), f32(x), f32(gamma), got.save_mean, got.save_invstd);
  EXPECT_TRUE(test::all_close(f64(g_got.dx), g_want.dx, kAtol, kRtol, "dx"));
  EXPECT_TRUE(test::all_close(f64(g_got.dgamma), g_want.dgamma, kAtol, kRtol, "dgamma"));
  EXPECT_TRUE(test::all_close(f64(g_got.dbeta), g_want.dbeta, kAtol, kRtol, "dbeta"));
  test::report_error("fp32_bn_train_y", f64(got.y), want.y);
  test::report_error("fp32_bn_dx", f64(g_got.dx), g_want.dx);
  test::report_error("fp32_bn_dgamma", f64(g_got.dgamma), g_want.dgamma);
}

INSTANTIATE_TEST_SUITE_P(Shapes, Fp32BatchNorm,
                         ::testing::Values(Shape{3, 5, 7, 9}, Shape{2, 16, 5, 5},
                                           Shape{4, 17, 1, 1}, Shape{1, 3, 8, 3}));

}  // namespace
}  // namespace zkd
