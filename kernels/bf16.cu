// The bf16 casts of bf16.h: grid-stride loops, __float2bfloat16_rn (nearest even, NaN kept).
#include <cuda_bf16.h>

#include "kernels/bf16.h"
#include "kernels/cuda_common.cuh"

namespace zkd::kernels {

namespace {
__global__ void f32_to_bf16_kernel(const float* src, __nv_bfloat16* dst, int64_t n) {
  for (int64_t i = global_thread(); i < n; i += grid_threads())
    dst[i] = __float2bfloat16_rn(src[i]);
}
__global__ void bf16_to_f32_kernel(const __nv_bfloat16* src, float* dst, int64_t n) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) dst[i] = __bfloat162float(src[i]);
}
}  // namespace

void f32_to_bf16(const float* src, uint16_t* dst, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  f32_to_bf16_kernel<<<grid_for(n), kBlock, 0, stream>>>(src, reinterpret_cast<__nv_bfloat16*>(dst),
                                                         n);
}

void bf16_to_f32(const uint16_t* src, float* dst, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  bf16_to_f32_kernel<<<grid_for(n), kBlock, 0, stream>>>(
      reinterpret_cast<const __nv_bfloat16*>(src), dst, n);
}

}  // namespace zkd::kernels
