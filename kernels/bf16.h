// Launchers of the bf16 casts (bf16.cu) used by the bf16 policy's cuDNN / cuBLAS glue: bf16
// values as their 16 bits (uint16_t), rounded to nearest even like the CPU (engine/core/bf16.h).
// Only enqueue work on the stream; the caller checks the launch.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zkd::kernels {

void f32_to_bf16(const float* src, uint16_t* dst, int64_t n, cudaStream_t stream);  // dst[n]
void bf16_to_f32(const uint16_t* src, float* dst, int64_t n, cudaStream_t stream);  // dst[n]

}  // namespace zkd::kernels
