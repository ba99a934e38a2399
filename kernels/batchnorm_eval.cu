// Eval-mode batch-norm backward: one block per channel writes dx for its channel and sums
// dgamma and dbeta; see batchnorm_eval.h.
#include "kernels/batchnorm_eval.h"
#include "kernels/cuda_common.cuh"

namespace zkd {

namespace {
using kernels::kBlock;

__global__ void batchnorm_eval_bwd_kernel(const float* dy, const float* x, const float* gamma,
                                          const float* mean, const float* var, double eps,
                                          int64_t N, int64_t C, int64_t HW, float* dx,
                                          float* dgamma, float* dbeta) {
  const int64_t c = blockIdx.x;
  const double invstd = 1.0 / sqrt(static_cast<double>(var[c]) + eps);
  const double mu = mean[c];
  const float scale = static_cast<float>(gamma[c] * invstd);
  double sum_dy = 0, sum_dy_xhat = 0;
  for (int64_t j = threadIdx.x; j < N * HW; j += blockDim.x) {
    int64_t n = j / HW, i = j - n * HW;
    int64_t at = (n * C + c) * HW + i;
    float g = dy[at];
    dx[at] = g * scale;
    sum_dy += g;
    sum_dy_xhat += g * ((x[at] - mu) * invstd);
  }
  __shared__ double scratch[32];
  sum_dy = kernels::block_sum(sum_dy, scratch);
  sum_dy_xhat = kernels::block_sum(sum_dy_xhat, scratch);
  if (threadIdx.x == 0) {
    dgamma[c] = static_cast<float>(sum_dy_xhat);
    dbeta[c] = static_cast<float>(sum_dy);
  }
}
}  // namespace

void batchnorm_eval_bwd(const float* dy, const float* x, const float* gamma, const float* mean,
                        const float* var, double eps, int64_t N, int64_t C, int64_t HW, float* dx,
                        float* dgamma, float* dbeta, cudaStream_t stream) {
  if (C == 0) return;
  batchnorm_eval_bwd_kernel<<<static_cast<unsigned>(C), kBlock, 0, stream>>>(
      dy, x, gamma, mean, var, eps, N, C, HW, dx, dgamma, dbeta);
}

}  // namespace zkd
