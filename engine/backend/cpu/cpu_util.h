// Helpers of the CPU backend: dispatch on float/double, double accumulation, GEMM.
#pragma once
#include <cblas.h>
#include <dnnl.h>

#include "engine/core/cpu_settings.h"
#include "engine/core/error.h"
#include "engine/tensor/tensor.h"

namespace zkd::cpu {

// Calls f(T{}) with T = float or double according to the dtype.
template <typename F>
auto dispatch_float(const char* op, DType dt, F&& f) {
  if (dt == DType::F32) return f(float{});
  if (dt == DType::F64) return f(double{});
  ZKD_FAIL(op, "expected a float32 or float64 tensor, got ", dtype_name(dt));
}

// true when an op on `t` takes the fast fp32 path (oneDNN or the fp32 loops): float32 and the
// reference switch off.
inline bool fast_fp32(const Tensor& t) {
  return t.dtype() == DType::F32 && !cpu_reference();
}

// Row-major C[M, N] = alpha * op(A) op(B) + beta * C. float: oneDNN's sgemm, which runs on the
// OpenMP pool the convolutions and the backend's loops use (OpenBLAS's pthread build keeps its own
// threads, which spin in sched_yield after each call and took ~8% of a 2-thread resnet20 step from
// the OpenMP threads); OpenBLAS when the reference switch is on, so that the reference path uses
// no oneDNN. double (the gradient checks): OpenBLAS.
inline void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                 int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (cpu_reference()) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), alpha, A,
                static_cast<int>(lda), B, static_cast<int>(ldb), beta, C, static_cast<int>(ldc));
    return;
  }
  dnnl_status_t st =
      dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  ZKD_CHECK(st == dnnl_success, "gemm", "oneDNN sgemm failed with status ", static_cast<int>(st),
            " for M ", M, ", N ", N, ", K ", K);
}
inline void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
                 int64_t lda, const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), alpha, A,
              static_cast<int>(lda), B, static_cast<int>(ldb), beta, C, static_cast<int>(ldc));
}

}  // namespace zkd::cpu
