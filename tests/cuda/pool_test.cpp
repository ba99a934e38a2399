// CUDA vs CPU for the pooling kernels (kernels/pool.cu): avg_pool2d (padding, ceil_mode,
// count_include_pad) and max_pool2d (argmax, NaN propagation) forward and backward, global
// average pooling forward and backward, on odd shapes (C not a multiple of 8, N = 1, planes not a
// multiple of the block) and the nets' cases (VGG's 2x2 max pool, ShuffleNetV1's 3x3 s2 p1 avg
// pool, MobileNetV2's 2x2 ceil_mode avg pool on 2x2).
// Tolerances: the forward window sums run in double and divide in double like the CPU, and the
// avg backward adds the same float terms in the CPU's order, so CPU float32 must match exactly;
// the float64 CPU reference bounds the float32 rounding (<= 1 ulp, 1.2e-7 relative). Measured on
// an NVIDIA H200 (driver 580.159.04, CUDA 13.0): avg / global forward and backward, max forward
// and argmax 0 vs the CPU; max backward 4.8e-7 (atomics' order); vs float64: avg forward 6.0e-8
// relative, avg backward 8.9e-8 absolute, global forward 5.9e-8 relative.
#include <cmath>
#include <limits>
#include <sstream>

#include "tests/cuda/kernel_compare.h"

