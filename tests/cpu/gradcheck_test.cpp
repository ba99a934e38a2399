// Float64 central-difference gradient checks for every differentiable op of the CPU backend,
// covering every argument that has a gradient (inputs, weights, biases, BN weight and bias).
// Tolerance: with eps = 1e-6 the measured max error (|analytic - numeric| / max(1, |numeric|))
// is 6.3e-9 at worst (conv2d; the other ops 3e-11 .. 2.6e-9), the round-off of the central
// difference (~1e-16 * |L| / eps). 1e-7 keeps a 15x margin and still catches any wrong term,
// whose error is O(1e-2) or larger (see AutogradTest.GradcheckCatchesAWrongBackward).
#include <gtest/gtest.h>

#include "engine/autograd/gradcheck.h"
#include "engine/ops/ops.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

constexpr double kTol = 1e-7;

Variable param(const Shape& s, uint64_t seed, double lo = -1, double hi = 1, bool away = false) {
  return Variable(test::random_tensor(s, seed, DType::F64, Device::cpu(), lo, hi, away), true);
}

void expect_gradcheck(const char* op, const GradcheckFn& f, const std::vector<Variable>& in) {
  GradcheckResult r = gradcheck(f, in);
  std::printf("[gradcheck] %-28s max error %.2e over %lld elements\n", op, r.max_error,
              static_cast<long long>(r.checked));
  EXPECT_GT(r.checked, 0);
  EXPECT_LT(r.max_error, kTol) << op << ": worst " << r.worst;
}

Conv2dArgs conv_args(int64_t stride, int64_t pad, int64_t groups) {
  Conv2dArgs a;
  a.stride_h = a.stride_w = stride;
  a.pad_h = a.pad_w = pad;
  a.groups = groups;
  return a;
}

Pool2dArgs pool(int64_t k, int64_t s, int64_t p, bool ceil) {
  Pool2dArgs a;
  a.kernel_h = a.kernel_w = k;
  a.stride_h = a.stride_w = s;
  a.pad_h = a.pad_w = p;
  a.ceil_mode = ceil;
  return a;
}

TEST(GradCheck, Conv2dPaddedStridedWithBias) {
  expect_gradcheck(
      "conv2d (s2, p1, bias)",
      [](const std::vector<Variable>& v) { return conv2d(v[0], v[1], v[2], conv_args(2, 1, 1)); },
      {param({2, 3, 5, 6}, 1), param({4, 3, 3, 3}, 2), param({4}, 3)});
}

TEST(GradCheck, Conv2dGrouped) {
  expect_gradcheck("conv2d (groups 2)",
                   [](const std::vector<Variable>& v) {
                     return conv2d(v[0], v[1], Variable(), conv_args(1, 1, 2));
                   },
                   {param({2, 4, 4, 5}, 4), param({6, 2, 3, 3}, 5)});
}

TEST(GradCheck, Conv2dDepthwise) {
  expect_gradcheck("conv2d (depthwise, s2)",
                   [](const std::vector<Variable>& v) {
                     return conv2d(v[0], v[1], Variable(), conv_args(2, 1, 3));
                   },
                   {param({1, 3, 5, 5}, 6), param({3, 1, 3, 3}, 7)});
}

TEST(GradCheck, Conv2dPointwise) {
  expect_gradcheck(
      "conv2d (1x1)",
      [](const std::vector<Variable>& v) { return conv2d(v[0], v[1], v[2], conv_args(1, 0, 1)); },
      {param({3, 5, 3, 2}, 8), param({7, 5, 1, 1}, 9), param({7}, 10)});
}

TEST(GradCheck, BatchNorm2dTraining) {
  Tensor rm = zeros({3}, DType::F64), rv = ones({3}, DType::F64);
  expect_gradcheck(
      "batch_norm2d (train)",
      [&](const std::vector<Variable>& v) { return batch_norm2d(v[0], v[1], v[2], rm, rv, true); },
      {param({2, 3, 3, 4}, 11), param({3}, 12, 0.5, 1.5), param({3}, 13)});
}

TEST(GradCheck, BatchNorm2dEval) {
  Tensor rm = test::random_tensor({3}, 14),
         rv = test::random_tensor({3}, 15, DType::F64, Device::cpu(), 0.5, 2);
  expect_gradcheck(
      "batch_norm2d (eval)",
      [&](const std::vector<Variable>& v) { return batch_norm2d(v[0], v[1], v[2], rm, rv, false); },
      {param({2, 3, 2, 3}, 16), param({3}, 17), param({3}, 18)});
}

TEST(GradCheck, Relu) {
  expect_gradcheck("relu", [](const std::vector<Variable>& v) { return relu(v[0]); },
                   {param({2, 3, 4, 5}, 19, -1, 1, true)});
}

TEST(GradCheck, Add) {
  expect_gradcheck("add", [](const std::vector<Variable>& v) { return add(v[0], v[1]); },
                   {param({2, 3, 2, 2}, 20), param({2, 3, 2, 2}, 21)});
}

TEST(GradCheck, MulScalar) {
  expect_gradcheck("mul_scalar",
                   [](const std::vector<Variable>& v) { return mul_scalar(v[0], -2.5); },
                   {param({3, 4}, 22)});
}

