// Launchers of the small helpers of the distillation losses (loss_helpers.cu, docs/distillers.md):
// sigmoid and its backward, the maximum of each row, and the fraction of entries at most the
// median (np.percentile(x, 50) semantics). Only enqueue work; the caller checks launches.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zkd::kernels {

void sigmoid_fwd(const float* x, float* y, int64_t n, cudaStream_t stream);
void sigmoid_bwd(const float* dy, const float* y, float* dx, int64_t n, cudaStream_t stream);
// x [B, K] -> y [B].
void max_rows(const float* x, int64_t B, int64_t K, float* y, cudaStream_t stream);
// x [n] -> y [1]: one block; O(n^2) rank counting (n is a batch or a class count), exact and
// deterministic (integer counts), no host synchronization.
void fraction_le_median(const float* x, int64_t n, float* y, cudaStream_t stream);

}  // namespace zkd::kernels
