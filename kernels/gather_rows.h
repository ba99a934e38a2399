// Row gather, float32: out [n, k] = table [R, k] at rows [n] (int64, each in [0, R)). The
// teacher-logit cache's per-step lookup on the GPU (docs/teacher-cache.md); a pure copy, so the
// result equals the CPU's row copies bit for bit.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zkd {

// All pointers on the device; one launch, n * k threads.
void gather_rows_fwd(const float* table, const int64_t* rows, int64_t n, int64_t k, float* out,
                     cudaStream_t stream);

}  // namespace zkd
