// The small helpers of the distillation losses (see loss_helpers.h).
#include <cmath>

#include "kernels/loss_helpers.h"

namespace zkd::kernels {

namespace {
constexpr int kThreads = 256;

int blocks_for(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<int>(b < 4096 ? (b > 0 ? b : 1) : 4096);
}

__global__ void sigmoid_fwd_kernel(const float* __restrict__ x, float* __restrict__ y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    y[i] = 1.0f / (1.0f + expf(-x[i]));
}

__global__ void sigmoid_bwd_kernel(const float* __restrict__ dy, const float* __restrict__ y,
                                   float* __restrict__ dx, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

__global__ void max_rows_kernel(const float* __restrict__ x, int64_t B, int64_t K,
                                float* __restrict__ y) {
  for (int64_t r = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; r < B;
       r += int64_t(gridDim.x) * blockDim.x) {
    float m = -INFINITY;
    for (int64_t k = 0; k < K; ++k) m = fmaxf(m, x[r * K + k]);
    y[r] = m;
  }
}

// One block. The element with c_less smaller and c_eq equal entries fills sorted positions
// [c_less, c_less + c_eq); the two middle positions (n - 1) / 2 and n / 2 are found that way.
__global__ void __launch_bounds__(kThreads)
    fraction_le_median_kernel(const float* __restrict__ x, int64_t n, float* __restrict__ y) {
  __shared__ float mid[2];
  __shared__ unsigned long long count;
  const int64_t lo = (n - 1) / 2, hi = n / 2;
  if (threadIdx.x == 0) {
    mid[0] = mid[1] = NAN;
    count = 0;
  }
  __syncthreads();
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    const float xi = x[i];
    int64_t less = 0, eq = 0;
    for (int64_t j = 0; j < n; ++j) {
      less += x[j] < xi ? 1 : 0;
      eq += x[j] == xi ? 1 : 0;
    }
    if (lo >= less && lo < less + eq) mid[0] = xi;  // equal values: a benign race
    if (hi >= less && hi < less + eq) mid[1] = xi;
  }
  __syncthreads();
  // numpy's _lerp for a weight of 0.5: hi - (hi - lo) * 0.5.
  const float med = lo == hi ? mid[0] : mid[1] - (mid[1] - mid[0]) * 0.5f;
  unsigned long long c = 0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) c += x[i] <= med ? 1 : 0;
  atomicAdd(&count, c);  // integer: order-independent
  __syncthreads();
  if (threadIdx.x == 0)
    y[0] = static_cast<float>(static_cast<double>(count) / static_cast<double>(n));
}
}  // namespace

void sigmoid_fwd(const float* x, float* y, int64_t n, cudaStream_t stream) {
  sigmoid_fwd_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, y, n);
}
void sigmoid_bwd(const float* dy, const float* y, float* dx, int64_t n, cudaStream_t stream) {
  sigmoid_bwd_kernel<<<blocks_for(n), kThreads, 0, stream>>>(dy, y, dx, n);
}
void max_rows(const float* x, int64_t B, int64_t K, float* y, cudaStream_t stream) {
  max_rows_kernel<<<blocks_for(B), kThreads, 0, stream>>>(x, B, K, y);
}
void fraction_le_median(const float* x, int64_t n, float* y, cudaStream_t stream) {
  fraction_le_median_kernel<<<1, kThreads, 0, stream>>>(x, n, y);
}

}  // namespace zkd::kernels
