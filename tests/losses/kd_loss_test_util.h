// Shared by the CPU and CUDA loss tests: the settings of each distillation method as the official
// configs set them, a runner that returns loss, parts and gradient on the host, and the property
// checks (affine invariance, zero row sums, finiteness, batch mean) that run once on the CPU and
// once on CUDA with device-specific tolerances.
#pragma once
#include <string>
#include <vector>

#include "engine/backend/op_args.h"
#include "engine/tensor/tensor.h"

namespace zkd::test {

struct KdCase {
  std::string name;
  KdLossArgs args;
};
// KD (T 4, 0.1 / 0.9: mdistiller), KD_LS (T 2, 0.1 / 9), DKD (T 4, alpha 1, beta 8, CE 1,
// warm-up 0.25 = epoch 5), DKD_LS (T 2, alpha 9, beta 72, CE 1, warm-up 1).
std::vector<KdCase> kd_cases();
// The same settings with lambda_ce = 0 (the KD part of the gradient alone).
KdLossArgs without_ce(KdLossArgs a);

struct KdResult {
  Tensor loss, parts, grad;  // on the input's device: [], [2], [B, K]
  double total = 0;          // loss on the host
  std::vector<double> part;  // parts on the host
  std::vector<double> g;     // grad on the host, row-major [B, K]
};
// Runs kd_loss on z [B, K] (made a leaf that requires grad), v [B, K], labels int64 [B], and
// backpropagates a seed of 1 (so the gradient goes through the op's backward node).
KdResult run_kd(const Tensor& z, const Tensor& v, const Tensor& labels, const KdLossArgs& a);

// max |got - want| / max(1e-30, max |want|) over the elements (the error relative to the scale).
double scaled_error(const std::vector<double>& got, const std::vector<double>& want);

// The property checks; `tol` bounds the scaled error of each comparison (see the callers for the
// measured levels). Inputs are float64 on the CPU and float32 on CUDA.
void check_affine_invariance(Device dev, DType dt, double tol);
void check_kd_rows_sum_to_zero(Device dev, DType dt, double tol);
void check_constant_rows_finite(Device dev, DType dt);
void check_huge_logits_finite(Device dev, DType dt);
void check_mean_over_actual_batch(Device dev, DType dt, double tol);
// The op's backward multiplies the saved gradient by the upstream scalar (here 3.5 and -0.25).
void check_backward_scales(Device dev, DType dt, double tol);

}  // namespace zkd::test
