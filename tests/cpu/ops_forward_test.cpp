// Forward checks of the CPU ops on small hand-computed cases: conv with groups and padding, BN
// running statistics after two steps, avg_pool with ceil_mode, max_pool, channel_shuffle,
// concat/split, softmax, cross-entropy, top-k counting.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/backend/backend.h"
#include "engine/ops/ops.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

std::vector<double> values(const Variable& v) {
  return v.data().to_vector<double>();
}

Variable var(const std::vector<double>& v, const Shape& s) {
  return Variable(from_vector(v, s));
}

TEST(OpsForward, Conv2dGroupsAndPadding) {
  // x: 1 image, 2 channels of 2x2; groups = 2, each group one 2x2 filter, padding 1 -> 3x3 out.
  Variable x = var({1, 2, 3, 4, /*c1*/ 10, 20, 30, 40}, {1, 2, 2, 2});
  Variable w = var({1, 0, 0, 1, /*g2*/ 0, 1, 1, 0}, {2, 1, 2, 2});
  Variable b = var({0.5, -1}, {2});
  Conv2dArgs a;
  a.pad_h = a.pad_w = 1;
  a.groups = 2;
  std::vector<double> y = values(conv2d(x, w, b, a));
  // Channel 0: filter [[1,0],[0,1]] over padded [[0,0,0,0],[0,1,2,0],[0,3,4,0],[0,0,0,0]].
  std::vector<double> c0 = {1, 2, 0, 3, 1 + 4, 2, 0, 3, 4};
  // Channel 1: filter [[0,1],[1,0]] over padded x1 = [[10,20],[30,40]].
  std::vector<double> c1 = {0, 10, 20, 10, 20 + 30, 40, 30, 40, 0};
  for (int i = 0; i < 9; ++i) {
    EXPECT_DOUBLE_EQ(y[i], c0[i] + 0.5) << i;
    EXPECT_DOUBLE_EQ(y[9 + i], c1[i] - 1) << i;
  }
}

TEST(OpsForward, BatchNormRunningStatsAfterTwoSteps) {
  Tensor rm = zeros({1}, DType::F64), rv = ones({1}, DType::F64);
  Variable g = var({2}, {1}), b = var({1}, {1});
  // Step 1: values 1, 2, 3, 6: mean 3, biased var 3.5, unbiased 14/3.
  Variable y = batch_norm2d(var({1, 2, 3, 6}, {1, 1, 2, 2}), g, b, rm, rv, true);
  EXPECT_NEAR(rm.data<double>()[0], 0.1 * 3, 1e-15);
  EXPECT_NEAR(rv.data<double>()[0], 0.9 + 0.1 * 14.0 / 3.0, 1e-15);
  EXPECT_NEAR(values(y)[0], (1 - 3) / std::sqrt(3.5 + 1e-5) * 2 + 1, 1e-12);
  // Step 2: values 0, 4 (N = 2, 1x1): mean 2, unbiased var 8.
  batch_norm2d(var({0, 4}, {2, 1, 1, 1}), g, b, rm, rv, true);
  EXPECT_NEAR(rm.data<double>()[0], 0.9 * 0.3 + 0.1 * 2, 1e-15);
  EXPECT_NEAR(rv.data<double>()[0], 0.9 * (0.9 + 0.1 * 14.0 / 3.0) + 0.1 * 8, 1e-15);
  // Eval uses the running statistics.
  std::vector<double> e = values(batch_norm2d(var({5}, {1, 1, 1, 1}), g, b, rm, rv, false));
  EXPECT_NEAR(e[0], (5 - rm.data<double>()[0]) / std::sqrt(rv.data<double>()[0] + 1e-5) * 2 + 1,
              1e-12);
}

