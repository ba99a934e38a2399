// cuBLAS linear layer, row-major float32: y [N, O] = x [N, I] w [O, I]^T (+ bias [O]) and its
// gradients, with cublasGemmEx in the math mode's compute type (Strict: CUBLAS_COMPUTE_32F;
// Fast: CUBLAS_COMPUTE_32F_FAST_TF32). cuBLAS is column-major: a row-major [r, c] matrix is a
// column-major [c, r] one, so each product below is written for the transposes. Bias add and
// the bias gradient (sum over rows) are our kernels in kernels/bias_add.cu. Under the bf16 policy
// (engine/core/precision.h) the two operands are cast into bf16 copies (bf16_cast.h) and
// multiplied with float32 accumulation (CUBLAS_COMPUTE_32F) into the float32 output.
#include "engine/backend/backend.h"
#include "engine/backend/cuda/bf16_cast.h"
#include "engine/backend/cuda/context.h"
#include "engine/backend/cuda/kernel_glue.h"
#include "kernels/bias_add.h"

namespace zkd::cuda {

namespace {

constexpr const char* kOp = "linear";

// Column-major C [m, n] = op(A) op(B), all float32 with leading dimensions lda, ldb, ldc.
void gemm(cublasOperation_t ta, cublasOperation_t tb, int64_t m, int64_t n, int64_t k,
          const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc) {
  const float one = 1, zero = 0;
  ZKD_CUBLAS_CHECK(cublasGemmEx(cublas(), ta, tb, static_cast<int>(m), static_cast<int>(n),
                                static_cast<int>(k), &one, A, CUDA_R_32F, static_cast<int>(lda), B,
                                CUDA_R_32F, static_cast<int>(ldb), &zero, C, CUDA_R_32F,
                                static_cast<int>(ldc), cublas_compute_type(), CUBLAS_GEMM_DEFAULT));
}

// The same product with A and B given as float32 tensors, multiplied as bf16 copies with float32
// accumulation.
void gemm_bf16(cublasOperation_t ta, cublasOperation_t tb, int64_t m, int64_t n, int64_t k,
               const Tensor& A, int64_t lda, const Tensor& B, int64_t ldb, float* C, int64_t ldc) {
  const float one = 1, zero = 0;
  Tensor a16 = to_bf16(A), b16 = to_bf16(B);
  ZKD_CUBLAS_CHECK(cublasGemmEx(
      cublas(), ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), &one,
      a16.raw(), CUDA_R_16BF, static_cast<int>(lda), b16.raw(), CUDA_R_16BF, static_cast<int>(ldb),
      &zero, C, CUDA_R_32F, static_cast<int>(ldc), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

// C = op(A) op(B) in the precision p (float32 tensors A, B).
void gemm_p(Precision p, cublasOperation_t ta, cublasOperation_t tb, int64_t m, int64_t n,
            int64_t k, const Tensor& A, int64_t lda, const Tensor& B, int64_t ldb, float* C,
            int64_t ldc) {
  if (p == Precision::BF16) return gemm_bf16(ta, tb, m, n, k, A, lda, B, ldb, C, ldc);
  gemm(ta, tb, m, n, k, A.data<float>(), lda, B.data<float>(), ldb, C, ldc);
}

void check_matrix(const Tensor& t, const char* what) {
  require_f32(kOp, t, what);
  ZKD_CHECK(t.dim() == 2, kOp, "expected a 2-D ", what, ", got shape ", shape_str(t.shape()));
  ZKD_CHECK(t.numel() < (int64_t(1) << 31), kOp, "expected a ", what,
            " of fewer than 2^31 elements (cuBLAS int sizes), got ", shape_str(t.shape()));
}

// An output with a zero-length inner dimension: the sum is empty, so zeros.
Tensor zeros_on(const Shape& s, const Tensor& like) {
  Tensor t = Tensor::empty(s, DType::F32, like.device());
  if (t.numel() > 0) ZKD_CUDA_CHECK(cudaMemsetAsync(t.raw(), 0, t.nbytes(), stream()));
  return t;
}

}  // namespace

Tensor linear_fwd(const Tensor& x, const Tensor& w, const Tensor& bias, Precision p) {
  check_matrix(x, "input");
  check_matrix(w, "weight");
  int64_t N = x.size(0), I = x.size(1), O = w.size(0);
  ZKD_CHECK(w.size(1) == I, kOp, "expected a weight [", O, ", ", I, "], got ",
            shape_str(w.shape()));
  if (bias.defined()) {
    require_f32(kOp, bias, "bias");
    check_shape(kOp, bias, {O}, "bias");
  }
  if (N == 0 || O == 0) return Tensor::empty({N, O}, DType::F32, x.device());
  Tensor y = I == 0 ? zeros_on({N, O}, x) : Tensor::empty({N, O}, DType::F32, x.device());
  // y^T [O, N] = w [I, O]^T * x^T [I, N]   (column-major views)
  if (I > 0) gemm_p(p, CUBLAS_OP_T, CUBLAS_OP_N, O, N, I, w, I, x, I, y.data<float>(), O);
  if (bias.defined()) {
    bias_add_fwd(y.data<float>(), bias.data<float>(), N, O, 1, stream());
    ZKD_LAUNCH_CHECK("bias_add_fwd_kernel");
  }
  return y;
}

Tensor linear_bwd_input(const Tensor& dy, const Tensor& w, Precision p) {
  check_matrix(dy, "output gradient");
  check_matrix(w, "weight");
  int64_t N = dy.size(0), O = dy.size(1), I = w.size(1);
  ZKD_CHECK(w.size(0) == O, kOp, "expected a weight [", O, ", I] for the output gradient ",
            shape_str(dy.shape()), ", got ", shape_str(w.shape()));
  if (N == 0 || I == 0) return Tensor::empty({N, I}, DType::F32, dy.device());
  if (O == 0) return zeros_on({N, I}, dy);
  Tensor dx = Tensor::empty({N, I}, DType::F32, dy.device());
  // dx^T [I, N] = w^T [I, O] * dy^T [O, N]
  gemm_p(p, CUBLAS_OP_N, CUBLAS_OP_N, I, N, O, w, I, dy, O, dx.data<float>(), I);
  return dx;
}

Tensor linear_bwd_weight(const Tensor& dy, const Tensor& x, Precision p) {
  check_matrix(dy, "output gradient");
  check_matrix(x, "input");
  int64_t N = dy.size(0), O = dy.size(1), I = x.size(1);
  ZKD_CHECK(x.size(0) == N, kOp, "expected an input with ", N, " rows like the output gradient ",
            shape_str(dy.shape()), ", got ", shape_str(x.shape()));
  if (O == 0 || I == 0) return Tensor::empty({O, I}, DType::F32, dy.device());
  if (N == 0) return zeros_on({O, I}, dy);
  Tensor dw = Tensor::empty({O, I}, DType::F32, dy.device());
  // dw^T [I, O] = x^T [I, N] * dy [N, O]   (dy^T is the column-major [O, N], transposed)
  gemm_p(p, CUBLAS_OP_N, CUBLAS_OP_T, I, O, N, x, I, dy, O, dw.data<float>(), I);
  return dw;
}

Tensor sum_rows(const Tensor& dy) {
  check_matrix(dy, "output gradient");
  int64_t N = dy.size(0), O = dy.size(1);
  Tensor db = Tensor::empty({O}, DType::F32, dy.device());
  bias_add_bwd(dy.data<float>(), db.data<float>(), N, O, 1, stream());
  ZKD_LAUNCH_CHECK("bias_add_bwd_kernel");
  return db;
}

}  // namespace zkd::cuda
