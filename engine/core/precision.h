// The compute-precision policy, declared once for the whole engine (docs/precision.md).
//
//   fp32 (the default): every op computes in float32, exactly as without this file.
//   bf16: convolutions (forward, backward-data, backward-weights; grouped and depthwise included)
//         and linear layers (the three GEMMs) take bfloat16 operands and accumulate in float32;
//         every other op stays float32: batch norm (statistics and affine math), ReLU, add,
//         pooling, softmax / log-softmax, every loss, reductions, the SGD update.
//
// Tensors stay float32 outside the ops (master weights, activations, gradients, checkpoints):
// the casts happen inside the bf16 ops (on the CPU folded into the layout reorders oneDNN does
// anyway). Weight gradients come out of the ops in float32 and are summed in float32. float64
// tensors (gradient checks) ignore the policy.
//
// Use: one guard around the region that should run in bf16, usually the forward pass of a step:
//
//   { zkd::PrecisionScope bf16(zkd::Precision::BF16);  loss = forward(model, x); }
//   backward(loss);  // each node replays the precision its forward ran with; no guard needed
//
// The policy is per thread; the guard restores the previous one when it ends.
#pragma once
#include <string>

namespace zkd {

enum class Precision : unsigned char { F32, BF16 };

const char* precision_name(Precision p);  // "fp32" / "bf16"
// "fp32" or "bf16"; anything else throws a one-line zkd::Error naming what was found.
Precision parse_precision(const std::string& s);

// The calling thread's policy (default F32).
Precision compute_precision();
void set_compute_precision(Precision p);

// Sets the calling thread's policy for its lifetime, then restores the previous one.
class PrecisionScope {
 public:
  explicit PrecisionScope(Precision p) : saved_(compute_precision()) { set_compute_precision(p); }
  ~PrecisionScope() { set_compute_precision(saved_); }
  PrecisionScope(const PrecisionScope&) = delete;
  PrecisionScope& operator=(const PrecisionScope&) = delete;

 private:
  Precision saved_;
};

}  // namespace zkd
