// CPU linear layer: GEMMs (cpu_util.h's gemm), and the bias gradient as a column sum. Under the
// bf16 policy: oneDNN's bf16 matmul, or its emulation (bf16_cpu.h): rounded operands, fp32 GEMM.
#include "engine/backend/backend.h"
#include "engine/backend/cpu/bf16_cpu.h"
#include "engine/backend/cpu/cpu_util.h"
#include "engine/backend/cpu/onednn_ops.h"

namespace zkd::cpu {

namespace {
// oneDNN's bf16 matmul takes it: bf16 policy, native bf16, no empty dimension.
bool native_bf16(const Tensor& t, Precision p, int64_t M, int64_t N, int64_t K) {
  return bf16_compute(t, p) && M > 0 && N > 0 && K > 0 && bf16_native();
}
}  // namespace

Tensor linear_fwd(const Tensor& x, const Tensor& w, const Tensor& bias, Precision p) {
  int64_t N = x.size(0), I = x.size(1), O = w.size(0);
  Tensor y = Tensor::empty({N, O}, x.dtype(), x.device());
  if (native_bf16(x, p, N, O, I)) {
    onednn::matmul_bf16(x.data<float>(), false, w.data<float>(), true,
                        bias.defined() ? bias.data<float>() : nullptr, y.data<float>(), N, O, I);
    return y;
  }
  if (bf16_compute(x, p)) return linear_fwd(round_to_bf16(x), round_to_bf16(w), bias);
  dispatch_float("linear", x.dtype(), [&](auto z) {
    using T = decltype(z);
    T* py = y.data<T>();
    if (bias.defined()) {
      for (int64_t n = 0; n < N; ++n)
        for (int64_t o = 0; o < O; ++o) py[n * O + o] = bias.data<T>()[o];
    }
    gemm(false, true, N, O, I, T(1), x.data<T>(), I, w.data<T>(), I, bias.defined() ? T(1) : T(0),
         py, O);
  });
  return y;
}

Tensor linear_bwd_input(const Tensor& dy, const Tensor& w, Precision p) {
  int64_t N = dy.size(0), O = dy.size(1), I = w.size(1);
  Tensor dx = Tensor::empty({N, I}, dy.dtype(), dy.device());
  if (native_bf16(dy, p, N, I, O)) {
    onednn::matmul_bf16(dy.data<float>(), false, w.data<float>(), false, nullptr, dx.data<float>(),
                        N, I, O);
    return dx;
  }
  if (bf16_compute(dy, p)) return linear_bwd_input(round_to_bf16(dy), round_to_bf16(w));
  dispatch_float("linear", dy.dtype(), [&](auto z) {
    using T = decltype(z);
    gemm(false, false, N, I, O, T(1), dy.data<T>(), O, w.data<T>(), I, T(0), dx.data<T>(), I);
  });
  return dx;
}

Tensor linear_bwd_weight(const Tensor& dy, const Tensor& x, Precision p) {
  int64_t N = dy.size(0), O = dy.size(1), I = x.size(1);
  Tensor dw = Tensor::empty({O, I}, dy.dtype(), dy.device());
  if (native_bf16(dy, p, O, I, N)) {
    onednn::matmul_bf16(dy.data<float>(), true, x.data<float>(), false, nullptr, dw.data<float>(),
                        O, I, N);
    return dw;
  }
  if (bf16_compute(dy, p)) return linear_bwd_weight(round_to_bf16(dy), round_to_bf16(x));
  dispatch_float("linear", dy.dtype(), [&](auto z) {
    using T = decltype(z);
    gemm(true, false, O, I, N, T(1), dy.data<T>(), O, x.data<T>(), I, T(0), dw.data<T>(), I);
  });
  return dw;
}

Tensor sum_rows(const Tensor& dy) {
  int64_t N = dy.size(0), O = dy.size(1);
  Tensor db = Tensor::empty({O}, dy.dtype(), dy.device());
  dispatch_float("linear", dy.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t o = 0; o < O; ++o) {
      double acc = 0;
      for (int64_t n = 0; n < N; ++n) acc += dy.data<T>()[n * O + o];
      db.data<T>()[o] = static_cast<T>(acc);
    }
  });
  return db;
}

}  // namespace zkd::cpu
