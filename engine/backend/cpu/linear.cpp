// CPU linear layer: GEMMs through OpenBLAS, and the bias gradient as a column sum.
#include "engine/backend/backend.h"
#include "engine/backend/cpu/cpu_util.h"

namespace zkd::cpu {

Tensor linear_fwd(const Tensor& x, const Tensor& w, const Tensor& bias) {
  int64_t N = x.size(0), I = x.size(1), O = w.size(0);
  Tensor y = Tensor::empty({N, O}, x.dtype(), x.device());
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

Tensor linear_bwd_input(const Tensor& dy, const Tensor& w) {
  int64_t N = dy.size(0), O = dy.size(1), I = w.size(1);
  Tensor dx = Tensor::empty({N, I}, dy.dtype(), dy.device());
  dispatch_float("linear", dy.dtype(), [&](auto z) {
    using T = decltype(z);
    gemm(false, false, N, I, O, T(1), dy.data<T>(), O, w.data<T>(), I, T(0), dx.data<T>(), I);
  });
  return dx;
}

Tensor linear_bwd_weight(const Tensor& dy, const Tensor& x) {
  int64_t N = dy.size(0), O = dy.size(1), I = x.size(1);
  Tensor dw = Tensor::empty({O, I}, dy.dtype(), dy.device());
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
