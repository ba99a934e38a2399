// Launcher of the fused SGD update (sgd.cu): one pass over the flat parameter, gradient and
// momentum buffers with PyTorch's semantics (engine/optim/sgd.h):
//   d = g + wd * w;  buf = momentum * buf + d;  step = nesterov ? d + momentum * buf : buf;
//   w -= lr * step.
// Only enqueues work; the caller checks the launch.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zkd::kernels {

// param, momentum_buf [n] updated in place; grad [n].
void sgd_update(float* param, const float* grad, float* momentum_buf, int64_t n, float lr,
                float momentum, float weight_decay, bool nesterov, cudaStream_t stream);

}  // namespace zkd::kernels
