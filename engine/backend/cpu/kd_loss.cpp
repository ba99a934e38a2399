// CPU reference of the distillation losses (method.md section 1, docs/zscore-kd.md): per row,
// optional Z-score standardization of student and teacher (unbiased std + 1e-7), softmaxes at
// temperature T, KL(teacher || student) (KD) or TCKD + NCKD (DKD), CE on the raw logits, and the
// exact gradient with respect to the raw student logits. All arithmetic in double.
#include <cmath>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/backend/cpu/cpu_util.h"

namespace zkd::cpu {

namespace {
constexpr double kStdEps = 1e-7;

struct Standardized {
  std::vector<double> h;  // (x - mean) / (std + eps), or x itself without LS
  double s = 1, d = 1;    // unbiased std and std + eps
};

Standardized standardize(const std::vector<double>& x, bool ls) {
  Standardized r;
  r.h = x;
  if (!ls) return r;
  const double K = static_cast<double>(x.size());
  double mu = 0;
  for (double v : x) mu += v;
  mu /= K;
  double ss = 0;
  for (double v : x) ss += (v - mu) * (v - mu);
  r.s = std::sqrt(ss / (K - 1));
  r.d = r.s + kStdEps;
  for (double& v : r.h) v = (v - mu) / r.d;
  return r;
}

// log_softmax(x / T) over every entry but `skip` (which gets -inf).
std::vector<double> log_softmax_t(const std::vector<double>& x, double T, int64_t skip = -1) {
  const int64_t K = static_cast<int64_t>(x.size());
  double mx = -INFINITY;
  for (int64_t k = 0; k < K; ++k)
    if (k != skip) mx = std::max(mx, x[k] / T);
  double s = 0;
  for (int64_t k = 0; k < K; ++k)
    if (k != skip) s += std::exp(x[k] / T - mx);
  std::vector<double> out(K, -INFINITY);
  for (int64_t k = 0; k < K; ++k)
    if (k != skip) out[k] = x[k] / T - mx - std::log(s);
  return out;
}

// KL(p || q) term p (log p - log q) with PyTorch kl_div's convention 0 * log 0 = 0.
double kl_term(double p, double logp, double logq) { return p > 0 ? p * (logp - logq) : 0.0; }
}  // namespace

KdLossOut kd_loss(const Tensor& student, const Tensor& teacher, const Tensor& labels,
                  const KdLossArgs& a) {
  const int64_t B = student.size(0), K = student.size(1);
  const int64_t* lab = labels.data<int64_t>();
  for (int64_t i = 0; i < B; ++i)
    ZKD_CHECK(lab[i] >= 0 && lab[i] < K, "kd_loss", "expected labels in [0, ", K, "), got ",
              lab[i], " at row ", i);
  const bool ls = a.method == KdMethod::KD_LS || a.method == KdMethod::DKD_LS;
  const bool dkd = a.method == KdMethod::DKD || a.method == KdMethod::DKD_LS;
  const double T = a.temperature, invB = 1.0 / static_cast<double>(B);
  KdLossOut out{Tensor::empty({}, student.dtype(), student.device()),
                Tensor::empty({2}, student.dtype(), student.device()),
                Tensor::empty(student.shape(), student.dtype(), student.device())};
  double ce_sum = 0, kd_sum = 0;
  dispatch_float("kd_loss", student.dtype(), [&](auto zero) {
    using T_ = decltype(zero);
    const T_* ps = student.data<T_>();
    const T_* pt = teacher.data<T_>();
    T_* pg = out.dlogits.data<T_>();
    for (int64_t n = 0; n < B; ++n) {
      std::vector<double> z(ps + n * K, ps + (n + 1) * K), v(pt + n * K, pt + (n + 1) * K);
      const int64_t y = lab[n];
      // CE on the raw student logits.
      std::vector<double> lz = log_softmax_t(z, 1.0);
      ce_sum -= lz[y];
      // Distillation term on (standardized) logits; G = d term / d zh.
      Standardized zs = standardize(z, ls), vs = standardize(v, ls);
      std::vector<double> lq = log_softmax_t(zs.h, T), lp = log_softmax_t(vs.h, T);
      std::vector<double> G(K, 0.0);
      double term = 0;
      if (!dkd) {
        for (int64_t k = 0; k < K; ++k) {
          double p = std::exp(lp[k]), q = std::exp(lq[k]);
          term += kl_term(p, lp[k], lq[k]);
          G[k] = a.lambda_kd * T * (q - p);  // lambda * T^2 * (q - p) / T
        }
        term *= a.lambda_kd * T * T;
      } else {
        double qg = std::exp(lq[y]), pg_ = std::exp(lp[y]), qo = 0, po = 0;
        for (int64_t k = 0; k < K; ++k)
          if (k != y) {
            qo += std::exp(lq[k]);
            po += std::exp(lp[k]);
          }
        double tckd = kl_term(pg_, std::log(pg_), std::log(qg)) + kl_term(po, std::log(po), std::log(qo));
        std::vector<double> lq2 = log_softmax_t(zs.h, T, y), lp2 = log_softmax_t(vs.h, T, y);
        double nckd = 0;
        for (int64_t k = 0; k < K; ++k)
          if (k != y) nckd += kl_term(std::exp(lp2[k]), lp2[k], lq2[k]);
        term = a.warmup * (a.alpha * tckd + a.beta * nckd) * T * T;
        double c = -pg_ / qg + po / qo;
        for (int64_t k = 0; k < K; ++k) {
          double qk = std::exp(lq[k]);
          double gt = a.alpha * c * qg * ((k == y ? 1.0 : 0.0) - qk);
          double gn = k == y ? 0.0 : a.beta * (std::exp(lq2[k]) - std::exp(lp2[k]));
          G[k] = a.warmup * T * (gt + gn);  // warmup * T^2 * (...) / T
        }
      }
      kd_sum += term;
      // Back through the standardization: dz = (G - mean G) / d - zh (G . zh) / ((K - 1) s).
      std::vector<double> dz = G;
      if (ls) {
        double gmean = 0, gdot = 0;
        for (int64_t k = 0; k < K; ++k) {
          gmean += G[k];
          gdot += G[k] * zs.h[k];
        }
        gmean /= static_cast<double>(K);
        double proj = zs.s > 0 ? gdot / ((static_cast<double>(K) - 1) * zs.s) : 0.0;
        for (int64_t k = 0; k < K; ++k) dz[k] = (G[k] - gmean) / zs.d - zs.h[k] * proj;
      }
      for (int64_t k = 0; k < K; ++k) {
        double ce_grad = a.lambda_ce * (std::exp(lz[k]) - (k == y ? 1.0 : 0.0));
        pg[n * K + k] = static_cast<T_>((dz[k] + ce_grad) * invB);
      }
    }
    T_* parts = out.parts.data<T_>();
    parts[0] = static_cast<T_>(a.lambda_ce * ce_sum * invB);
    parts[1] = static_cast<T_>(kd_sum * invB);
    *out.loss.data<T_>() = static_cast<T_>((a.lambda_ce * ce_sum + kd_sum) * invB);
  });
  return out;
}

}  // namespace zkd::cpu
