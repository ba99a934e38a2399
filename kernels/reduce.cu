// Whole-tensor reductions (see reduce.h). sum_all is two fixed-shape passes: every thread adds a
// grid-stride slice in double, each block reduces in a fixed tree to one partial, and a single
// block adds the partials the same way; the result is bit-reproducible for a given n.
#include "kernels/cuda_common.cuh"
#include "kernels/reduce.h"

namespace zkd::kernels {

namespace {

constexpr int64_t kSumPerThread = 8;  // elements per thread before a block's partial is formed

__global__ void sum_all_partial_kernel(const float* x, int64_t n, double* partials) {
  __shared__ double scratch[32];
  double acc = 0;
  for (int64_t i = global_thread(); i < n; i += grid_threads()) acc += x[i];
  acc = block_sum(acc, scratch);
  if (threadIdx.x == 0) partials[blockIdx.x] = acc;
}

__global__ void sum_all_final_kernel(const double* partials, int64_t count, float* y) {
  __shared__ double scratch[32];
  double acc = 0;
  for (int64_t i = threadIdx.x; i < count; i += blockDim.x) acc += partials[i];
  acc = block_sum(acc, scratch);
  if (threadIdx.x == 0) *y = static_cast<float>(acc);
}

__global__ void expand_scalar_kernel(const float* s, float* y, int64_t n, double alpha) {
  float v = static_cast<float>(alpha * static_cast<double>(*s));
  for (int64_t i = global_thread(); i < n; i += grid_threads()) y[i] = v;
}

}  // namespace

int64_t sum_all_partials(int64_t n) {
  return grid_for(n, kSumPerThread);
}

void sum_all(const float* x, int64_t n, double* partials, float* y, cudaStream_t stream) {
  int64_t blocks = sum_all_partials(n);
  sum_all_partial_kernel<<<static_cast<unsigned>(blocks), kBlock, 0, stream>>>(x, n, partials);
  sum_all_final_kernel<<<1, kBlock, 0, stream>>>(partials, blocks, y);
}

void expand_scalar(const float* s, float* y, int64_t n, double alpha, cudaStream_t stream) {
  if (n <= 0) return;
  expand_scalar_kernel<<<grid_for(n), kBlock, 0, stream>>>(s, y, n, alpha);
}

}  // namespace zkd::kernels
