// The fused SGD update (see sgd.h): a grid-stride loop, float4 when the three buffers are
// 16-byte aligned. Every multiply and add is rounded separately (__fmul_rn / __fadd_rn keep nvcc
// from fusing them into FMAs) so the update equals the CPU backend's bit for bit.
#include "kernels/cuda_common.cuh"
#include "kernels/sgd.h"

namespace zkd::kernels {

namespace {

struct SgdStep {
  float lr, momentum, weight_decay;
  bool nesterov;
  // Updates one (w, buf) pair from g.
  __device__ __forceinline__ void operator()(float& w, float g, float& buf) const {
    float d = __fadd_rn(g, __fmul_rn(weight_decay, w));
    buf = __fadd_rn(__fmul_rn(momentum, buf), d);
    float step = nesterov ? __fadd_rn(d, __fmul_rn(momentum, buf)) : buf;
    w = __fsub_rn(w, __fmul_rn(lr, step));
  }
};

__global__ void sgd_update_kernel(float* p, const float* g, float* m, int64_t n, SgdStep s) {
  int64_t t = global_thread(), stride = grid_threads(), done = 0;
  if (aligned16(p) && aligned16(g) && aligned16(m)) {
    float4* p4 = reinterpret_cast<float4*>(p);
    const float4* g4 = reinterpret_cast<const float4*>(g);
    float4* m4 = reinterpret_cast<float4*>(m);
    int64_t n4 = n / 4;
    for (int64_t i = t; i < n4; i += stride) {
      float4 w = p4[i], gr = g4[i], b = m4[i];
      s(w.x, gr.x, b.x);
      s(w.y, gr.y, b.y);
      s(w.z, gr.z, b.z);
      s(w.w, gr.w, b.w);
      p4[i] = w;
      m4[i] = b;
    }
    done = n4 * 4;
  }
  for (int64_t i = done + t; i < n; i += stride) s(p[i], g[i], m[i]);
}

}  // namespace

void sgd_update(float* param, const float* grad, float* momentum_buf, int64_t n, float lr,
                float momentum, float weight_decay, bool nesterov, cudaStream_t stream) {
  if (n <= 0) return;
  sgd_update_kernel<<<grid_for(n, 4), kBlock, 0, stream>>>(
      param, grad, momentum_buf, n, SgdStep{lr, momentum, weight_decay, nesterov});
}

}  // namespace zkd::kernels
