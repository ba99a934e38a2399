// The fp32 batch norm of the CPU backend's fast path (the default; see cpu_settings.h): the same
// contract and results as batchnorm.cpp's reference, in float with vectorized per-image
// segments (summed in double across segments), channels split over the OpenMP threads.
// oneDNN 2.6's batch norm on NCHW ("ncsp") measured slower than these loops, and its blocked
// version would need two reorders per call.
#pragma once
#include "engine/backend/op_args.h"
#include "engine/tensor/tensor.h"

namespace zkd::cpu::fp32 {

// x, dy [N, C, H, W]; gamma, beta, running stats, save_* [C].
BatchNormTrainOut batchnorm_train_fwd(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                      Tensor& running_mean, Tensor& running_var,
                                      const BatchNormArgs& a);
Tensor batchnorm_eval_fwd(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                          const Tensor& running_mean, const Tensor& running_var,
                          const BatchNormArgs& a);
BatchNormGrads batchnorm_train_bwd(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                                   const Tensor& save_mean, const Tensor& save_invstd);

}  // namespace zkd::cpu::fp32
