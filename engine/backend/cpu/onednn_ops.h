// The CPU ops that run on oneDNN: fp32 (the default; see cpu_settings.h) and bf16 (when the CPU
// has it; bf16_cpu.h). Same contract as the
// backend ops of op_list.inc: contiguous NCHW / OIHW tensors in and out; any blocked layout
// lives only inside a call. The reference versions in conv.cpp stay for float64 and for
// ZKD_CPU_REFERENCE=1.
#pragma once
#include "engine/backend/op_args.h"
#include "engine/tensor/tensor.h"

namespace zkd::cpu::onednn {

// x [N, C, H, W], w [K, C/groups, R, S], bias [K] or undefined -> y [N, K, Ho, Wo]
Tensor conv2d_fwd(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dArgs& a);
// dy [N, K, Ho, Wo], w -> dx of x_shape
Tensor conv2d_bwd_data(const Tensor& dy, const Tensor& w, const Shape& x_shape,
                       const Conv2dArgs& a);
// dy, x -> dw of w_shape
Tensor conv2d_bwd_weight(const Tensor& dy, const Tensor& x, const Shape& w_shape,
                         const Conv2dArgs& a);

// C [M, N] = A [M, K] B [K, N] (+ bias [N]) with bf16 operands, float32 accumulation and output.
// A, B, C, bias: float32; A is stored row-major [M, K], or [K, M] when a_t; B row-major [K, N], or
// [N, K] when b_t; C row-major. M, N, K >= 1.
void matmul_bf16(const float* A, bool a_t, const float* B, bool b_t, const float* bias, float* C,
                 int64_t M, int64_t N, int64_t K);

}  // namespace zkd::cpu::onednn
