// Gradient checks in float64 on the CPU: the analytic gradient of every distillation loss (and of
// plain cross-entropy) with respect to the student logits against central differences.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "engine/autograd/gradcheck.h"
#include "engine/ops/ops.h"
#include "tests/common/test_util.h"
#include "tests/losses/kd_loss_test_util.h"

namespace zkd {
namespace {

// Central differences with eps 1e-4: the numeric error is smallest there (measured on DKD_LS,
// B 2, K 100: 7.7e-9 at 1e-3 (truncation ~ eps^2), 7.5e-10 at 1e-4, 8.0e-9 at 1e-5, 8.8e-8 at
// 1e-6 (rounding ~ 1/eps; the losses are O(10))), so the bounds below can be tight.
constexpr double kEps = 1e-4;
const std::pair<int64_t, int64_t> kShapes[] = {{1, 7}, {3, 7}, {2, 5}, {4, 33}, {2, 100}};

// The worst gradcheck error of `f` over the shapes; student U(-3, 3), teacher U(-4, 4).
template <typename F>
double worst_error(const char* what, F&& loss_of) {
  double worst = 0;
  uint64_t seed = 11;
  for (const auto& [B, K] : kShapes) {
    const Tensor v = test::random_tensor({B, K}, seed++, DType::F64, Device::cpu(), -4, 4);
    const Tensor y = test::random_labels(B, K, seed++);
    Variable z(test::random_tensor({B, K}, seed++, DType::F64, Device::cpu(), -3, 3), true);
    GradcheckResult r =
        gradcheck([&](const std::vector<Variable>& in) { return loss_of(in[0], v, y); }, {z}, kEps);
    EXPECT_EQ(r.checked, B * K);
    std::printf("[kd-measure] gradcheck %s B=%lld K=%lld max_error=%.3e (%s)\n", what,
                static_cast<long long>(B), static_cast<long long>(K), r.max_error, r.worst.c_str());
    worst = std::max(worst, r.max_error);
  }
  return worst;
}

double kd_worst(KdMethod m) {
  for (const test::KdCase& c : test::kd_cases())
    if (c.args.method == m)
      return worst_error(c.name.c_str(), [&](const Variable& z, const Tensor& v, const Tensor& y) {
        return kd_loss(z, v, y, c.args).loss;
      });
  ADD_FAILURE() << "no case for the method";
  return INFINITY;
}

// Bounds: ~10x the measured worst over the shapes (eps 1e-4; error = |analytic - numeric| /
// max(1, |numeric|)). Measured on this machine, worst shape in parentheses.
TEST(KdLossGradcheck, Kd) {  // measured 4.5e-11 (B 1, K 7)
  EXPECT_LT(kd_worst(KdMethod::KD), 5e-10);
}
TEST(KdLossGradcheck, KdLs) {  // measured 1.9e-9 (B 1, K 7)
  EXPECT_LT(kd_worst(KdMethod::KD_LS), 2e-8);
}
TEST(KdLossGradcheck, Dkd) {  // measured 1.7e-10 (B 1, K 7)
  EXPECT_LT(kd_worst(KdMethod::DKD), 2e-9);
}
TEST(KdLossGradcheck, DkdLs) {  // measured 6.5e-9 (B 1, K 7)
  EXPECT_LT(kd_worst(KdMethod::DKD_LS), 5e-8);
}
TEST(KdLossGradcheck, CrossEntropy) {  // measured 1.1e-10 (B 1, K 7)
  double e = worst_error("cross_entropy", [](const Variable& z, const Tensor&, const Tensor& y) {
    return cross_entropy(z, y);
  });
  EXPECT_LT(e, 1e-9);
}

}  // namespace
}  // namespace zkd
