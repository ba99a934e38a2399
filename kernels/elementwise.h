// Launchers of the element-wise and memory kernels (elementwise.cu): fills, seeded random fills,
// strided copy, dtype conversion, add, scale, relu. Plain CUDA: raw device pointers, element
// counts and the stream; every launcher only enqueues work (no host synchronization), and the
// caller checks the launch. float32 arithmetic rounds exactly like the CPU backend (no FMA
// contraction where the CPU does two roundings), so these ops match the CPU bit for bit.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zkd::kernels {

// dst[n] = value. T: float, double, uint8_t, int32_t, int64_t.
template <typename T>
void fill(T* dst, int64_t n, T value, cudaStream_t stream);
// dst[n]: element i = rng_uniform_at / rng_normal_at(seed, first, i, ...) of engine/core/rng.h.
void fill_uniform(float* dst, int64_t n, uint64_t seed, uint64_t first, float lo, float hi,
                  cudaStream_t stream);
void fill_normal(float* dst, int64_t n, uint64_t seed, uint64_t first, float mean, float stddev,
                 cudaStream_t stream);

// The layout of a strided source: element (i_0, ..., i_{ndim-1}) is at sum_k i_k * strides[k]
// elements from the source pointer.
constexpr int kMaxCopyDims = 8;
struct StridedLayout {
  int ndim = 0;
  int64_t shape[kMaxCopyDims] = {};
  int64_t strides[kMaxCopyDims] = {};
};
// dst[n] (contiguous, row-major over layout.shape) = src viewed through layout. elem_size 1, 2,
// 4 or 8 bytes (the bytes are moved, whatever the dtype).
void copy_strided(void* dst, const void* src, int64_t n, int elem_size, const StridedLayout& layout,
                  cudaStream_t stream);

// dst[n] = static_cast<D>(src[n]). S, D: float, double, uint8_t, int32_t, int64_t.
template <typename S, typename D>
void convert(const S* src, D* dst, int64_t n, cudaStream_t stream);

void add_inplace(float* dst, const float* src, int64_t n, float alpha,
                 cudaStream_t stream);  // dst[n] += alpha * src[n]
void add(const float* a, const float* b, float* y, int64_t n,
         cudaStream_t stream);  // y[n] = a[n] + b[n]
void scale(const float* x, float* y, int64_t n, float alpha,
           cudaStream_t stream);  // y[n] = alpha * x[n]
// y[n] = s[0] * x[n]; s is one float on the device, read by the kernel.
void scale_by(const float* x, const float* s, float* y, int64_t n, cudaStream_t stream);
void relu_fwd(const float* x, float* y, int64_t n, cudaStream_t stream);  // y = max(x, 0)
// dx[n] = y[n] > 0 ? dy[n] : 0
void relu_bwd(const float* dy, const float* y, float* dx, int64_t n, cudaStream_t stream);

}  // namespace zkd::kernels
