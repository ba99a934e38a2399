// Element-wise and memory kernels (see elementwise.h): grid-stride loops over flat buffers, with
// float4 loads/stores when every pointer is 16-byte aligned (flat-buffer views may not be).
#include "kernels/cuda_common.cuh"
#include "kernels/elementwise.h"
#include "kernels/philox.h"

namespace zkd::kernels {

namespace {

// y[i] = op(a[i]) for i < n.
template <typename Op>
__device__ __forceinline__ void map1(const float* a, float* y, int64_t n, Op op) {
  int64_t t = global_thread(), step = grid_threads(), done = 0;
  if (aligned16(a) && aligned16(y)) {
    const float4* a4 = reinterpret_cast<const float4*>(a);
    float4* y4 = reinterpret_cast<float4*>(y);
    int64_t n4 = n / 4;
    for (int64_t i = t; i < n4; i += step) {
      float4 v = a4[i];
      y4[i] = make_float4(op(v.x), op(v.y), op(v.z), op(v.w));
    }
    done = n4 * 4;
  }
  for (int64_t i = done + t; i < n; i += step) y[i] = op(a[i]);
}

// y[i] = op(a[i], b[i]) for i < n (y may alias a).
template <typename Op>
__device__ __forceinline__ void map2(const float* a, const float* b, float* y, int64_t n, Op op) {
  int64_t t = global_thread(), step = grid_threads(), done = 0;
  if (aligned16(a) && aligned16(b) && aligned16(y)) {
    const float4* a4 = reinterpret_cast<const float4*>(a);
    const float4* b4 = reinterpret_cast<const float4*>(b);
    float4* y4 = reinterpret_cast<float4*>(y);
    int64_t n4 = n / 4;
    for (int64_t i = t; i < n4; i += step) {
      float4 u = a4[i], v = b4[i];
      y4[i] = make_float4(op(u.x, v.x), op(u.y, v.y), op(u.z, v.z), op(u.w, v.w));
    }
    done = n4 * 4;
  }
  for (int64_t i = done + t; i < n; i += step) y[i] = op(a[i], b[i]);
}

template <typename T>
__global__ void fill_kernel(T* dst, int64_t n, T value) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) dst[i] = value;
}

__global__ void fill_uniform_kernel(float* dst, int64_t n, uint64_t seed, uint64_t first, float lo,
                                    float hi) {
  for (int64_t i = global_thread(); i < n; i += grid_threads())
    dst[i] = rng_uniform_at(seed, first, static_cast<uint64_t>(i), lo, hi);
}

__global__ void fill_normal_kernel(float* dst, int64_t n, uint64_t seed, uint64_t first, float mean,
                                   float stddev) {
  for (int64_t i = global_thread(); i < n; i += grid_threads())
    dst[i] = rng_normal_at(seed, first, static_cast<uint64_t>(i), mean, stddev);
}

// W: an unsigned word of the element size; the bytes are moved unchanged.
template <typename W>
__global__ void copy_strided_kernel(W* dst, const W* src, int64_t n, StridedLayout l) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    int64_t rem = i, off = 0;
    for (int k = l.ndim - 1; k >= 0; --k) {
      int64_t q = rem / l.shape[k];
      off += (rem - q * l.shape[k]) * l.strides[k];
      rem = q;
    }
    dst[i] = src[off];
  }
}

template <typename S, typename D>
__global__ void convert_kernel(const S* src, D* dst, int64_t n) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) dst[i] = static_cast<D>(src[i]);
}

// The explicit __fmul_rn / __fadd_rn keep nvcc from fusing into an FMA: the CPU rounds twice.
__global__ void add_inplace_kernel(float* dst, const float* src, int64_t n, float alpha) {
  map2(dst, src, dst, n, [alpha](float d, float s) { return __fadd_rn(d, __fmul_rn(alpha, s)); });
}

__global__ void add_kernel(const float* a, const float* b, float* y, int64_t n) {
  map2(a, b, y, n, [](float u, float v) { return u + v; });
}

__global__ void scale_kernel(const float* x, float* y, int64_t n, float alpha) {
  map1(x, y, n, [alpha](float v) { return alpha * v; });
}

__global__ void scale_by_kernel(const float* x, const float* s, float* y, int64_t n) {
  float alpha = *s;
  map1(x, y, n, [alpha](float v) { return alpha * v; });
}

__global__ void relu_fwd_kernel(const float* x, float* y, int64_t n) {
  map1(x, y, n, [](float v) { return v > 0.0f ? v : 0.0f; });  // NaN -> 0, as on the CPU
}

__global__ void relu_bwd_kernel(const float* dy, const float* y, float* dx, int64_t n) {
  map2(dy, y, dx, n, [](float g, float v) { return v > 0.0f ? g : 0.0f; });
}

}  // namespace

