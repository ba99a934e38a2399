// Bias add and bias gradient for conv2d (HW = H * W) and linear (HW = 1), float32:
// y [N, K, HW] += bias [K], and db [K] = sum over n and i of dy [N, K, HW].
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zkd {

// y [N, K, HW] += bias [K]
void bias_add_fwd(float* y, const float* bias, int64_t N, int64_t K, int64_t HW,
                  cudaStream_t stream);
// db [K] = sum of dy [N, K, HW] over N and HW: one block per channel, summed in double in a fixed
// order (deterministic, error ~1e-7 relative to the sum of magnitudes).
void bias_add_bwd(const float* dy, float* db, int64_t N, int64_t K, int64_t HW,
                  cudaStream_t stream);

}  // namespace zkd
