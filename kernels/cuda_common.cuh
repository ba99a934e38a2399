// Device helpers shared by the kernels in kernels/*.cu: launch sizes for grid-stride loops and
// warp / block reductions in a fixed order (so every reduction is deterministic).
#pragma once
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

namespace zkd::kernels {

constexpr int kBlock = 256;         // threads per block of the element-wise and pooling kernels
constexpr int64_t kMaxGrid = 4096;  // grid-stride loops cover the rest (device-independent)

// Blocks for n work items of `per_thread` items each, at least 1, at most kMaxGrid.
inline unsigned grid_for(int64_t n, int64_t per_thread = 1) {
  int64_t per_block = kBlock * per_thread;
  int64_t g = (n + per_block - 1) / per_block;
  if (g < 1) g = 1;
  if (g > kMaxGrid) g = kMaxGrid;
  return static_cast<unsigned>(g);
}

__device__ __forceinline__ int64_t global_thread() {
  return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ int64_t grid_threads() {
  return static_cast<int64_t>(gridDim.x) * blockDim.x;
}

__device__ __forceinline__ bool aligned16(const void* p) {
  return (reinterpret_cast<uintptr_t>(p) & 15) == 0;
}

// Butterfly reductions: every lane ends with the result of all 32 lanes.
template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
// A NaN in the row makes the later exp-sum NaN, so fmaxf dropping NaN here changes nothing.
__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Sum / max over a block of blockDim.x threads (a multiple of 32, at most 1024), fixed tree order.
// Every thread gets the result. `scratch` holds 32 values in shared memory.
template <typename T>
__device__ T block_sum(T v, T* scratch) {
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  v = warp_sum(v);
  __syncthreads();  // scratch may still be read by a previous call
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < warps ? scratch[lane] : T(0);
  return warp_sum(v);
}
__device__ __forceinline__ float block_max(float v, float* scratch) {
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  v = warp_max(v);
  __syncthreads();
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < warps ? scratch[lane] : -INFINITY;
  return warp_max(v);
}

}  // namespace zkd::kernels