template <typename T>
void fill(T* dst, int64_t n, T value, cudaStream_t stream) {
  if (n <= 0) return;
  fill_kernel<T><<<grid_for(n), kBlock, 0, stream>>>(dst, n, value);
}
template void fill<float>(float*, int64_t, float, cudaStream_t);
template void fill<double>(double*, int64_t, double, cudaStream_t);
template void fill<uint8_t>(uint8_t*, int64_t, uint8_t, cudaStream_t);
template void fill<int32_t>(int32_t*, int64_t, int32_t, cudaStream_t);
template void fill<int64_t>(int64_t*, int64_t, int64_t, cudaStream_t);

void fill_uniform(float* dst, int64_t n, uint64_t seed, uint64_t first, float lo, float hi,
                  cudaStream_t stream) {
  if (n <= 0) return;
  fill_uniform_kernel<<<grid_for(n), kBlock, 0, stream>>>(dst, n, seed, first, lo, hi);
}

void fill_normal(float* dst, int64_t n, uint64_t seed, uint64_t first, float mean, float stddev,
                 cudaStream_t stream) {
  if (n <= 0) return;
  fill_normal_kernel<<<grid_for(n), kBlock, 0, stream>>>(dst, n, seed, first, mean, stddev);
}

void copy_strided(void* dst, const void* src, int64_t n, int elem_size, const StridedLayout& layout,
                  cudaStream_t stream) {
  if (n <= 0) return;
  unsigned g = grid_for(n);
  switch (elem_size) {
    case 1:
      copy_strided_kernel<<<g, kBlock, 0, stream>>>(static_cast<uint8_t*>(dst),
                                                    static_cast<const uint8_t*>(src), n, layout);
      break;
    case 2:
      copy_strided_kernel<<<g, kBlock, 0, stream>>>(static_cast<uint16_t*>(dst),
                                                    static_cast<const uint16_t*>(src), n, layout);
      break;
    case 4:
      copy_strided_kernel<<<g, kBlock, 0, stream>>>(static_cast<uint32_t*>(dst),
                                                    static_cast<const uint32_t*>(src), n, layout);
      break;
    case 8:
      copy_strided_kernel<<<g, kBlock, 0, stream>>>(static_cast<uint64_t*>(dst),
                                                    static_cast<const uint64_t*>(src), n, layout);
      break;
    default:  // the caller checks the element size; nothing to launch for another one
      break;
  }
}

template <typename S, typename D>
void convert(const S* src, D* dst, int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  convert_kernel<S, D><<<grid_for(n), kBlock, 0, stream>>>(src, dst, n);
}
#define ZKD_CONVERT_TO(S)                                                       \
  template void convert<S, float>(const S*, float*, int64_t, cudaStream_t);     \
  template void convert<S, double>(const S*, double*, int64_t, cudaStream_t);   \
  template void convert<S, uint8_t>(const S*, uint8_t*, int64_t, cudaStream_t); \
  template void convert<S, int32_t>(const S*, int32_t*, int64_t, cudaStream_t); \
  template void convert<S, int64_t>(const S*, int64_t*, int64_t, cudaStream_t);
ZKD_CONVERT_TO(float)
ZKD_CONVERT_TO(double)
ZKD_CONVERT_TO(uint8_t)
ZKD_CONVERT_TO(int32_t)
ZKD_CONVERT_TO(int64_t)
#undef ZKD_CONVERT_TO

void add_inplace(float* dst, const float* src, int64_t n, float alpha, cudaStream_t stream) {
  if (n <= 0) return;
  add_inplace_kernel<<<grid_for(n, 4), kBlock, 0, stream>>>(dst, src, n, alpha);
}

void add(const float* a, const float* b, float* y, int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  add_kernel<<<grid_for(n, 4), kBlock, 0, stream>>>(a, b, y, n);
}

void scale(const float* x, float* y, int64_t n, float alpha, cudaStream_t stream) {
  if (n <= 0) return;
  scale_kernel<<<grid_for(n, 4), kBlock, 0, stream>>>(x, y, n, alpha);
}

void scale_by(const float* x, const float* s, float* y, int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  scale_by_kernel<<<grid_for(n, 4), kBlock, 0, stream>>>(x, s, y, n);
}

void relu_fwd(const float* x, float* y, int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  relu_fwd_kernel<<<grid_for(n, 4), kBlock, 0, stream>>>(x, y, n);
}

void relu_bwd(const float* dy, const float* y, float* dx, int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  relu_bwd_kernel<<<grid_for(n, 4), kBlock, 0, stream>>>(dy, y, dx, n);
}

}  // namespace zkd::kernels
