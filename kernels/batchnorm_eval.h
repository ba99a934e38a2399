// Batch-norm backward in eval mode (running statistics, an affine map per channel), float32:
// invstd = 1 / sqrt(var + eps); dx = dy * gamma * invstd; dgamma = sum dy * (x - mean) * invstd;
// dbeta = sum dy (sums over N and HW, per channel). cuDNN has no eval-mode backward.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zkd {

// dy, x, dx [N, C, HW]; gamma, mean, var, dgamma, dbeta [C]. One block per channel; the sums run
// in double in a fixed order (deterministic).
void batchnorm_eval_bwd(const float* dy, const float* x, const float* gamma, const float* mean,
                        const float* var, double eps, int64_t N, int64_t C, int64_t HW, float* dx,
                        float* dgamma, float* dbeta, cudaStream_t stream);

}  // namespace zkd
