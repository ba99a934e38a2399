// Launchers of the whole-tensor reductions (reduce.cu): a deterministic sum of all elements and
// its backward, the broadcast of a device scalar. Only enqueue work; the caller checks launches.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zkd::kernels {

// The number of double partial sums sum_all needs as scratch for n elements (depends on n only,
// so the summation order, and thus the result, is the same on every run).
int64_t sum_all_partials(int64_t n);
// x [n] -> y [1] = sum of x: per-block sums in double, in a fixed order, into partials
// [sum_all_partials(n)], then one block adds those in a fixed order. No atomics.
void sum_all(const float* x, int64_t n, double* partials, float* y, cudaStream_t stream);
// y [n] = alpha * s[0], with s one float on the device (computed in double, as the CPU does).
void expand_scalar(const float* s, float* y, int64_t n, double alpha, cudaStream_t stream);

}  // namespace zkd::kernels
