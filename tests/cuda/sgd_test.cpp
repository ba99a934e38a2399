// CUDA vs CPU for the fused SGD update (kernels/sgd.cu) over flat buffers: momentum, weight
// decay, Nesterov, several steps with fresh gradients, sizes from 1 to one that wraps the capped
// grid, and unaligned views (the scalar path). Every multiply and add rounds separately on both
// backends (no FMA), so parameters and momentum must match the CPU exactly (measured 0 on an
// NVIDIA H200, driver 580.159.04, CUDA 13.0).
#include "tests/cuda/kernel_compare.h"

namespace zkd {
namespace {

using test::gpu;
using test::random_tensor;

SgdArgs sgd_args(float lr, float momentum, float wd, bool nesterov) {
  SgdArgs a;
  a.lr = lr;
  a.momentum = momentum;
  a.weight_decay = wd;
  a.nesterov = nesterov;
  return a;
}

// Three steps on buffers of n elements starting `offset` elements into their storage.
void check_steps(int64_t n, int64_t offset, const SgdArgs& a, uint64_t seed) {
  Shape s{n};
  Tensor p = random_tensor({n + offset}, seed, DType::F32).view_at(offset, s);
  Tensor m = random_tensor({n + offset}, seed + 1, DType::F32, Device::cpu(), -0.1, 0.1)
                 .view_at(offset, s);
  Tensor gp = gpu(random_tensor({n + offset}, seed, DType::F32)).view_at(offset, s);
  Tensor gm = gpu(random_tensor({n + offset}, seed + 1, DType::F32, Device::cpu(), -0.1, 0.1))
                  .view_at(offset, s);
  for (int step = 0; step < 3; ++step) {
    Tensor g = random_tensor({n + offset}, seed + 10 + step, DType::F32).view_at(offset, s);
    Tensor gg = gpu(random_tensor({n + offset}, seed + 10 + step, DType::F32)).view_at(offset, s);
    cpu::sgd_update(p, g, m, a);
    cuda::sgd_update(gp, gg, gm, a);
  }
  ZKD_EXPECT_CLOSE("sgd_update/param", gp, p, 0, 0);
  ZKD_EXPECT_CLOSE("sgd_update/momentum", gm, m, 0, 0);
}

TEST(SgdCuda, FusedUpdateMatchesTheCpuExactly) {
  ZKD_REQUIRE_GPU();
  uint64_t seed = 1;
  for (const SgdArgs& a : {sgd_args(0.05f, 0.9f, 5e-4f, false), sgd_args(0.1f, 0.9f, 5e-4f, true),
                           sgd_args(0.01f, 0.0f, 0.0f, false)})
    for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{1000003}, int64_t{4100} * 1024 + 1})
      for (int64_t offset : {int64_t{0}, int64_t{1}}) {
        SCOPED_TRACE("sgd n=" + std::to_string(n) + " offset=" + std::to_string(offset) +
                     (a.nesterov ? " nesterov" : "") + " momentum=" + std::to_string(a.momentum));
        check_steps(n, offset, a, seed);
        seed += 20;
      }
}

TEST(SgdCuda, RejectsMismatchedBuffers) {
  ZKD_REQUIRE_GPU();
  Tensor p = random_tensor({10}, 1, DType::F32, test::gpu_device());
  Tensor g = random_tensor({9}, 2, DType::F32, test::gpu_device());
  Tensor m = random_tensor({10}, 3, DType::F32, test::gpu_device());
  EXPECT_THROW(cuda::sgd_update(p, g, m, SgdArgs{}), Error);
}

}  // namespace
}  // namespace zkd
