// Bias add (element-wise, grid-stride) and bias gradient (one block per channel) for conv2d and
// linear; see bias_add.h.
#include "kernels/bias_add.h"
#include "kernels/cuda_common.cuh"

namespace zkd {

namespace {
using kernels::kBlock;

__global__ void bias_add_fwd_kernel(float* y, const float* bias, int64_t total, int64_t K,
                                    int64_t HW) {
  for (int64_t i = kernels::global_thread(); i < total; i += kernels::grid_threads())
    y[i] += bias[(i / HW) % K];
}

__global__ void bias_add_bwd_kernel(const float* dy, float* db, int64_t N, int64_t K, int64_t HW) {
  const int64_t k = blockIdx.x;
  double acc = 0;
  for (int64_t j = threadIdx.x; j < N * HW; j += blockDim.x) {
    int64_t n = j / HW, i = j - n * HW;
    acc += dy[(n * K + k) * HW + i];
  }
  __shared__ double scratch[32];
  acc = kernels::block_sum(acc, scratch);
  if (threadIdx.x == 0) db[k] = static_cast<float>(acc);
}
}  // namespace

void bias_add_fwd(float* y, const float* bias, int64_t N, int64_t K, int64_t HW,
                  cudaStream_t stream) {
  int64_t total = N * K * HW;
  if (total == 0) return;
  bias_add_fwd_kernel<<<kernels::grid_for(total), kBlock, 0, stream>>>(y, bias, total, K, HW);
}

void bias_add_bwd(const float* dy, float* db, int64_t N, int64_t K, int64_t HW,
                  cudaStream_t stream) {
  if (K == 0) return;
  bias_add_bwd_kernel<<<static_cast<unsigned>(K), kBlock, 0, stream>>>(dy, db, N, K, HW);
}

}  // namespace zkd
