// Shared loss-test helpers and property checks (see kd_loss_test_util.h).
#include "tests/losses/kd_loss_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "engine/autograd/variable.h"
#include "engine/ops/ops.h"
#include "tests/common/test_util.h"

namespace zkd::test {

std::vector<KdCase> kd_cases() {
  KdLossArgs kd;
  kd.method = KdMethod::KD;
  kd.temperature = 4;
  kd.lambda_ce = 0.1f;
  kd.lambda_kd = 0.9f;
  KdLossArgs kd_ls;
  kd_ls.method = KdMethod::KD_LS;
  kd_ls.temperature = 2;
  kd_ls.lambda_ce = 0.1f;
  kd_ls.lambda_kd = 9;
  KdLossArgs dkd;
  dkd.method = KdMethod::DKD;
  dkd.temperature = 4;
  dkd.lambda_ce = 1;
  dkd.alpha = 1;
  dkd.beta = 8;
  dkd.warmup = 0.25f;
  KdLossArgs dkd_ls;
  dkd_ls.method = KdMethod::DKD_LS;
  dkd_ls.temperature = 2;
  dkd_ls.lambda_ce = 1;
  dkd_ls.alpha = 9;
  dkd_ls.beta = 72;
  dkd_ls.warmup = 1;
  return {{"KD", kd}, {"KD_LS", kd_ls}, {"DKD", dkd}, {"DKD_LS", dkd_ls}};
}

KdLossArgs without_ce(KdLossArgs a) {
  a.lambda_ce = 0;
  return a;
}

KdResult run_kd(const Tensor& z, const Tensor& v, const Tensor& labels, const KdLossArgs& a) {
  Variable zv(z.clone(), true);
  KdLossResult r = kd_loss(zv, v, labels, a);
  r.loss.backward();
  KdResult out;
  out.loss = r.loss.data();
  out.parts = r.parts;
  out.grad = zv.grad();
  out.total = out.loss.to(Device::cpu()).to(DType::F64).item<double>();
  out.part = out.parts.to(Device::cpu()).to(DType::F64).to_vector<double>();
  out.g = out.grad.to(Device::cpu()).to(DType::F64).to_vector<double>();
  return out;
}

double scaled_error(const std::vector<double>& got, const std::vector<double>& want) {
  double scale = 0, err = 0;
  for (double w : want) scale = std::max(scale, std::fabs(w));
  for (size_t i = 0; i < got.size() && i < want.size(); ++i)
    err = std::max(err, std::fabs(got[i] - want[i]));
  if (got.size() != want.size()) return INFINITY;
  return err / std::max(scale, 1e-30);
}

namespace {
bool all_finite(const KdResult& r) {
  if (!std::isfinite(r.total)) return false;
  for (double x : r.part)
    if (!std::isfinite(x)) return false;
  for (double x : r.g)
    if (!std::isfinite(x)) return false;
  return true;
}

// A host [B, K] double matrix as a tensor of dtype on dev.
Tensor make(const std::vector<double>& x, int64_t B, int64_t K, Device dev, DType dt) {
  return from_vector(x, {B, K}).to(dt).to(dev);
}

std::vector<double> host(const Tensor& t) {
  return t.to(Device::cpu()).to(DType::F64).to_vector<double>();
}

void measure(const char* what, const std::string& method, double err) {
  std::printf("[kd-measure] %s %s scaled_error=%.3e\n", what, method.c_str(), err);
}
}  // namespace

void check_affine_invariance(Device dev, DType dt, double tol) {
  const int64_t B = 4, K = 100;
  const Tensor z0 = random_tensor({B, K}, 101, dt, dev, -4, 4);
  const Tensor v0 = random_tensor({B, K}, 102, dt, dev, -6, 6);
  const Tensor y = random_labels(B, K, 103, dev);
  for (const KdCase& c : kd_cases()) {
    if (c.args.method != KdMethod::KD_LS && c.args.method != KdMethod::DKD_LS) continue;
    const KdLossArgs a = without_ce(c.args);  // CE sees the raw z, so it is not invariant
    const KdResult base = run_kd(z0, v0, y, a);
    for (const auto& [scale, shift] : {std::pair{2.5, -3.0}, std::pair{0.4, 7.0}}) {
      // Teacher row 1 -> scale * row + shift: loss, parts and gradient unchanged.
      std::vector<double> v = host(v0);
      for (int64_t k = 0; k < K; ++k) v[K + k] = scale * v[K + k] + shift;
      const KdResult rv = run_kd(z0, make(v, B, K, dev, dt), y, a);
      const double ev =
          std::max(scaled_error({rv.total}, {base.total}), scaled_error(rv.g, base.g));
      measure("affine_teacher", c.name, ev);
      EXPECT_LE(ev, tol) << c.name << " teacher row * " << scale << " + " << shift;
      // Student row 2 -> scale * row + shift: loss unchanged, that row's gradient / scale.
      std::vector<double> z = host(z0);
      for (int64_t k = 0; k < K; ++k) z[2 * K + k] = scale * z[2 * K + k] + shift;
      const KdResult rz = run_kd(make(z, B, K, dev, dt), v0, y, a);
      std::vector<double> g = rz.g;
      for (int64_t k = 0; k < K; ++k) g[2 * K + k] *= scale;
      const double ez = std::max(scaled_error({rz.total}, {base.total}), scaled_error(g, base.g));
      measure("affine_student", c.name, ez);
      EXPECT_LE(ez, tol) << c.name << " student row * " << scale << " + " << shift;
    }
  }
}

void check_kd_rows_sum_to_zero(Device dev, DType dt, double tol) {
  for (const auto& [B, K] : {std::pair<int64_t, int64_t>{5, 100}, {3, 7}, {2, 1500}}) {
    const Tensor z = random_tensor({B, K}, 201 + K, dt, dev, -5, 5);
    const Tensor v = random_tensor({B, K}, 202 + K, dt, dev, -5, 5);
    const Tensor y = random_labels(B, K, 203 + K, dev);
    for (const KdCase& c : kd_cases()) {
      const KdResult r = run_kd(z, v, y, without_ce(c.args));
      double worst = 0;
      for (int64_t n = 0; n < B; ++n) {
        double sum = 0, abs_sum = 0;
        for (int64_t k = 0; k < K; ++k) {
          sum += r.g[n * K + k];
          abs_sum += std::fabs(r.g[n * K + k]);
        }
        ASSERT_GT(abs_sum, 0) << c.name << ": a zero gradient row proves nothing";
        worst = std::max(worst, std::fabs(sum) / abs_sum);
      }
      measure("row_sum", c.name + " K=" + std::to_string(K), worst);
      EXPECT_LE(worst, tol) << c.name << " B=" << B << " K=" << K;
      // The CE gradient alone also sums to 0, so the full gradient does too; but with CE the KD
      // part must differ from the full gradient (lambda_ce really switched it off).
      const KdResult full = run_kd(z, v, y, c.args);
      EXPECT_GT(scaled_error(full.g, r.g), 1e-3) << c.name;
    }
  }
}

void check_constant_rows_finite(Device dev, DType dt) {
  const int64_t B = 4, K = 10;
  // Row 0: student constant (exactly representable: std exactly 0); row 1: teacher constant;
  // row 2: both constant with an inexact value (std ~ rounding); row 3: random.
  std::vector<double> z = host(random_tensor({B, K}, 301, DType::F64, Device::cpu(), -3, 3));
  std::vector<double> v = host(random_tensor({B, K}, 302, DType::F64, Device::cpu(), -3, 3));
  for (int64_t k = 0; k < K; ++k) {
    z[k] = 0.75;
    v[K + k] = -2.5;
    z[2 * K + k] = 0.1;
    v[2 * K + k] = 0.3;
  }
  const Tensor y = random_labels(B, K, 303, dev);
  for (const KdCase& c : kd_cases()) {
    const KdResult r = run_kd(make(z, B, K, dev, dt), make(v, B, K, dev, dt), y, c.args);
    EXPECT_TRUE(all_finite(r)) << c.name << ": loss " << r.total;
  }
}

void check_huge_logits_finite(Device dev, DType dt) {
  for (const auto& [B, K] : {std::pair<int64_t, int64_t>{4, 100}, {2, 7}}) {
    const Tensor z = random_tensor({B, K}, 401 + K, dt, dev, -1e4, 1e4);
    const Tensor v = random_tensor({B, K}, 402 + K, dt, dev, -1e4, 1e4);
    const Tensor y = random_labels(B, K, 403 + K, dev);
    for (const KdCase& c : kd_cases()) {
      const KdResult r = run_kd(z, v, y, c.args);
      EXPECT_TRUE(all_finite(r)) << c.name << " K=" << K << ": loss " << r.total;
      EXPECT_GT(r.total, 0) << c.name;
    }
  }
}

void check_mean_over_actual_batch(Device dev, DType dt, double tol) {
  // A batch of 64 made of four copies of a batch of 16: same loss and parts, and each row's
  // gradient a quarter of the 16-row one; and the 16-row loss is the mean of the 1-row losses.
  const int64_t B = 16, K = 100;
  const std::vector<double> z = host(random_tensor({B, K}, 501, DType::F64, Device::cpu(), -5, 5));
  const std::vector<double> v = host(random_tensor({B, K}, 502, DType::F64, Device::cpu(), -5, 5));
  const std::vector<int64_t> y = random_labels(B, K, 503).to_vector<int64_t>();
  std::vector<double> z4, v4;
  std::vector<int64_t> y4;
  for (int r = 0; r < 4; ++r) {
    z4.insert(z4.end(), z.begin(), z.end());
    v4.insert(v4.end(), v.begin(), v.end());
    y4.insert(y4.end(), y.begin(), y.end());
  }
  for (const KdCase& c : kd_cases()) {
    const KdResult r16 =
        run_kd(make(z, B, K, dev, dt), make(v, B, K, dev, dt), from_vector(y, {B}, dev), c.args);
    const KdResult r64 = run_kd(make(z4, 4 * B, K, dev, dt), make(v4, 4 * B, K, dev, dt),
                                from_vector(y4, {4 * B}, dev), c.args);
    std::vector<double> g16x = r16.g;
    for (double& x : g16x) x /= 4;
    std::vector<double> g64 = r64.g;
    g64.resize(static_cast<size_t>(B * K));
    const double e64 = std::max({scaled_error({r64.total}, {r16.total}),
                                 scaled_error(r64.part, r16.part), scaled_error(g64, g16x)});
    measure("batch_64_vs_16", c.name, e64);
    EXPECT_LE(e64, tol) << c.name;
    double mean = 0;
    for (int64_t n = 0; n < B; ++n) {
      std::vector<double> zn(z.begin() + n * K, z.begin() + (n + 1) * K);
      std::vector<double> vn(v.begin() + n * K, v.begin() + (n + 1) * K);
      mean += run_kd(make(zn, 1, K, dev, dt), make(vn, 1, K, dev, dt),
                     from_vector(std::vector<int64_t>{y[n]}, {1}, dev), c.args)
                  .total /
              B;
    }
    const double e1 = scaled_error({r16.total}, {mean});
    measure("batch_16_vs_rows", c.name, e1);
    EXPECT_LE(e1, tol) << c.name;
  }
}

void check_backward_scales(Device dev, DType dt, double tol) {
  const Tensor z = random_tensor({6, 20}, 601, dt, dev, -4, 4);
  const Tensor v = random_tensor({6, 20}, 602, dt, dev, -4, 4);
  const Tensor y = random_labels(6, 20, 603, dev);
  for (const KdCase& c : kd_cases()) {
    const KdResult base = run_kd(z, v, y, c.args);
    for (double up : {3.5, -0.25}) {
      Variable zv(z.clone(), true);
      mul_scalar(kd_loss(zv, v, y, c.args).loss, up).backward();
      std::vector<double> want = base.g;
      for (double& x : want) x *= up;
      const double e = scaled_error(host(zv.grad()), want);
      measure("backward_scale", c.name, e);
      EXPECT_LE(e, tol) << c.name << " upstream " << up;
    }
  }
}

}  // namespace zkd::test
