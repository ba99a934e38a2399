// Pooling kernels (see pool.h). One thread per output element (forward) or per input element
// (avg backward, a gather). Window sums of the forward passes accumulate in double and divide in
// double like the CPU backend, so the two agree to the last bit; the avg backward adds the same
// float terms in the same order as the CPU scatter, so it agrees exactly too.
#include <cmath>

#include "kernels/cuda_common.cuh"
#include "kernels/pool.h"

namespace zkd::kernels {

namespace {

// The geometry in 32-bit ints for the in-plane index math (the caller checks that a plane's
// H * W and Ho * Wo fit an int32, as the int32 argmax requires anyway): with 64-bit divisions
// per element the avg backward ran 1.6x slower on an H200.
struct Dims {
  int H, W, Ho, Wo, kh, kw, sh, sw, ph, pw;
  bool include_pad;
};

Dims dims(const PoolGeometry& g) {
  return {static_cast<int>(g.H),        static_cast<int>(g.W),        static_cast<int>(g.Ho),
          static_cast<int>(g.Wo),       static_cast<int>(g.kernel_h), static_cast<int>(g.kernel_w),
          static_cast<int>(g.stride_h), static_cast<int>(g.stride_w), static_cast<int>(g.pad_h),
          static_cast<int>(g.pad_w),    g.count_include_pad};
}

// One output window: bounds clamped to the input, plus PyTorch's avg divisor (the CPU backend's
// rule in engine/backend/cpu/pool.cpp).
struct Window {
  int h0, h1, w0, w1, divisor;
};

__device__ __forceinline__ Window window(int oh, int ow, const Dims& d) {
  int h0 = oh * d.sh - d.ph, w0 = ow * d.sw - d.pw;
  int h1 = min(h0 + d.kh, d.H + d.ph);
  int w1 = min(w0 + d.kw, d.W + d.pw);
  int padded = (h1 - h0) * (w1 - w0);
  h0 = max(h0, 0);
  w0 = max(w0, 0);
  h1 = min(h1, d.H);
  w1 = min(w1, d.W);
  int divisor = d.include_pad ? padded : (h1 - h0) * (w1 - w0);
  return {h0, h1, w0, w1, divisor};
}

// The outputs along one axis whose window covers input position i: [first, last).
__device__ __forceinline__ void covering(int i, int kernel, int stride, int pad, int out,
                                         int* first, int* last) {
  *first = i + pad < kernel ? 0 : (i + pad - kernel) / stride + 1;
  *last = min((i + pad) / stride + 1, out);
}

// Splits flat index i over [planes, rows, cols] into the plane and the in-plane row and column.
__device__ __forceinline__ int64_t split(int64_t i, int rows, int cols, int* r, int* c) {
  int64_t plane = static_cast<int64_t>(rows) * cols;
  int64_t p = i / plane;
  int in = static_cast<int>(i - p * plane);
  *r = in / cols;
  *c = in - *r * cols;
  return p;
}

__global__ void avg_pool2d_fwd_kernel(const float* x, float* y, int64_t n, Dims d) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    int oh, ow;
    int64_t p = split(i, d.Ho, d.Wo, &oh, &ow);
    const float* in = x + p * d.H * d.W;
    Window win = window(oh, ow, d);
    double acc = 0;
    for (int h = win.h0; h < win.h1; ++h)
      for (int w = win.w0; w < win.w1; ++w) acc += in[h * d.W + w];
    y[i] = static_cast<float>(acc / static_cast<double>(win.divisor));
  }
}

__global__ void avg_pool2d_bwd_kernel(const float* dy, float* dx, int64_t n, Dims d) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    int h, w;
    int64_t p = split(i, d.H, d.W, &h, &w);
    const float* grad = dy + p * d.Ho * d.Wo;
    int oh0, oh1, ow0, ow1;
    covering(h, d.kh, d.sh, d.ph, d.Ho, &oh0, &oh1);
    covering(w, d.kw, d.sw, d.pw, d.Wo, &ow0, &ow1);
    float acc = 0.0f;
    for (int oh = oh0; oh < oh1; ++oh)
      for (int ow = ow0; ow < ow1; ++ow)
        acc += grad[oh * d.Wo + ow] / static_cast<float>(window(oh, ow, d).divisor);
    dx[i] = acc;
  }
}

