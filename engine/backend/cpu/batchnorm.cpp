// CPU batch normalization over [N, C, H, W]: training (batch statistics, two-pass in double,
// running stats with the unbiased variance), eval (running statistics), and both backwards.
// The reference for float64 and ZKD_CPU_REFERENCE=1; fp32 takes batchnorm_fp32.cpp (except the
// eval-mode backward, which stays here).
#include <cmath>

#include "engine/backend/backend.h"
#include "engine/backend/cpu/batchnorm_fp32.h"
#include "engine/backend/cpu/cpu_util.h"

namespace zkd::cpu {

namespace {
struct Dims {
  int64_t N, C, HW;
  explicit Dims(const Tensor& x) : N(x.size(0)), C(x.size(1)), HW(x.size(2) * x.size(3)) {}
  int64_t at(int64_t n, int64_t c, int64_t i) const { return (n * C + c) * HW + i; }
};

// Per channel: out = sum of f(n, c, i) over n and i, in double.
template <typename F>
double channel_sum(const Dims& d, int64_t c, F&& f) {
  double acc = 0;
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t i = 0; i < d.HW; ++i) acc += f(d.at(n, c, i));
  return acc;
}
}  // namespace

BatchNormTrainOut batchnorm_train_fwd(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                      Tensor& running_mean, Tensor& running_var,
                                      const BatchNormArgs& a) {
  if (fast_fp32(x)) return fp32::batchnorm_train_fwd(x, gamma, beta, running_mean, running_var, a);
  Dims d(x);
  BatchNormTrainOut out{Tensor::empty(x.shape(), x.dtype(), x.device()),
                        Tensor::empty({d.C}, x.dtype(), x.device()),
                        Tensor::empty({d.C}, x.dtype(), x.device())};
  dispatch_float("batch_norm2d", x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* px = x.data<T>();
    T* py = out.y.data<T>();
    const double M = static_cast<double>(d.N * d.HW);
    for (int64_t c = 0; c < d.C; ++c) {
      double mean = channel_sum(d, c, [&](int64_t j) { return double(px[j]); }) / M;
      double var = channel_sum(d, c,
                               [&](int64_t j) {
                                 double v = px[j] - mean;
                                 return v * v;
                               }) /
                   M;
      double invstd = 1.0 / std::sqrt(var + a.eps);
      double gm = gamma.data<T>()[c], bt = beta.data<T>()[c];
      for (int64_t n = 0; n < d.N; ++n)
        for (int64_t i = 0; i < d.HW; ++i) {
          int64_t j = d.at(n, c, i);
          py[j] = static_cast<T>((px[j] - mean) * invstd * gm + bt);
        }
      out.save_mean.data<T>()[c] = static_cast<T>(mean);
      out.save_invstd.data<T>()[c] = static_cast<T>(invstd);
      T& rm = running_mean.data<T>()[c];
      T& rv = running_var.data<T>()[c];
      rm = static_cast<T>((1 - a.momentum) * rm + a.momentum * mean);
      rv = static_cast<T>((1 - a.momentum) * rv + a.momentum * var * M / (M - 1));
    }
  });
  return out;
}

Tensor batchnorm_eval_fwd(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                          const Tensor& running_mean, const Tensor& running_var,
                          const BatchNormArgs& a) {
  if (fast_fp32(x)) return fp32::batchnorm_eval_fwd(x, gamma, beta, running_mean, running_var, a);
  Dims d(x);
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  dispatch_float("batch_norm2d", x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t c = 0; c < d.C; ++c) {
      double invstd = 1.0 / std::sqrt(double(running_var.data<T>()[c]) + a.eps);
      double mean = running_mean.data<T>()[c];
      double gm = gamma.data<T>()[c], bt = beta.data<T>()[c];
      for (int64_t n = 0; n < d.N; ++n)
        for (int64_t i = 0; i < d.HW; ++i) {
          int64_t j = d.at(n, c, i);
          py[j] = static_cast<T>((px[j] - mean) * invstd * gm + bt);
        }
    }
  });
  return y;
}

namespace {
// Shared backward: x_hat = (x - mean) * invstd. With batch statistics (train) the mean and
// variance depend on x, which adds the two projection terms; with running stats (eval) not.
BatchNormGrads bn_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                           const std::vector<double>& mean, const std::vector<double>& invstd,
                           bool batch_stats) {
  Dims d(x);
  BatchNormGrads r{Tensor::empty(x.shape(), x.dtype(), x.device()),
                   Tensor::empty({d.C}, x.dtype(), x.device()),
                   Tensor::empty({d.C}, x.dtype(), x.device())};
  dispatch_float("batch_norm2d", x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* px = x.data<T>();
    const T* pdy = dy.data<T>();
    T* pdx = r.dx.data<T>();
    const double M = static_cast<double>(d.N * d.HW);
    for (int64_t c = 0; c < d.C; ++c) {
      double mu = mean[c], is = invstd[c];
      double dbeta = channel_sum(d, c, [&](int64_t j) { return double(pdy[j]); });
      double dgamma = channel_sum(d, c, [&](int64_t j) { return pdy[j] * (px[j] - mu) * is; });
      double gm = gamma.data<T>()[c];
      for (int64_t n = 0; n < d.N; ++n)
        for (int64_t i = 0; i < d.HW; ++i) {
          int64_t j = d.at(n, c, i);
          double v = pdy[j];
          if (batch_stats) v -= (dbeta + (px[j] - mu) * is * dgamma) / M;
          pdx[j] = static_cast<T>(v * gm * is);
        }
      r.dgamma.data<T>()[c] = static_cast<T>(dgamma);
      r.dbeta.data<T>()[c] = static_cast<T>(dbeta);
    }
  });
  return r;
}

std::vector<double> to_doubles(const Tensor& t) {
  return t.to(DType::F64).to_vector<double>();
}
}  // namespace

BatchNormGrads batchnorm_train_bwd(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                                   const Tensor& save_mean, const Tensor& save_invstd) {
  if (fast_fp32(x)) return fp32::batchnorm_train_bwd(dy, x, gamma, save_mean, save_invstd);
  return bn_backward(dy, x, gamma, to_doubles(save_mean), to_doubles(save_invstd), true);
}

BatchNormGrads batchnorm_eval_bwd(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                                  const Tensor& running_mean, const Tensor& running_var,
                                  const BatchNormArgs& a) {
  std::vector<double> var = to_doubles(running_var), invstd(var.size());
  for (size_t c = 0; c < var.size(); ++c) invstd[c] = 1.0 / std::sqrt(var[c] + a.eps);
  return bn_backward(dy, x, gamma, to_doubles(running_mean), invstd, false);
}

}  // namespace zkd::cpu
