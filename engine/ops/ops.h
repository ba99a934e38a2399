// The differentiable ops: each validates its arguments (so both backends see checked input),
// runs the backend forward, and records a Node whose backward calls the backend backward.
// Layouts: images NCHW [N, C, H, W]; conv weights [K, C/groups, R, S]; logits [B, K].
#pragma once
#include <vector>

#include "engine/autograd/grad_mode.h"
#include "engine/autograd/variable.h"
#include "engine/backend/op_args.h"

namespace zkd {

// x [N, C, H, W], w [K, C/groups, R, S], bias [K] or undefined -> [N, K, Ho, Wo]
Variable conv2d(const Variable& x, const Variable& w, const Variable& bias, const Conv2dArgs& a);
// x [N, C, H, W], gamma/beta [C]; running stats [C] are updated in training mode.
Variable batch_norm2d(const Variable& x, const Variable& gamma, const Variable& beta,
                      Tensor& running_mean, Tensor& running_var, bool training,
                      const BatchNormArgs& a = {});
Variable relu(const Variable& x);
Variable add(const Variable& a, const Variable& b);  // same shapes
Variable mul_scalar(const Variable& x, double alpha);
Variable avg_pool2d(const Variable& x, const Pool2dArgs& a);  // [N, C, H, W] -> [N, C, Ho, Wo]
Variable max_pool2d(const Variable& x, const Pool2dArgs& a);
Variable global_avg_pool(const Variable& x);  // [N, C, H, W] -> [N, C]
// x [N, I], w [O, I], bias [O] or undefined -> [N, O]
Variable linear(const Variable& x, const Variable& w, const Variable& bias);
Variable reshape(const Variable& x, const Shape& shape);    // one -1 allowed
Variable flatten(const Variable& x);                        // [N, ...] -> [N, rest]
Variable concat_channels(const std::vector<Variable>& xs);  // along dim 1
std::vector<Variable> split_channels(const Variable& x, const std::vector<int64_t>& sizes);
Variable channel_shuffle(const Variable& x, int64_t groups);
Variable softmax(const Variable& x);  // over the last dim of [B, K]
Variable log_softmax(const Variable& x);
// logits [B, K], labels int64 [B] -> [] mean cross-entropy over the batch
Variable cross_entropy(const Variable& logits, const Tensor& labels);
Variable sum(const Variable& x);   // -> []
Variable mean(const Variable& x);  // -> []

// Distillation losses (docs/zscore-kd.md): student [B, K] (differentiable), teacher [B, K]
// (never differentiated), labels int64 [B]. loss [] is the weighted total; parts [2] holds the
// weighted CE and KD terms on the device (for logging without a host synchronization).
struct KdLossResult {
  Variable loss;
  Tensor parts;
};
// temperature: undefined (a.temperature) or a one-element Variable (a learned T, never read on
// the host); the gradient then reaches it too (d loss / d T, docs/distillers.md).
KdLossResult kd_loss(const Variable& student, const Tensor& teacher, const Tensor& labels,
                     const KdLossArgs& a, const Variable& temperature = Variable());

// Small differentiable helpers of the distillation losses (docs/distillers.md).
Variable transpose(const Variable& x);             // [M, N] -> [N, M]
Variable sigmoid(const Variable& x);               // element-wise, any shape
Variable add_scalar(const Variable& x, double c);  // x + c
// x * s with s a one-element tensor on x's device (no gradient to s; never read on the host).
Variable scale_by(const Variable& x, const Tensor& s);
// Identity forward; the backward multiplies the gradient by lambda (a gradient-reversal layer
// for lambda < 0).
Variable grad_scale(const Variable& x, double lambda);

}  // namespace zkd