__global__ void max_pool2d_fwd_kernel(const float* x, float* y, int32_t* argmax, int64_t n,
                                      Dims d) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    int oh, ow;
    int64_t p = split(i, d.Ho, d.Wo, &oh, &ow);
    const float* in = x + p * d.H * d.W;
    Window win = window(oh, ow, d);
    float best = -INFINITY;
    int arg = win.h0 * d.W + win.w0;
    bool found_nan = false;
    for (int h = win.h0; h < win.h1 && !found_nan; ++h)
      for (int w = win.w0; w < win.w1; ++w) {
        float v = in[h * d.W + w];
        if (v > best || isnan(v)) {  // the first NaN wins and ends the scan, as in PyTorch
          best = v;
          arg = h * d.W + w;
          if (isnan(v)) {
            found_nan = true;
            break;
          }
        }
      }
    y[i] = best;
    argmax[i] = arg;
  }
}

__global__ void max_pool2d_bwd_kernel(const float* dy, const int32_t* argmax, float* dx,
                                      int64_t planes, int64_t in_plane, int64_t out_plane) {
  int64_t n = planes * out_plane;
  for (int64_t i = global_thread(); i < n; i += grid_threads())
    atomicAdd(dx + (i / out_plane) * in_plane + argmax[i], dy[i]);
}

// One warp per plane.
__global__ void global_avg_pool_fwd_kernel(const float* x, float* y, int64_t planes, int64_t hw) {
  int lane = threadIdx.x & 31;
  int64_t warps = grid_threads() / 32;
  for (int64_t p = global_thread() / 32; p < planes; p += warps) {
    const float* in = x + p * hw;
    double acc = 0;
    for (int64_t i = lane; i < hw; i += 32) acc += in[i];
    acc = warp_sum(acc);
    if (lane == 0) y[p] = static_cast<float>(acc / static_cast<double>(hw));
  }
}

__global__ void global_avg_pool_bwd_kernel(const float* dy, float* dx, int64_t planes, int64_t hw) {
  int64_t n = planes * hw;
  float div = static_cast<float>(hw);
  for (int64_t i = global_thread(); i < n; i += grid_threads()) dx[i] = dy[i / hw] / div;
}

}  // namespace

void avg_pool2d_fwd(const float* x, float* y, const PoolGeometry& g, cudaStream_t stream) {
  int64_t n = g.planes * g.Ho * g.Wo;
  if (n <= 0) return;
  avg_pool2d_fwd_kernel<<<grid_for(n), kBlock, 0, stream>>>(x, y, n, dims(g));
}

void avg_pool2d_bwd(const float* dy, float* dx, const PoolGeometry& g, cudaStream_t stream) {
  int64_t n = g.planes * g.H * g.W;
  if (n <= 0) return;
  avg_pool2d_bwd_kernel<<<grid_for(n), kBlock, 0, stream>>>(dy, dx, n, dims(g));
}

void max_pool2d_fwd(const float* x, float* y, int32_t* argmax, const PoolGeometry& g,
                    cudaStream_t stream) {
  int64_t n = g.planes * g.Ho * g.Wo;
  if (n <= 0) return;
  max_pool2d_fwd_kernel<<<grid_for(n), kBlock, 0, stream>>>(x, y, argmax, n, dims(g));
}

void max_pool2d_bwd(const float* dy, const int32_t* argmax, float* dx, int64_t planes,
                    int64_t in_plane, int64_t out_plane, cudaStream_t stream) {
  int64_t n = planes * out_plane;
  if (n <= 0) return;
  max_pool2d_bwd_kernel<<<grid_for(n), kBlock, 0, stream>>>(dy, argmax, dx, planes, in_plane,
                                                            out_plane);
}

void global_avg_pool_fwd(const float* x, float* y, int64_t planes, int64_t hw,
                         cudaStream_t stream) {
  if (planes <= 0 || hw <= 0) return;
  global_avg_pool_fwd_kernel<<<grid_for(planes * 32), kBlock, 0, stream>>>(x, y, planes, hw);
}

void global_avg_pool_bwd(const float* dy, float* dx, int64_t planes, int64_t hw,
                         cudaStream_t stream) {
  int64_t n = planes * hw;
  if (n <= 0) return;
  global_avg_pool_bwd_kernel<<<grid_for(n), kBlock, 0, stream>>>(dy, dx, planes, hw);
}

}  // namespace zkd::kernels
