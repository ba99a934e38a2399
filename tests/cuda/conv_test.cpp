// cuDNN conv2d vs the CPU backend in float64 (same float32-rounded inputs): forward, backward
// data, backward weight and bias over odd shapes (C = 3, N = 1, H*W not a multiple of 32,
// groups, depthwise, stride 2, padding 0/1, 1x1, 3x3 and non-square kernels); the plan cache
// (one per full key, algorithms found once); the Fast (TF32) mode; argument errors.
//
// Tolerances (metric of close_to_ref: |got - want| <= tol * (|want| + rms(want))):
//   Strict 1e-4: the CPU float32 (OpenBLAS) vs float64 error on these shapes measured at most
//     1.4e-6 (2026-11, this machine); 1e-4 leaves room for cuDNN's Winograd / FFT / split
//     orderings, yet fails a TF32 result (10-bit mantissa: ~3e-4 on a sum of >= 27 products).
//   Fast 5e-3: TF32 rounds each input to 2^-11 relative. PROVISIONAL until measured on the GPU.
#include <gtest/gtest.h>

#include "engine/backend/cuda/cudnn_conv.h"
#include "tests/cuda/gpu_compare.h"

namespace zkd {
namespace {

using test::close_to_ref;
using test::gpu_input;
using test::to_ref;

struct ConvCase {
  int64_t N, C, H, W, K, R, S, sh, sw, ph, pw, groups;
  bool bias;
  Conv2dArgs args() const {
    Conv2dArgs a;
    a.stride_h = sh;
    a.stride_w = sw;
    a.pad_h = ph;
    a.pad_w = pw;
    a.groups = groups;
    return a;
  }
  Shape x_shape() const { return {N, C, H, W}; }
  Shape w_shape() const { return {K, C / groups, R, S}; }
  std::string str() const {
    return "x " + shape_str(x_shape()) + " w " + shape_str(w_shape()) + " stride " +
           std::to_string(sh) + "x" + std::to_string(sw) + " pad " + std::to_string(ph) + "x" +
           std::to_string(pw) + " groups " + std::to_string(groups);
  }
};

const ConvCase kCases[] = {
    {2, 3, 9, 7, 5, 3, 3, 1, 1, 1, 1, 1, true},        // C = 3 (a first layer), odd H, W, K
    {1, 6, 8, 8, 4, 1, 1, 2, 2, 0, 0, 2, false},       // N = 1, 1x1, stride 2, pad 0, 2 groups
    {3, 12, 11, 11, 12, 3, 3, 2, 2, 1, 1, 12, true},   // depthwise, stride 2, odd spatial
    {4, 16, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, false},   // a CIFAR stage-1 layer
    {2, 10, 13, 15, 6, 3, 2, 2, 1, 1, 0, 1, true},     // 3x2 kernel, stride 2x1, pad 1x0
    {5, 24, 7, 7, 40, 1, 1, 1, 1, 0, 0, 4, false},     // grouped 1x1, H*W = 49
    {2, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, false},     // 576-term sums
    {2, 58, 16, 16, 58, 3, 3, 1, 1, 1, 1, 58, false},  // ShuffleNet-style depthwise, C = 58
};

constexpr double kStrictTol = 1e-4;
constexpr double kFastTol = 5e-3;

// Runs the four conv ops on the GPU and in float64 on the CPU and compares every output.
void check_case(const ConvCase& c, uint64_t seed, double tol, const std::string& tag) {
  SCOPED_TRACE(c.str() + " " + tag);
  Conv2dArgs a = c.args();
  auto x = gpu_input(c.x_shape(), seed);
  auto w = gpu_input(c.w_shape(), seed + 1);
  auto b = gpu_input({c.K}, seed + 2);
  Tensor bias_gpu = c.bias ? b.gpu : Tensor(), bias_ref = c.bias ? b.ref : Tensor();
  Tensor y = cuda::conv2d_fwd(x.gpu, w.gpu, bias_gpu, a);
  Tensor y_ref = cpu::conv2d_fwd(x.ref, w.ref, bias_ref, a);
  EXPECT_TRUE(close_to_ref("conv2d_fwd" + tag, y, y_ref, tol));
  auto dy = gpu_input(y_ref.shape(), seed + 3);
  EXPECT_TRUE(close_to_ref("conv2d_bwd_data" + tag,
                           cuda::conv2d_bwd_data(dy.gpu, w.gpu, c.x_shape(), a),
                           cpu::conv2d_bwd_data(dy.ref, w.ref, c.x_shape(), a), tol));
  EXPECT_TRUE(close_to_ref("conv2d_bwd_weight" + tag,
                           cuda::conv2d_bwd_weight(dy.gpu, x.gpu, c.w_shape(), a),
                           cpu::conv2d_bwd_weight(dy.ref, x.ref, c.w_shape(), a), tol));
  // The bias gradient is our double-accumulating kernel in either mode.
  EXPECT_TRUE(close_to_ref("conv2d_bwd_bias", cuda::conv2d_bwd_bias(dy.gpu),
                           cpu::conv2d_bwd_bias(dy.ref), 1e-6));
}

TEST(ConvCuda, StrictMatchesCpuFloat64) {
  ZKD_REQUIRE_GPU();
  test::MathModeGuard strict(cuda::MathMode::Strict);
  uint64_t seed = 100;
  for (const ConvCase& c : kCases) check_case(c, seed += 10, kStrictTol, "");
}

TEST(ConvCuda, FastModeWithinTf32Error) {
  ZKD_REQUIRE_GPU();
  test::MathModeGuard fast(cuda::MathMode::Fast);
  uint64_t seed = 500;
  for (const ConvCase& c : kCases) check_case(c, seed += 10, kFastTol, "(fast)");
}

TEST(ConvCuda, OnePlanPerFullKeyAlgorithmsFoundOnce) {
  ZKD_REQUIRE_GPU();
  test::MathModeGuard strict(cuda::MathMode::Strict);
  cuda::clear_conv_plans();  // also resets the search counter
  const ConvCase c{3, 5, 10, 9, 7, 3, 3, 1, 1, 1, 1, 1, false};
  Conv2dArgs a = c.args();
  auto x = gpu_input(c.x_shape(), 1), w = gpu_input(c.w_shape(), 2);
  EXPECT_EQ(cuda::conv_plan_algorithms(c.x_shape(), c.w_shape(), a), "");
  Tensor y = cuda::conv2d_fwd(x.gpu, w.gpu, Tensor(), a);
  EXPECT_EQ(cuda::conv_plan_count(), 1u);
  std::string after_fwd = cuda::conv_plan_algorithms(c.x_shape(), c.w_shape(), a);
  EXPECT_NE(after_fwd.find("bwd_data=-1 bwd_filter=-1"), std::string::npos) << after_fwd;
  EXPECT_EQ(after_fwd.find("fwd=-1"), std::string::npos) << after_fwd;
  EXPECT_EQ(cuda::conv_algorithm_searches(), 1u);
  cuda::conv2d_bwd_data(y, w.gpu, c.x_shape(), a);
  cuda::conv2d_bwd_weight(y, x.gpu, c.w_shape(), a);
  EXPECT_EQ(cuda::conv_algorithm_searches(), 3u);  // one per pass
  for (int rep = 0; rep < 3; ++rep) {              // the same key again: no search
    cuda::conv2d_fwd(x.gpu, w.gpu, Tensor(), a);
    cuda::conv2d_bwd_data(y, w.gpu, c.x_shape(), a);
    cuda::conv2d_bwd_weight(y, x.gpu, c.w_shape(), a);
  }
  EXPECT_EQ(cuda::conv_algorithm_searches(), 3u);
  std::string all = cuda::conv_plan_algorithms(c.x_shape(), c.w_shape(), a);
  EXPECT_EQ(all.find("-1"), std::string::npos) << all;
  EXPECT_EQ(all.substr(0, all.find(' ')), after_fwd.substr(0, after_fwd.find(' ')));
  EXPECT_EQ(cuda::conv_plan_count(), 1u);  // the same key again: no new plan

  // Every field of the key matters: batch size, a spatial size, padding, math mode.
  auto x2 = gpu_input({4, 5, 10, 9}, 3);
  cuda::conv2d_fwd(x2.gpu, w.gpu, Tensor(), a);
  EXPECT_EQ(cuda::conv_plan_count(), 2u);
  auto x3 = gpu_input({3, 5, 10, 8}, 4);
  cuda::conv2d_fwd(x3.gpu, w.gpu, Tensor(), a);
  EXPECT_EQ(cuda::conv_plan_count(), 3u);
  Conv2dArgs a0 = a;
  a0.pad_h = a0.pad_w = 0;
  cuda::conv2d_fwd(x.gpu, w.gpu, Tensor(), a0);
  EXPECT_EQ(cuda::conv_plan_count(), 4u);
  {
    test::MathModeGuard fast(cuda::MathMode::Fast);
    cuda::conv2d_fwd(x.gpu, w.gpu, Tensor(), a);
    EXPECT_EQ(cuda::conv_plan_count(), 5u);
  }
  cuda::conv2d_fwd(x.gpu, w.gpu, Tensor(), a);
  EXPECT_EQ(cuda::conv_plan_count(), 5u);
}

TEST(ConvCuda, RejectsBadArguments) {
  ZKD_REQUIRE_GPU();
  Conv2dArgs a;
  auto x = gpu_input({2, 4, 6, 6}, 7), w = gpu_input({3, 4, 3, 3}, 8);
  Tensor x64 = x.ref.to(Device::cuda(0));  // float64 on the GPU
  try {
    cuda::conv2d_fwd(x64, w.gpu, Tensor(), a);
    FAIL() << "expected an error for a float64 input";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("conv2d: expected a float32 input"), std::string::npos)
        << e.what();
  }
  Conv2dArgs g3 = a;
  g3.groups = 3;  // 4 input channels are not divisible by 3 groups
  EXPECT_THROW(cuda::conv2d_fwd(x.gpu, w.gpu, Tensor(), g3), Error);
  EXPECT_THROW(cuda::conv2d_fwd(x.gpu, w.gpu, x.gpu, a), Error);  // bias of the wrong shape
  EXPECT_THROW(cuda::conv2d_fwd(x.ref.to(DType::F32), w.gpu, Tensor(), a), Error);  // on the CPU
}

}  // namespace
}  // namespace zkd
