// How a CPU op runs the bf16 policy (engine/core/precision.h): bf16_compute says whether it
// applies, bf16_native whether oneDNN's bf16 kernels run it; otherwise the op emulates bf16 by
// rounding its operands (round_to_bf16) and running its float32 path. See docs/precision.md.
#pragma once
#include "engine/backend/op_args.h"

namespace zkd::cpu {

// The op computes in bf16: a float32 operand under the bf16 policy (float64 ignores it).
inline bool bf16_compute(const Tensor& t, Precision p) {
  return p == Precision::BF16 && t.dtype() == DType::F32;
}

// oneDNN's native bf16 kernels: the CPU has AVX512-BF16 and neither the reference switch nor
// forced emulation is on (cpu_settings.h). When false because of the CPU, the first call prints
// one line on stderr saying that bf16 runs emulated.
bool bf16_native();

// x float32 (any shape, contiguous) -> a float32 copy rounded to the nearest bf16 (ties to even).
Tensor round_to_bf16(const Tensor& x);

// a with Precision::F32: the float32 op that the emulation runs on rounded operands.
inline Conv2dArgs fp32_args(Conv2dArgs a) {
  a.precision = Precision::F32;
  return a;
}

}  // namespace zkd::cpu