TEST(OpsForward, AvgPoolCeilModeAndPadding) {
  Pool2dArgs a;  // k2 s2, ceil_mode on a 3x3 input -> 2x2 output, last windows clipped
  a.ceil_mode = true;
  Variable x = var({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  std::vector<double> y = values(avg_pool2d(x, a));
  // Windows past the input (not padding) count only the elements inside, as in PyTorch.
  EXPECT_EQ(y, (std::vector<double>{(1 + 2 + 4 + 5) / 4.0, (3 + 6) / 2.0, (7 + 8) / 2.0, 9}));
  Pool2dArgs p;  // k3 s2 p1, count_include_pad: divisor 9 for windows inside the padding
  p.kernel_h = p.kernel_w = 3;
  p.pad_h = p.pad_w = 1;
  std::vector<double> q = values(avg_pool2d(x, p));
  EXPECT_EQ(q.size(), 4u);
  EXPECT_DOUBLE_EQ(q[0], (1 + 2 + 4 + 5) / 9.0);
  EXPECT_DOUBLE_EQ(q[3], (5 + 6 + 8 + 9) / 9.0);
  EXPECT_EQ(pool_out_size(32, 3, 2, 1, false), 16);  // ShuffleV1's shortcut pooling
  EXPECT_EQ(pool_out_size(32, 3, 2, 1, true), 17);   // PyTorch: the ceil window starts in the pad
  EXPECT_EQ(pool_out_size(2, 2, 2, 0, true), 1);     // MobileNetV2's final pooling
  EXPECT_EQ(pool_out_size(5, 2, 2, 0, true), 3);
  EXPECT_EQ(pool_out_size(5, 2, 2, 0, false), 2);
}

TEST(OpsForward, MaxPoolPicksTheMaximum) {
  Pool2dArgs a;
  Variable x = var({1, 9, 2, 3, /**/ 4, 5, 8, 6, /**/ 0, 1, 2, 3, /**/ 7, 1, 2, 0}, {1, 1, 4, 4});
  EXPECT_EQ(values(max_pool2d(x, a)), (std::vector<double>{9, 8, 7, 3}));
}

TEST(OpsForward, ChannelShuffle) {
  // 6 channels, 2 groups: [0 1 2 | 3 4 5] -> [0 3 1 4 2 5]; 3 groups -> [0 2 4 1 3 5].
  Variable x = var({0, 1, 2, 3, 4, 5}, {1, 6, 1, 1});
  EXPECT_EQ(values(channel_shuffle(x, 2)), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(values(channel_shuffle(x, 3)), (std::vector<double>{0, 2, 4, 1, 3, 5}));
  EXPECT_EQ(values(channel_shuffle(channel_shuffle(x, 2), 3)), values(x));  // inverse
}

TEST(OpsForward, ConcatAndSplitChannels) {
  Variable a = var({1, 2, 3, 4}, {2, 1, 1, 2});                 // N=2, C=1
  Variable b = var({5, 6, 7, 8, 9, 10, 11, 12}, {2, 2, 1, 2});  // N=2, C=2
  Variable c = concat_channels({a, b});
  EXPECT_EQ(c.shape(), (Shape{2, 3, 1, 2}));
  EXPECT_EQ(values(c), (std::vector<double>{1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12}));
  std::vector<Variable> parts = split_channels(c, {1, 2});
  EXPECT_EQ(values(parts[0]), values(a));
  EXPECT_EQ(values(parts[1]), values(b));
}

TEST(OpsForward, SoftmaxAndCrossEntropy) {
  Variable x = var({1, 2, 3, /**/ 1000, 1000, 1000}, {2, 3});
  std::vector<double> p = values(softmax(x));
  double z = std::exp(1) + std::exp(2) + std::exp(3);
  EXPECT_NEAR(p[0], std::exp(1) / z, 1e-15);
  EXPECT_NEAR(p[2], std::exp(3) / z, 1e-15);
  // No overflow on large logits; x - logsumexp at 1000 loses ~1000 ulp (measured 1.8e-14).
  EXPECT_NEAR(p[4], 1.0 / 3, 1e-13);
  Tensor labels = from_vector<int64_t>({2, 0}, {2});
  double ce = values(cross_entropy(x, labels))[0];
  EXPECT_NEAR(ce, (-(3 - std::log(z)) + std::log(3.0)) / 2, 1e-13);  // measured 2.7e-14
}

TEST(OpsForward, TopKCounts) {
  Tensor logits = from_vector<float>({0.1f, 0.9f, 0.5f, 0.3f, 0.2f, 0.0f,   // label 1: top-1
                                      0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f,   // label 4: top-5
                                      0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f},  // label 5: rank 6
                                     {3, 6});
  Tensor labels = from_vector<int64_t>({1, 4, 5}, {3});
  Tensor counts = zeros({2});
  cpu::accumulate_topk(logits, labels, counts);
  EXPECT_EQ(counts.to_vector<float>(), (std::vector<float>{1, 2}));
}

// Issue #16: ties and NaN counted as correct let a constant or NaN model score 100%.
TEST(OpsForward, TopKConstantOrNaNOutputsScoreZero) {
  const int64_t B = 4, K = 10;
  Tensor labels = from_vector<int64_t>({0, 3, 7, 9}, {B});
  for (float v : {0.0f, 1.5f, -INFINITY, INFINITY, NAN}) {
    Tensor logits = full({B, K}, v);
    Tensor counts = zeros({2});
    cpu::accumulate_topk(logits, labels, counts);
    EXPECT_EQ(counts.to_vector<float>(), (std::vector<float>{0, 0})) << "all logits " << v;
  }
  // One NaN elsewhere in the row ranks above the label; a tie with the label goes against it.
  Tensor logits = from_vector<float>({5, 1, 2, 3, 4, 0,  //
                                      5, 5, 1, 1, 1, 1,  //
                                      5, NAN, 1, 1, 1, 1},
                                     {3, 6});
  Tensor counts = zeros({2});
  cpu::accumulate_topk(logits, from_vector<int64_t>({0, 0, 0}, {3}), counts);
  EXPECT_EQ(counts.to_vector<float>(), (std::vector<float>{1, 3}));
}

}  // namespace
}  // namespace zkd