TEST(GradCheck, AvgPool2dCeilModePadded) {
  expect_gradcheck(
      "avg_pool2d (k3 s2 p1 ceil)",
      [](const std::vector<Variable>& v) { return avg_pool2d(v[0], pool(3, 2, 1, true)); },
      {param({2, 2, 6, 7}, 23)});
}

TEST(GradCheck, AvgPool2dCeilModeEdgeWindow) {
  // MobileNetV2's AvgPool2d(2, ceil_mode) on odd input: the last window hangs over the edge.
  expect_gradcheck(
      "avg_pool2d (k2 ceil)",
      [](const std::vector<Variable>& v) { return avg_pool2d(v[0], pool(2, 2, 0, true)); },
      {param({1, 3, 5, 3}, 24)});
}

TEST(GradCheck, MaxPool2d) {
  expect_gradcheck(
      "max_pool2d (k3 s2 p1)",
      [](const std::vector<Variable>& v) { return max_pool2d(v[0], pool(3, 2, 1, false)); },
      {param({2, 2, 7, 6}, 25)});
}

TEST(GradCheck, GlobalAvgPool) {
  expect_gradcheck("global_avg_pool",
                   [](const std::vector<Variable>& v) { return global_avg_pool(v[0]); },
                   {param({2, 5, 3, 4}, 26)});
}

TEST(GradCheck, LinearWithBias) {
  expect_gradcheck("linear",
                   [](const std::vector<Variable>& v) { return linear(v[0], v[1], v[2]); },
                   {param({3, 7}, 27), param({5, 7}, 28), param({5}, 29)});
}

TEST(GradCheck, ReshapeAndFlatten) {
  expect_gradcheck("reshape/flatten",
                   [](const std::vector<Variable>& v) {
                     return flatten(reshape(mul_scalar(v[0], 1.5), {2, 3, 4, 1}));
                   },
                   {param({2, 12}, 30)});
}

TEST(GradCheck, ConcatChannels) {
  expect_gradcheck("concat_channels",
                   [](const std::vector<Variable>& v) {
                     return concat_channels({v[0], v[1], v[2]});
                   },
                   {param({2, 1, 3, 2}, 31), param({2, 3, 3, 2}, 32), param({2, 2, 3, 2}, 33)});
}

TEST(GradCheck, SplitChannels) {
  // Both outputs used with different weights, plus one output unused (its gradient is zero).
  expect_gradcheck("split_channels",
                   [](const std::vector<Variable>& v) {
                     std::vector<Variable> p = split_channels(v[0], {2, 3, 1});
                     return concat_channels({mul_scalar(p[0], 3.0), p[2]});
                   },
                   {param({2, 6, 2, 3}, 34)});
}

TEST(GradCheck, ChannelShuffle) {
  expect_gradcheck("channel_shuffle",
                   [](const std::vector<Variable>& v) { return channel_shuffle(v[0], 3); },
                   {param({2, 6, 2, 2}, 35)});
}

TEST(GradCheck, Softmax) {
  expect_gradcheck("softmax", [](const std::vector<Variable>& v) { return softmax(v[0]); },
                   {param({3, 7}, 36, -3, 3)});
}

TEST(GradCheck, LogSoftmax) {
  expect_gradcheck("log_softmax", [](const std::vector<Variable>& v) { return log_softmax(v[0]); },
                   {param({3, 7}, 37, -3, 3)});
}

TEST(GradCheck, CrossEntropy) {
  Tensor labels = from_vector<int64_t>({2, 0, 6, 3}, {4});
  expect_gradcheck("cross_entropy",
                   [&](const std::vector<Variable>& v) { return cross_entropy(v[0], labels); },
                   {param({4, 7}, 38, -3, 3)});
}

TEST(GradCheck, Sum) {
  expect_gradcheck("sum", [](const std::vector<Variable>& v) { return sum(v[0]); },
                   {param({2, 3, 4}, 39)});
}

TEST(GradCheck, Mean) {
  expect_gradcheck("mean", [](const std::vector<Variable>& v) { return mean(v[0]); },
                   {param({2, 3, 4}, 40)});
}

TEST(GradCheck, SmallResidualNetwork) {
  // conv -> BN -> relu, a residual add, pooling, linear, cross-entropy: the ops composed.
  Tensor rm = zeros({4}, DType::F64), rv = ones({4}, DType::F64);
  Tensor labels = from_vector<int64_t>({1, 2}, {2});
  expect_gradcheck("small residual net",
                   [&](const std::vector<Variable>& v) {
                     Variable h = conv2d(v[0], v[1], Variable(), conv_args(1, 1, 1));
                     h = relu(batch_norm2d(h, v[2], v[3], rm, rv, true));
                     h = add(h, conv2d(h, v[4], Variable(), conv_args(1, 0, 1)));
                     h = global_avg_pool(h);
                     return cross_entropy(linear(h, v[5], v[6]), labels);
                   },
                   {param({2, 3, 4, 4}, 41), param({4, 3, 3, 3}, 42), param({4}, 43, 0.5, 1.5),
                    param({4}, 44), param({4, 4, 1, 1}, 45), param({3, 4}, 46), param({3}, 47)});
}

}  // namespace
}  // namespace zkd
