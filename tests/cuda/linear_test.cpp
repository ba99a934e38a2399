// cuBLAS linear vs the CPU backend in float64 on the same float32-rounded inputs: forward with and
// without bias, backward input, backward weight, and the bias gradient (sum over rows), for odd
// sizes (N = 1, N = 33, I = 7, O = 3, O = 17, a 1000-term inner product); the Fast (TF32) mode.
//
// Tolerances (|got - want| <= tol * (|want| + rms(want))): Strict 1e-4 (the CPU float32 OpenBLAS
// error on these shapes measured at most 9.6e-7; TF32 would exceed 1e-4); Fast 5e-3 (TF32,
// PROVISIONAL until measured on the GPU); sum_rows 1e-6 (our kernel sums in double).
#include <gtest/gtest.h>

#include "tests/cuda/gpu_compare.h"

namespace zkd {
namespace {

using test::close_to_ref;
using test::gpu_input;

struct LinearCase {
  int64_t N, I, O;
  bool bias;
};

const LinearCase kCases[] = {
    {4, 64, 100, true},    // a CIFAR-100 classifier head at batch 4
    {1, 7, 3, true},       // N = 1, tiny and odd
    {33, 130, 17, false},  // odd everything, no bias
    {64, 512, 100, true},  // resnet32x4's head at the paper's batch
    {5, 1000, 9, true},    // long inner products
};

void check_case(const LinearCase& c, uint64_t seed, double tol, const std::string& tag) {
  SCOPED_TRACE("N " + std::to_string(c.N) + " I " + std::to_string(c.I) + " O " +
               std::to_string(c.O) + tag);
  auto x = gpu_input({c.N, c.I}, seed);
  auto w = gpu_input({c.O, c.I}, seed + 1);
  auto b = gpu_input({c.O}, seed + 2);
  auto dy = gpu_input({c.N, c.O}, seed + 3);
  EXPECT_TRUE(close_to_ref("linear_fwd" + tag,
                           cuda::linear_fwd(x.gpu, w.gpu, c.bias ? b.gpu : Tensor()),
                           cpu::linear_fwd(x.ref, w.ref, c.bias ? b.ref : Tensor()), tol));
  EXPECT_TRUE(close_to_ref("linear_bwd_input" + tag, cuda::linear_bwd_input(dy.gpu, w.gpu),
                           cpu::linear_bwd_input(dy.ref, w.ref), tol));
  EXPECT_TRUE(close_to_ref("linear_bwd_weight" + tag, cuda::linear_bwd_weight(dy.gpu, x.gpu),
                           cpu::linear_bwd_weight(dy.ref, x.ref), tol));
  EXPECT_TRUE(close_to_ref("linear_sum_rows", cuda::sum_rows(dy.gpu), cpu::sum_rows(dy.ref), 1e-6));
}

TEST(LinearCuda, StrictMatchesCpuFloat64) {
  ZKD_REQUIRE_GPU();
  test::MathModeGuard strict(cuda::MathMode::Strict);
  uint64_t seed = 10;
  for (const LinearCase& c : kCases) check_case(c, seed += 10, 1e-4, "");
}

TEST(LinearCuda, FastModeWithinTf32Error) {
  ZKD_REQUIRE_GPU();
  test::MathModeGuard fast(cuda::MathMode::Fast);
  uint64_t seed = 300;
  for (const LinearCase& c : kCases) check_case(c, seed += 10, 5e-3, "(fast)");
}

TEST(LinearCuda, RejectsBadArguments) {
  ZKD_REQUIRE_GPU();
  auto x = gpu_input({3, 5}, 1), w = gpu_input({4, 6}, 2), b = gpu_input({4}, 3);
  try {
    cuda::linear_fwd(x.gpu, w.gpu, b.gpu);
    FAIL() << "expected an error for mismatched inner sizes";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("linear: expected a weight [4, 5]"), std::string::npos)
        << e.what();
  }
  auto w5 = gpu_input({4, 5}, 4);
  EXPECT_THROW(cuda::linear_fwd(x.gpu, w5.gpu, x.gpu), Error);                      // bias [3, 5]
  EXPECT_THROW(cuda::linear_fwd(x.ref.to(Device::cuda(0)), w5.gpu, b.gpu), Error);  // float64
}

}  // namespace
}  // namespace zkd
