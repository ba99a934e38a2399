// CPU reference of the distillation losses (docs/zscore-kd.md): per row,
// optional Z-score standardization of student and teacher (unbiased std + eps, 1e-7 by default),
// softmaxes at temperature T, KL(teacher || student) (KD) or TCKD + NCKD (DKD), CE on the raw
// logits, and the exact gradient with respect to the raw student logits. All arithmetic in double;
// every log of a probability is taken in the log domain, so huge logits (|z| ~ 1e4) give finite
// results wherever the math is finite (the official code's torch.log of summed probabilities is the
// same number whenever it does not underflow).
#include <cmath>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/backend/cpu/cpu_util.h"

namespace zkd::cpu {

namespace {
constexpr double kMaskShift = 1000;  // DKD's NCKD: logits / T - 1000 * gt_mask

struct Standardized {
  std::vector<double> h;  // (x - mean) / (std + eps), or x itself without LS
  double s = 1, d = 1;    // unbiased std and std + eps
};

Standardized standardize(const std::vector<double>& x, bool ls, double eps) {
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
  r.d = r.s + eps;
  for (double& v : r.h) v = (v - mu) / r.d;
  return r;
}

// log sum_k exp(x_k) over every k but `skip`.
double log_sum_exp(const std::vector<double>& x, int64_t skip = -1) {
  const int64_t K = static_cast<int64_t>(x.size());
  double mx = -INFINITY;
  for (int64_t k = 0; k < K; ++k)
    if (k != skip) mx = std::max(mx, x[k]);
  double s = 0;
  for (int64_t k = 0; k < K; ++k)
    if (k != skip) s += std::exp(x[k] - mx);
  return mx + std::log(s);
}

std::vector<double> log_softmax(const std::vector<double>& x) {
  const double lse = log_sum_exp(x);
  std::vector<double> out(x.size());
  for (size_t k = 0; k < x.size(); ++k) out[k] = x[k] - lse;
  return out;
}

// One term p (log p - log q) of KL(p || q), with kl_div's convention 0 * log 0 = 0.
double kl_term(double logp, double logq) {
  const double p = std::exp(logp);
  return p > 0 ? p * (logp - logq) : 0.0;
}
}  // namespace

KdLossOut kd_loss(const Tensor& student, const Tensor& teacher, const Tensor& labels,
                  const Tensor& temperature, const KdLossArgs& a) {
  const int64_t B = student.size(0), K = student.size(1);
  const int64_t* lab = labels.data<int64_t>();
  for (int64_t i = 0; i < B; ++i)
    ZKD_CHECK(lab[i] >= 0 && lab[i] < K, "kd_loss", "expected labels in [0, ", K, "), got ", lab[i],
              " at row ", i);
  const bool ls = a.method == KdMethod::KD_LS || a.method == KdMethod::DKD_LS;
  const bool dkd = a.method == KdMethod::DKD || a.method == KdMethod::DKD_LS;
  const bool learned = temperature.defined();
  ZKD_CHECK(!learned || !dkd, "kd_loss",
            "expected KD or KD+LS with a learned temperature, got DKD");
  const double T = learned ? temperature.item_double() : a.temperature;
  ZKD_CHECK(T > 0, "kd_loss", "expected a temperature > 0, got ", T);
  const double invB = 1.0 / static_cast<double>(B);
  KdLossOut out{Tensor::empty({}, student.dtype(), student.device()),
                Tensor::empty({2}, student.dtype(), student.device()),
                Tensor::empty(student.shape(), student.dtype(), student.device()), Tensor()};
  if (learned) out.dtemp = Tensor::empty({}, student.dtype(), student.device());
  double ce_sum = 0, kd_sum = 0, dT_sum = 0;
  dispatch_float("kd_loss", student.dtype(), [&](auto zero) {
    using T_ = decltype(zero);
    const T_* ps = student.data<T_>();
    const T_* pt = teacher.data<T_>();
    T_* pg = out.dlogits.data<T_>();
    for (int64_t n = 0; n < B; ++n) {
      std::vector<double> z(ps + n * K, ps + (n + 1) * K), v(pt + n * K, pt + (n + 1) * K);
      const int64_t y = lab[n];
      // CE on the raw student logits.
      std::vector<double> lz = log_softmax(z);
      ce_sum -= lz[y];
      // Distillation term on a = zh / T (student) and b = vh / T (teacher); G = d term / d zh.
      Standardized zs = standardize(z, ls, a.std_eps), vs = standardize(v, ls, a.std_eps);
      std::vector<double> sa(K), sb(K);
      for (int64_t k = 0; k < K; ++k) {
        sa[k] = zs.h[k] / T;
        sb[k] = vs.h[k] / T;
      }
      std::vector<double> lq = log_softmax(sa), lp = log_softmax(sb);
      std::vector<double> G(K, 0.0);
      double term = 0;
      if (!dkd) {
        for (int64_t k = 0; k < K; ++k) {
          term += kl_term(lp[k], lq[k]);
          G[k] = a.lambda_kd * T * (std::exp(lq[k]) - std::exp(lp[k]));  // lam T^2 (q - p) / T
        }
        if (learned) {
          // d (lam T^2 KL) / dT = lam (2 T KL - dKL/dx), x = 1 / T, with
          // dKL/dx = sum zh (q - p) + sum vh p (log p - log q - KL) (docs/distillers.md).
          double dkl_dx = 0;
          for (int64_t k = 0; k < K; ++k) {
            const double p = std::exp(lp[k]);
            dkl_dx += zs.h[k] * (std::exp(lq[k]) - p) +
                      (p > 0 ? vs.h[k] * p * (lp[k] - lq[k] - term) : 0.0);
          }
          dT_sum += a.lambda_kd * (2 * T * term - dkl_dx);
        }
        term *= a.lambda_kd * T * T;
      } else {
        // TCKD on the binary distributions [target, sum of the others] (cat_mask).
        const double la = log_sum_exp(sa), la_o = log_sum_exp(sa, y);
        const double lb = log_sum_exp(sb), lb_o = log_sum_exp(sb, y);
        const double lqg = sa[y] - la, lqo = la_o - la, lpg = sb[y] - lb, lpo = lb_o - lb;
        const double tckd = kl_term(lpg, lqg) + kl_term(lpo, lqo);
        // NCKD: softmaxes of logits / T - 1000 * gt_mask, taken literally. While the target's
        // logit / T exceeds every other by less than ~900, its masked weight is below e^-100 (0 in
        // float32): a (K-1)-class softmax over the non-target classes.
        std::vector<double> ma = sa, mb = sb;
        ma[y] -= kMaskShift;
        mb[y] -= kMaskShift;
        std::vector<double> lq2 = log_softmax(ma), lp2 = log_softmax(mb);
        double nckd = 0;
        for (int64_t k = 0; k < K; ++k) nckd += kl_term(lp2[k], lq2[k]);
        term = a.warmup * (a.alpha * tckd + a.beta * nckd) * T * T;
        // d TCKD / d a_k = q_k - p_g [k = g] - p_o [k != g] r_k, with r the non-target softmax;
        // d NCKD / d a_k = q2_k - p2_k.
        const double pg_ = std::exp(lpg), po = std::exp(lpo);
        for (int64_t k = 0; k < K; ++k) {
          const double gt = std::exp(lq[k]) - (k == y ? pg_ : po * std::exp(sa[k] - la_o));
          const double gn = std::exp(lq2[k]) - std::exp(lp2[k]);
          G[k] = a.warmup * T * (a.alpha * gt + a.beta * gn);  // warmup T^2 (...) / T
        }
      }
      kd_sum += term;
      // Back through the standardization: dz = (G - mean G) / d - zh (G . zh) / ((K - 1) s);
      // a constant row (s = 0) keeps only the first term.
      std::vector<double> dz = G;
      if (ls) {
        double gmean = 0, gdot = 0;
        for (int64_t k = 0; k < K; ++k) {
          gmean += G[k];
          gdot += G[k] * zs.h[k];
        }
        gmean /= static_cast<double>(K);
        const double proj = zs.s > 0 ? gdot / ((static_cast<double>(K) - 1) * zs.s) : 0.0;
        for (int64_t k = 0; k < K; ++k) dz[k] = (G[k] - gmean) / zs.d - zs.h[k] * proj;
      }
      for (int64_t k = 0; k < K; ++k) {
        const double ce_grad = a.lambda_ce * (std::exp(lz[k]) - (k == y ? 1.0 : 0.0));
        pg[n * K + k] = static_cast<T_>((dz[k] + ce_grad) * invB);
      }
    }
    T_* parts = out.parts.data<T_>();
    parts[0] = static_cast<T_>(a.lambda_ce * ce_sum * invB);
    parts[1] = static_cast<T_>(kd_sum * invB);
    *out.loss.data<T_>() = static_cast<T_>((a.lambda_ce * ce_sum + kd_sum) * invB);
    if (learned) *out.dtemp.data<T_>() = static_cast<T_>(dT_sum * invB);
  });
  return out;
}

}  // namespace zkd::cpu
