// The fp32 oneDNN conv2d (forward, backward-data, backward-weights) against the float64
// reference (im2col + BLAS) on random inputs: odd shapes, stride 2, asymmetric padding, bias,
// groups, depthwise (with and without a channel multiplier), a strided 1x1 whose right padding
// is negative for oneDNN. Also: the backend dispatch takes oneDNN for fp32 by default and the
// reference when cpu_reference() is on.
#include <gtest/gtest.h>

#include "engine/backend/backend.h"
#include "engine/backend/cpu/onednn_ops.h"
#include "engine/core/cpu_settings.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

struct Case {
  const char* name;
  int64_t N, C, H, W, K, R, S;
  Conv2dArgs a;
  bool bias;
};

Conv2dArgs args(int64_t stride, int64_t pad_h, int64_t pad_w, int64_t groups) {
  Conv2dArgs a;
  a.stride_h = a.stride_w = stride;
  a.pad_h = pad_h;
  a.pad_w = pad_w;
  a.groups = groups;
  return a;
}

const Case kCases[] = {
    {"3x3_s1_p1", 3, 5, 9, 7, 6, 3, 3, args(1, 1, 1, 1), true},
    {"3x3_s2_p1_groups2", 2, 6, 11, 10, 4, 3, 3, args(2, 1, 1, 2), false},
    {"depthwise_3x3_s2", 2, 8, 9, 9, 8, 3, 3, args(2, 1, 1, 8), false},
    {"depthwise_x2_3x3_s1", 2, 4, 7, 8, 8, 3, 3, args(1, 1, 1, 4), true},
    {"1x1_s2_negative_pad_r", 3, 4, 8, 8, 7, 1, 1, args(2, 0, 0, 1), false},
    {"5x3_pad_2_1", 2, 3, 7, 9, 5, 5, 3, args(1, 2, 1, 1), true},
    {"3x3_s2_p0_odd", 2, 16, 13, 13, 24, 3, 3, args(2, 0, 0, 1), false},
};

Tensor f32(const Tensor& t) {
  return t.to(DType::F32);
}

// fp32 conv of values in [-1, 1] over C/g * R * S <= 144 taps, compared with the float64
// reference: measured max |error| 4.9e-6 (forward, 144 taps), 2.8e-6 (backward-data), 3.2e-6
// (backward-weights, sums over N * Ho * Wo <= 126 terms). Tolerance 1e-5 absolute + 1e-5
// relative, about 2x the worst seen.
constexpr double kAtol = 1e-5, kRtol = 1e-5;

class OneDnnConv : public ::testing::TestWithParam<Case> {};

TEST_P(OneDnnConv, MatchesFloat64Reference) {
  const Case& c = GetParam();
  Shape xs{c.N, c.C, c.H, c.W}, ws{c.K, c.C / c.a.groups, c.R, c.S};
  Tensor x = test::random_tensor(xs, 1);
  Tensor w = test::random_tensor(ws, 2);
  Tensor b = c.bias ? test::random_tensor({c.K}, 3) : Tensor();
  Tensor y = cpu::conv2d_fwd(x, w, b, c.a);
  Tensor dy = test::random_tensor(y.shape(), 4);
  Tensor dx = cpu::conv2d_bwd_data(dy, w, xs, c.a);
  Tensor dw = cpu::conv2d_bwd_weight(dy, x, ws, c.a);

  Tensor y32 = cpu::onednn::conv2d_fwd(f32(x), f32(w), c.bias ? f32(b) : Tensor(), c.a);
  EXPECT_TRUE(test::all_close(y32.to(DType::F64), y, kAtol, kRtol, "forward"));
  Tensor dx32 = cpu::onednn::conv2d_bwd_data(f32(dy), f32(w), xs, c.a);
  EXPECT_TRUE(test::all_close(dx32.to(DType::F64), dx, kAtol, kRtol, "backward-data"));
  Tensor dw32 = cpu::onednn::conv2d_bwd_weight(f32(dy), f32(x), ws, c.a);
  EXPECT_TRUE(test::all_close(dw32.to(DType::F64), dw, kAtol, kRtol, "backward-weights"));
  test::report_error("onednn_conv2d_fwd", y32.to(DType::F64), y);
  test::report_error("onednn_conv2d_bwd_data", dx32.to(DType::F64), dx);
  test::report_error("onednn_conv2d_bwd_weight", dw32.to(DType::F64), dw);

  // Backward-weights right after backward-data on the same dy reuses its reordered copy
  // (conv_onednn.cpp's DyMemo): the same numbers as without.
  Tensor dy_same = f32(dy);
  cpu::onednn::conv2d_bwd_data(dy_same, f32(w), xs, c.a);
  Tensor dw_memo = cpu::onednn::conv2d_bwd_weight(dy_same, f32(x), ws, c.a);
  EXPECT_TRUE(test::all_close(dw_memo, dw32, 0, 0, "backward-weights after backward-data"));

  // A second call reuses the cached plan and must give the same numbers.
  Tensor again = cpu::onednn::conv2d_fwd(f32(x), f32(w), c.bias ? f32(b) : Tensor(), c.a);
  EXPECT_TRUE(test::all_close(again, y32, 0, 0, "cached plan"));
}

INSTANTIATE_TEST_SUITE_P(Shapes, OneDnnConv, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

// The backend's fp32 conv is the oneDNN one unless the reference switch is on.
TEST(OneDnnDispatch, Fp32TakesOneDnnUnlessReference) {
  Conv2dArgs a = args(1, 1, 1, 1);
  Tensor x = test::random_tensor({2, 16, 9, 9}, 5, DType::F32);
  Tensor w = test::random_tensor({16, 16, 3, 3}, 6, DType::F32);
  Tensor direct = cpu::onednn::conv2d_fwd(x, w, Tensor(), a);
  bool was = cpu_reference();
  set_cpu_reference(false);
  EXPECT_TRUE(
      test::all_close(cpu::conv2d_fwd(x, w, Tensor(), a), direct, 0, 0, "default = oneDNN"));
  set_cpu_reference(true);
  test::Diff d = test::diff(cpu::conv2d_fwd(x, w, Tensor(), a), direct);
  set_cpu_reference(was);
  // im2col + sgemm sums 144 products in another order: some bits differ, all within fp32 error.
  EXPECT_GT(d.max_abs, 0.0) << "the reference switch did not change the path";
  EXPECT_LT(d.max_abs, 1e-5);
}

}  // namespace
}  // namespace zkd
