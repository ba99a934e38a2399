// fp32 batch norm loops (batchnorm_fp32.h). Per channel: float sums over each image's HW
// segment (SIMD), double across the N segments; then one pass that writes the output.
#include "engine/backend/cpu/batchnorm_fp32.h"

#include <cmath>

namespace zkd::cpu::fp32 {

namespace {
struct Dims {
  int64_t N, C, HW;
  explicit Dims(const Tensor& x) : N(x.size(0)), C(x.size(1)), HW(x.size(2) * x.size(3)) {}
  int64_t seg(int64_t n, int64_t c) const { return (n * C + c) * HW; }
};

// sum over the channel of f(i) where i indexes the segment's elements.
template <typename F>
double channel_sum(const Dims& d, int64_t c, F&& f) {
  double acc = 0;
  for (int64_t n = 0; n < d.N; ++n) {
    const int64_t o = d.seg(n, c);
    float s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < d.HW; ++i) s += f(o + i);
    acc += s;
  }
  return acc;
}

// y = x * scale + shift over the channel.
void affine(const Dims& d, int64_t c, const float* x, float scale, float shift, float* y) {
  for (int64_t n = 0; n < d.N; ++n) {
    const int64_t o = d.seg(n, c);
#pragma omp simd
    for (int64_t i = 0; i < d.HW; ++i) y[o + i] = x[o + i] * scale + shift;
  }
}
}  // namespace

BatchNormTrainOut batchnorm_train_fwd(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                      Tensor& running_mean, Tensor& running_var,
                                      const BatchNormArgs& a) {
  Dims d(x);
  BatchNormTrainOut out{Tensor::empty(x.shape(), x.dtype(), x.device()),
                        Tensor::empty({d.C}, x.dtype(), x.device()),
                        Tensor::empty({d.C}, x.dtype(), x.device())};
  const float* px = x.data<float>();
  const float *pg = gamma.data<float>(), *pb = beta.data<float>();
  float *py = out.y.data<float>(), *pm = out.save_mean.data<float>(),
        *pi = out.save_invstd.data<float>();
  float *rm = running_mean.data<float>(), *rv = running_var.data<float>();
  const double M = static_cast<double>(d.N * d.HW);
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < d.C; ++c) {
    const double mean = channel_sum(d, c, [&](int64_t j) { return px[j]; }) / M;
    const float mf = static_cast<float>(mean);
    const double var = channel_sum(d, c,
                                   [&](int64_t j) {
                                     float v = px[j] - mf;
                                     return v * v;
                                   }) /
                       M;
    const double invstd = 1.0 / std::sqrt(var + a.eps);
    const double scale = invstd * pg[c];
    affine(d, c, px, static_cast<float>(scale), static_cast<float>(pb[c] - mean * scale), py);
    pm[c] = mf;
    pi[c] = static_cast<float>(invstd);
    rm[c] = static_cast<float>((1 - a.momentum) * rm[c] + a.momentum * mean);
    rv[c] = static_cast<float>((1 - a.momentum) * rv[c] + a.momentum * var * M / (M - 1));
  }
  return out;
}

Tensor batchnorm_eval_fwd(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                          const Tensor& running_mean, const Tensor& running_var,
                          const BatchNormArgs& a) {
  Dims d(x);
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  const float *px = x.data<float>(), *pg = gamma.data<float>(), *pb = beta.data<float>();
  const float *rm = running_mean.data<float>(), *rv = running_var.data<float>();
  float* py = y.data<float>();
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < d.C; ++c) {
    const double scale = pg[c] / std::sqrt(double(rv[c]) + a.eps);
    affine(d, c, px, static_cast<float>(scale), static_cast<float>(pb[c] - rm[c] * scale), py);
  }
  return y;
}

BatchNormGrads batchnorm_train_bwd(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                                   const Tensor& save_mean, const Tensor& save_invstd) {
  Dims d(x);
  BatchNormGrads r{Tensor::empty(x.shape(), x.dtype(), x.device()),
                   Tensor::empty({d.C}, x.dtype(), x.device()),
                   Tensor::empty({d.C}, x.dtype(), x.device())};
  const float *px = x.data<float>(), *pdy = dy.data<float>(), *pg = gamma.data<float>();
  const float *pm = save_mean.data<float>(), *pi = save_invstd.data<float>();
  float *pdx = r.dx.data<float>(), *pdg = r.dgamma.data<float>(), *pdb = r.dbeta.data<float>();
  const double M = static_cast<double>(d.N * d.HW);
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < d.C; ++c) {
    const float mu = pm[c], is = pi[c];
    const double dbeta = channel_sum(d, c, [&](int64_t j) { return pdy[j]; });
    const double dgamma = channel_sum(d, c, [&](int64_t j) { return pdy[j] * (px[j] - mu); }) * is;
    // dx = gamma * invstd * (dy - dbeta / M - x_hat * dgamma / M), x_hat = (x - mu) * invstd
    const float k = static_cast<float>(pg[c] * is);
    const float kb = static_cast<float>(dbeta / M);
    const float kx = static_cast<float>(dgamma / M);
    for (int64_t n = 0; n < d.N; ++n) {
      const int64_t o = d.seg(n, c);
#pragma omp simd
      for (int64_t i = 0; i < d.HW; ++i)
        pdx[o + i] = k * (pdy[o + i] - kb - (px[o + i] - mu) * is * kx);
    }
    pdg[c] = static_cast<float>(dgamma);
    pdb[c] = static_cast<float>(dbeta);
  }
  return r;
}

}  // namespace zkd::cpu::fp32
