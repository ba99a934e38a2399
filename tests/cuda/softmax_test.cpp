// CUDA vs CPU for the softmax-family kernels (kernels/softmax.cu): softmax and log_softmax
// forward and backward, cross-entropy forward (mean over the batch) and backward (dloss read on
// the device), top-1 / top-5 counting (ties go against the label, NaN is never correct); an
// out-of-range label gives a NaN loss and NaN counts instead of an out-of-bounds read. Row lengths
// K = 1, 7, 33, 100, 1500 (not multiples of 32, over 1024) and B = 1. Tolerances: the GPU reduces
// each row in float32 (warp shuffles) where the CPU uses double, so results are compared with both
// the CPU float32 and float64 outputs. Measured on an NVIDIA H200 (driver 580.159.04, CUDA 13.0),
// worst over the shapes: softmax_fwd abs 7.3e-8 / rel 1.6e-6; softmax_bwd abs 1.5e-8;
// log_softmax_fwd abs 1.9e-6 (values to -20: ulps of the log-sum-exp); log_softmax_bwd abs 3.2e-7;
// cross_entropy loss rel 1.6e-7, its gradient abs 3.0e-8 / rel 2.2e-7; accumulate_topk 0. Each
// tolerance is about 5x the measured error.
#include <cmath>
#include <limits>

#include "tests/cuda/kernel_compare.h"