namespace zkd {
namespace {

using test::gpu;
using test::random_tensor;

Pool2dArgs pool(int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                bool ceil_mode, bool include_pad = true) {
  Pool2dArgs a;
  a.kernel_h = kh;
  a.kernel_w = kw;
  a.stride_h = sh;
  a.stride_w = sw;
  a.pad_h = ph;
  a.pad_w = pw;
  a.ceil_mode = ceil_mode;
  a.count_include_pad = include_pad;
  return a;
}

struct PoolCase {
  Shape x;
  Pool2dArgs a;
};

const std::vector<PoolCase> kCases = {
    {{1, 3, 7, 7}, pool(2, 2, 2, 2, 0, 0, true)},            // ceil: a last window of 1
    {{2, 13, 9, 11}, pool(3, 3, 2, 2, 1, 1, false)},         // overlapping, padded
    {{2, 13, 9, 11}, pool(3, 3, 2, 2, 1, 1, true)},          // ... with ceil_mode
    {{2, 13, 9, 11}, pool(3, 3, 2, 2, 1, 1, true, false)},   // ... without the pad in the mean
    {{4, 16, 32, 32}, pool(2, 2, 2, 2, 0, 0, false)},        // VGG max pool
    {{2, 24, 16, 16}, pool(3, 3, 2, 2, 1, 1, false)},        // ShuffleNetV1 shortcut
    {{3, 20, 2, 2}, pool(2, 2, 2, 2, 0, 0, true)},           // MobileNetV2's last pool
    {{3, 5, 33, 17}, pool(3, 3, 1, 1, 1, 1, false, false)},  // stride 1
    {{1, 7, 5, 6}, pool(3, 2, 2, 1, 1, 0, true)},            // asymmetric, ceil_mode
    {{2, 3, 10, 10}, pool(4, 4, 3, 3, 2, 2, true, false)},   // wide padding, ceil_mode
};

std::string name(const char* op, const PoolCase& c) {
  std::ostringstream os;
  os << op << " x" << shape_str(c.x) << " k" << c.a.kernel_h << "x" << c.a.kernel_w << " s"
     << c.a.stride_h << "x" << c.a.stride_w << " p" << c.a.pad_h << "x" << c.a.pad_w
     << (c.a.ceil_mode ? " ceil" : "") << (c.a.count_include_pad ? "" : " exclude_pad");
  return os.str();
}

TEST(PoolCuda, AvgPoolForwardBackward) {
  ZKD_REQUIRE_GPU();
  uint64_t seed = 1;
  for (const PoolCase& c : kCases) {
    SCOPED_TRACE(name("avg_pool2d", c));
    Tensor x = random_tensor(c.x, seed++, DType::F32);
    Tensor want = cpu::avg_pool2d_fwd(x, c.a);
    Tensor got = cuda::avg_pool2d_fwd(gpu(x), c.a);
    ZKD_EXPECT_CLOSE("avg_pool2d_fwd", got, want, 0, 0);
    ZKD_EXPECT_CLOSE("avg_pool2d_fwd/f64", got, cpu::avg_pool2d_fwd(x.to(DType::F64), c.a), 0,
                     1.2e-7);

    Tensor dy = random_tensor(want.shape(), seed++, DType::F32);
    Tensor dx_want = cpu::avg_pool2d_bwd(dy, c.x, c.a);
    Tensor dx = cuda::avg_pool2d_bwd(gpu(dy), c.x, c.a);
    ZKD_EXPECT_CLOSE("avg_pool2d_bwd", dx, dx_want, 0, 0);
    // Sums of up to 4 terms in float32: a few ulps of the largest term (measured 8.9e-8).
    ZKD_EXPECT_CLOSE("avg_pool2d_bwd/f64", dx, cpu::avg_pool2d_bwd(dy.to(DType::F64), c.x, c.a),
                     5e-7, 1e-6);
  }
}

TEST(PoolCuda, MaxPoolForwardBackward) {
  ZKD_REQUIRE_GPU();
  uint64_t seed = 50;
  for (const PoolCase& c : kCases) {
    SCOPED_TRACE(name("max_pool2d", c));
    Tensor x = random_tensor(c.x, seed++, DType::F32);
    MaxPoolOut want = cpu::max_pool2d_fwd(x, c.a);
    MaxPoolOut got = cuda::max_pool2d_fwd(gpu(x), c.a);
    ZKD_EXPECT_CLOSE("max_pool2d_fwd", got.y, want.y, 0, 0);
    ASSERT_EQ(got.argmax.dtype(), DType::I32);
    ZKD_EXPECT_CLOSE("max_pool2d_fwd/argmax", got.argmax, want.argmax, 0, 0);

    Tensor dy = random_tensor(want.y.shape(), seed++, DType::F32);
    Tensor dx_want = cpu::max_pool2d_bwd(dy, want.argmax, c.x);
    Tensor dx = cuda::max_pool2d_bwd(gpu(dy), got.argmax, c.x);
    // With overlapping windows one input can collect several gradients; atomicAdd may add them
    // in another order than the CPU: a few ulps of the largest term (measured 4.8e-7).
    ZKD_EXPECT_CLOSE("max_pool2d_bwd", dx, dx_want, 2e-6, 1e-6);
  }
}

TEST(PoolCuda, MaxPoolPropagatesNaN) {
  ZKD_REQUIRE_GPU();
  PoolCase c{{2, 3, 9, 11}, pool(3, 3, 2, 2, 1, 1, true)};
  Tensor x = random_tensor(c.x, 9, DType::F32);
  float* p = x.data<float>();
  for (int64_t i : {0, 17, 40, 41, 99, 200, 593}) p[i] = std::numeric_limits<float>::quiet_NaN();
  MaxPoolOut want = cpu::max_pool2d_fwd(x, c.a);
  MaxPoolOut got = cuda::max_pool2d_fwd(gpu(x), c.a);
  EXPECT_TRUE(test::all_close(got.argmax, want.argmax, 0, 0, "max_pool2d argmax with NaN"));
  std::vector<float> g = got.y.to_vector<float>(), w = want.y.to_vector<float>();
  int64_t nans = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (std::isnan(w[i])) {
      ++nans;
      EXPECT_TRUE(std::isnan(g[i])) << "output " << i << ": got " << g[i] << ", expected NaN";
    } else {
      EXPECT_EQ(g[i], w[i]) << "output " << i;
    }
  }
  EXPECT_GT(nans, 0);
}

TEST(PoolCuda, GlobalAvgPoolForwardBackward) {
  ZKD_REQUIRE_GPU();
  uint64_t seed = 80;
  // hw = 1; odd planes; N = 1; the nets' 8x8 and 4x4; hw = 1155 > 32 * 32 lanes' first pass.
  for (const Shape& s : std::vector<Shape>{
           {1, 1, 1, 1}, {2, 13, 9, 11}, {64, 256, 8, 8}, {1, 1024, 4, 4}, {3, 5, 33, 35}}) {
    SCOPED_TRACE("global_avg_pool x" + shape_str(s));
    Tensor x = random_tensor(s, seed++, DType::F32, Device::cpu(), -1, 2);
    Tensor want = cpu::global_avg_pool_fwd(x);
    Tensor got = cuda::global_avg_pool_fwd(gpu(x));
    // Both sum in double (in another order); the float32 results agree to the last bit.
    ZKD_EXPECT_CLOSE("global_avg_pool_fwd", got, want, 0, 0);
    ZKD_EXPECT_CLOSE("global_avg_pool_fwd/f64", got, cpu::global_avg_pool_fwd(x.to(DType::F64)), 0,
                     1.2e-7);

    Tensor dy = random_tensor(want.shape(), seed++, DType::F32);
    ZKD_EXPECT_CLOSE("global_avg_pool_bwd", cuda::global_avg_pool_bwd(gpu(dy), s),
                     cpu::global_avg_pool_bwd(dy, s), 0, 0);
  }
}

TEST(PoolCuda, RejectsOtherDtypes) {
  ZKD_REQUIRE_GPU();
  Tensor x = random_tensor({1, 2, 4, 4}, 1, DType::F64, test::gpu_device());
  EXPECT_THROW(cuda::avg_pool2d_fwd(x, pool(2, 2, 2, 2, 0, 0, false)), Error);
  EXPECT_THROW(cuda::global_avg_pool_fwd(x), Error);
}

}  // namespace
}  // namespace zkd
