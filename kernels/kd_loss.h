// The fused distillation-loss kernel (docs/zscore-kd.md): per row of the student logits it
// standardizes student and teacher (LS methods), takes both softmaxes at temperature T, the KD
// term (KL * T^2, or DKD's TCKD + NCKD), the CE on the raw logits, and writes d loss / d student
// in the same launch; a second tiny launch reduces the per-row terms over the batch, in a fixed
// order, on the device (no host synchronization).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zkd::kernels {

enum class KdKernelMethod : int { KD = 0, KD_LS = 1, DKD = 2, DKD_LS = 3 };

struct KdKernelArgs {
  KdKernelMethod method = KdKernelMethod::KD_LS;
  float temperature = 2.0f;
  float lambda_ce = 0.1f;
  float lambda_kd = 9.0f;  // KD, KD_LS
  float alpha = 9.0f;      // DKD: TCKD weight
  float beta = 72.0f;      // DKD: NCKD weight
  float warmup = 1.0f;     // DKD: min(epoch / 20, 1)
  float std_eps = 1e-7f;   // LS: added to the std
  // KD, KD_LS: a learned temperature on the device (overrides `temperature`; read there, no host
  // sync); then the launch also writes d loss / d T (docs/distillers.md).
  const float* temperature_ptr = nullptr;
};

// student, teacher [B, K] float32 contiguous; labels int64 [B] (a label outside [0, K) makes
// that row's loss and gradient NaN: the host cannot check without a synchronization).
// row_terms [B, 3] scratch (CE, weighted KD, d weighted KD / d T per row); dlogits [B, K];
// loss [1]; parts [2] (lambda_ce * mean CE, mean weighted KD); dtemp [1] (mean d loss / d T) or
// null. B >= 1, K >= 2. Launches on `stream`; the caller checks the launch (cudaGetLastError).
void kd_loss_fwd(const float* student, const float* teacher, const int64_t* labels, int64_t B,
                 int64_t K, const KdKernelArgs& a, float* row_terms, float* dlogits, float* loss,
                 float* parts, float* dtemp, cudaStream_t stream);

}  // namespace zkd::kernels