namespace zkd {
namespace {

using test::gpu;
using test::random_tensor;

const std::vector<Shape> kRows = {{1, 1},    {1, 7},    {3, 7},    {2, 33},
                                  {64, 100}, {5, 1500}, {257, 100}};

// Logits spread over [-8, 8] so the softmax is far from uniform.
Tensor logits(const Shape& s, uint64_t seed) {
  return random_tensor(s, seed, DType::F32, Device::cpu(), -8, 8);
}

TEST(SoftmaxCuda, SoftmaxForwardBackward) {
  ZKD_REQUIRE_GPU();
  uint64_t seed = 1;
  for (const Shape& s : kRows) {
    SCOPED_TRACE("softmax x" + shape_str(s));
    Tensor x = logits(s, seed++);
    Tensor y = cpu::softmax_fwd(x);
    Tensor gy = cuda::softmax_fwd(gpu(x));
    ZKD_EXPECT_CLOSE("softmax_fwd", gy, y, 1e-7, 1e-5);
    ZKD_EXPECT_CLOSE("softmax_fwd/f64", gy, cpu::softmax_fwd(x.to(DType::F64)), 1e-7, 1e-5);

    Tensor dy = random_tensor(s, seed++, DType::F32);
    Tensor want = cpu::softmax_bwd(dy, y);
    Tensor got = cuda::softmax_bwd(gpu(dy), gpu(y));
    ZKD_EXPECT_CLOSE("softmax_bwd", got, want, 1e-7, 1e-5);
    ZKD_EXPECT_CLOSE("softmax_bwd/f64", got, cpu::softmax_bwd(dy.to(DType::F64), y.to(DType::F64)),
                     1e-7, 1e-5);
  }
}

TEST(SoftmaxCuda, LogSoftmaxForwardBackward) {
  ZKD_REQUIRE_GPU();
  uint64_t seed = 20;
  for (const Shape& s : kRows) {
    SCOPED_TRACE("log_softmax x" + shape_str(s));
    Tensor x = logits(s, seed++);
    Tensor y = cpu::log_softmax_fwd(x);
    Tensor gy = cuda::log_softmax_fwd(gpu(x));
    ZKD_EXPECT_CLOSE("log_softmax_fwd", gy, y, 1e-5, 1e-5);
    ZKD_EXPECT_CLOSE("log_softmax_fwd/f64", gy, cpu::log_softmax_fwd(x.to(DType::F64)), 1e-5, 1e-5);

    Tensor dy = random_tensor(s, seed++, DType::F32);
    Tensor want = cpu::log_softmax_bwd(dy, y);
    Tensor got = cuda::log_softmax_bwd(gpu(dy), gpu(y));
    ZKD_EXPECT_CLOSE("log_softmax_bwd", got, want, 2e-6, 1e-5);
    ZKD_EXPECT_CLOSE("log_softmax_bwd/f64", got,
                     cpu::log_softmax_bwd(dy.to(DType::F64), y.to(DType::F64)), 2e-6, 1e-5);
  }
}

TEST(SoftmaxCuda, CrossEntropyForwardBackward) {
  ZKD_REQUIRE_GPU();
  uint64_t seed = 40;
  for (const Shape& s : kRows) {
    SCOPED_TRACE("cross_entropy x" + shape_str(s));
    Tensor x = logits(s, seed++);
    Tensor labels = test::random_labels(s[0], s[1], seed++);
    CrossEntropyOut want = cpu::cross_entropy_fwd(x, labels);
    CrossEntropyOut got = cuda::cross_entropy_fwd(gpu(x), gpu(labels));
    EXPECT_EQ(got.loss.dim(), 0);
    ZKD_EXPECT_CLOSE("cross_entropy_fwd", got.loss, want.loss, 0, 1e-6);
    ZKD_EXPECT_CLOSE("cross_entropy_fwd/f64", got.loss,
                     cpu::cross_entropy_fwd(x.to(DType::F64), labels).loss, 0, 1e-6);
    ZKD_EXPECT_CLOSE("cross_entropy_fwd/log_probs", got.log_probs, want.log_probs, 1e-5, 1e-5);

    Tensor dloss = from_vector<float>({0.7f}, {});
    Tensor dx_want = cpu::cross_entropy_bwd(dloss, want.log_probs, labels);
    Tensor dx = cuda::cross_entropy_bwd(gpu(dloss), gpu(want.log_probs), gpu(labels));
    ZKD_EXPECT_CLOSE("cross_entropy_bwd", dx, dx_want, 1e-7, 2e-6);
    ZKD_EXPECT_CLOSE(
        "cross_entropy_bwd/f64", dx,
        cpu::cross_entropy_bwd(dloss.to(DType::F64), want.log_probs.to(DType::F64), labels), 1e-7,
        2e-6);
  }
}

TEST(SoftmaxCuda, CrossEntropyOutOfRangeLabelGivesNaN) {
  ZKD_REQUIRE_GPU();
  for (int64_t bad : {int64_t{7}, int64_t{-1}, int64_t{1} << 40}) {
    Tensor x = gpu(logits({3, 7}, 5));
    Tensor labels = gpu(from_vector<int64_t>({1, bad, 6}, {3}));
    CrossEntropyOut r = cuda::cross_entropy_fwd(x, labels);
    EXPECT_TRUE(std::isnan(r.loss.item<float>())) << "label " << bad;
    // The backward must not read out of bounds either; its other rows stay finite.
    Tensor dx = cuda::cross_entropy_bwd(gpu(from_vector<float>({1.0f}, {})), r.log_probs, labels);
    for (float v : dx.to_vector<float>()) EXPECT_TRUE(std::isfinite(v));
    Tensor counts = gpu(from_vector<float>({0, 0}, {2}));
    cuda::accumulate_topk(x, labels, counts);
    for (float v : counts.to_vector<float>()) EXPECT_TRUE(std::isnan(v)) << "label " << bad;
  }
}

TEST(SoftmaxCuda, TopkCountsMatchTheCpu) {
  ZKD_REQUIRE_GPU();
  uint64_t seed = 60;
  for (const Shape& s :
       std::vector<Shape>{{1, 7}, {3, 7}, {64, 100}, {257, 100}, {5, 1500}, {1, 5000}})
    for (bool ties : {false, true}) {
      SCOPED_TRACE("accumulate_topk x" + shape_str(s) + (ties ? " with ties" : ""));
      Tensor x = logits(s, seed++);
      if (ties) {  // few distinct values: many classes tie with the label's score
        float* p = x.data<float>();
        for (int64_t i = 0; i < x.numel(); ++i) p[i] = std::round(p[i] / 4.0f);
      }
      // Half the rows labelled with their top class, so both counts get hits.
      std::vector<int64_t> lab = test::random_labels(s[0], s[1], seed++).to_vector<int64_t>();
      const float* p = x.data<float>();
      for (int64_t b = 0; b < s[0]; b += 2) {
        int64_t best = 0;
        for (int64_t k = 1; k < s[1]; ++k)
          if (p[b * s[1] + k] > p[b * s[1] + best]) best = k;
        lab[b] = best;
      }
      Tensor labels = from_vector(lab, {s[0]});
      Tensor want = from_vector<float>({3, 5}, {2});
      cpu::accumulate_topk(x, labels, want);
      Tensor got = gpu(from_vector<float>({3, 5}, {2}));
      cuda::accumulate_topk(gpu(x), gpu(labels), got);
      ZKD_EXPECT_CLOSE("accumulate_topk", got, want, 0, 0);
    }
}

// Issue #16: constant or NaN outputs score 0 on the GPU too, and ties / NaN rows agree with the
// CPU.
TEST(SoftmaxCuda, TopkConstantOrNaNOutputsScoreZero) {
  ZKD_REQUIRE_GPU();
  for (const Shape& s : std::vector<Shape>{{3, 7}, {65, 100}, {2, 1500}})
    for (float v : {0.0f, -2.5f, INFINITY, NAN}) {
      SCOPED_TRACE("x" + shape_str(s) + " all " + std::to_string(v));
      Tensor labels = test::random_labels(s[0], s[1], 5);
      Tensor got = gpu(zeros({2}));
      cuda::accumulate_topk(gpu(full(s, v)), gpu(labels), got);
      EXPECT_EQ(got.to_vector<float>(), (std::vector<float>{0, 0}));
    }
  Tensor x = logits({33, 100}, 9);
  float* p = x.data<float>();
  for (int64_t b = 0; b < 33; b += 3) p[b * 100 + (b % 100)] = NAN;  // some NaN logits
  for (int64_t b = 1; b < 33; b += 3) p[b * 100 + 1] = p[b * 100];   // some ties with label 0
  std::vector<int64_t> lab(33, 0);
  Tensor labels = from_vector(lab, {33});
  Tensor want = zeros({2});
  cpu::accumulate_topk(x, labels, want);
  Tensor got = gpu(zeros({2}));
  cuda::accumulate_topk(gpu(x), gpu(labels), got);
  ZKD_EXPECT_CLOSE("accumulate_topk with NaN and ties", got, want, 0, 0);
}

TEST(SoftmaxCuda, RejectsBadInputs) {
  ZKD_REQUIRE_GPU();
  Tensor x = gpu(logits({2, 5}, 1));
  EXPECT_THROW(cuda::softmax_fwd(gpu(logits({2, 5}, 1).to(DType::F64))), Error);
  EXPECT_THROW(cuda::cross_entropy_fwd(x, gpu(from_vector<int64_t>({1, 2, 3}, {3}))), Error);
  EXPECT_THROW(cuda::cross_entropy_fwd(x, gpu(from_vector<int32_t>({1, 2}, {2}))), Error);
  EXPECT_THROW(cuda::cross_entropy_fwd(x, from_vector<int64_t>({1, 2}, {2})), Error);
}

}  // namespace
}  // namespace zkd
