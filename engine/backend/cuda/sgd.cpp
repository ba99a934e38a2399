// CUDA SGD update: ONE fused kernel over the flat parameter, gradient and momentum buffers
// (kernels/sgd.h), with the semantics of engine/optim/sgd.h.
#include "kernels/sgd.h"

#include "engine/backend/backend.h"
#include "engine/backend/cuda/context.h"
#include "engine/backend/cuda/kernel_glue.h"

namespace zkd::cuda {

// param, grad, momentum_buf [n] (flat buffers); param and momentum_buf updated in place
void sgd_update(Tensor& param, const Tensor& grad, Tensor& momentum_buf, const SgdArgs& a) {
  require_f32("sgd", param, "parameters");
  require_f32("sgd", grad, "gradients");
  require_f32("sgd", momentum_buf, "momentum buffer");
  require_numel("sgd", grad, param.numel(), param, "gradients");
  require_numel("sgd", momentum_buf, param.numel(), param, "momentum buffer");
  kernels::sgd_update(param.data<float>(), grad.data<float>(), momentum_buf.data<float>(),
                      param.numel(), a.lr, a.momentum, a.weight_decay, a.nesterov, stream());
  ZKD_LAUNCH_CHECK("sgd_update_kernel");
}

}  // namespace zkd::cuda
