// Arguments and multi-tensor results of the backend ops (backend/op_list.inc), shared by the
// CPU and CUDA backends, plus the output-size rules of conv and pooling (PyTorch's).
#pragma once
#include <cstdint>

#include "engine/core/precision.h"
#include "engine/tensor/tensor.h"

namespace zkd {

struct Conv2dArgs {
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_h = 0, pad_w = 0;
  int64_t groups = 1;
  // Set by the conv2d op from the policy (engine/core/precision.h), kept by its node for the
  // backward; BF16: bf16 operands, float32 accumulation and outputs.
  Precision precision = Precision::F32;
};

struct Pool2dArgs {
  int64_t kernel_h = 2, kernel_w = 2;
  int64_t stride_h = 2, stride_w = 2;
  int64_t pad_h = 0, pad_w = 0;
  bool ceil_mode = false;
  bool count_include_pad =
      true;  // avg_pool2d: divide by the window incl. padding (PyTorch default)
};

struct BatchNormArgs {
  double momentum = 0.1;  // running = (1 - m) * running + m * batch (batch variance unbiased)
  double eps = 1e-5;
};

struct SgdArgs {
  float lr = 0.1f;
  float momentum = 0.9f;
  float weight_decay = 5e-4f;
  bool nesterov = false;
};

enum class KdMethod { KD, KD_LS, DKD, DKD_LS };

// The distillation losses of docs/zscore-kd.md.
struct KdLossArgs {
  KdMethod method = KdMethod::KD_LS;
  float temperature = 2.0f;
  float lambda_ce = 0.1f;  // CE weight (DKD: 1.0)
  float lambda_kd = 9.0f;  // KD weight (KD, KD_LS)
  float alpha = 9.0f;      // DKD: TCKD weight
  float beta = 72.0f;      // DKD: NCKD weight
  float warmup = 1.0f;     // DKD: min(epoch / 20, 1)
  float std_eps = 1e-7f;   // LS: added to the std (mdistiller 1e-7; the CTKD code uses 0)
};

struct BatchNormTrainOut {
  Tensor y;            // [N, C, H, W]
  Tensor save_mean;    // [C]
  Tensor save_invstd;  // [C]  1 / sqrt(biased batch var + eps)
};
struct BatchNormGrads {
  Tensor dx, dgamma, dbeta;
};
struct MaxPoolOut {
  Tensor y;       // [N, C, Ho, Wo]
  Tensor argmax;  // int32 [N, C, Ho, Wo]: index h * W + w of the max inside its input plane
};
struct CrossEntropyOut {
  Tensor loss;       // [] mean over the batch
  Tensor log_probs;  // [B, K]
};
struct KdLossOut {
  Tensor loss;     // [] total
  Tensor parts;    // [2] (CE part, KD part), already weighted
  Tensor dlogits;  // [B, K] d total / d student logits
  Tensor dtemp;    // [] d total / d T when the temperature is a tensor, else undefined
};

int64_t conv_out_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad);
int64_t pool_out_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad, bool ceil_mode);

}  // namespace zkd
