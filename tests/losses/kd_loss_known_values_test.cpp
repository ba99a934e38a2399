// Known values: the CPU losses (float64) against the official code's numbers for one fixed case,
// computed independently with PyTorch in float64 (reference_values.py -> kd_loss_known_values.h).
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "tests/common/test_util.h"
#include "tests/losses/kd_loss_known_values.h"
#include "tests/losses/kd_loss_test_util.h"

namespace zkd {
namespace {

using test::known::kB;
using test::known::kK;

TEST(KdLossKnownValues, CpuFloat64MatchesTheOfficialCode) {
  const Tensor z = from_vector(
      std::vector<double>(test::known::kStudent, test::known::kStudent + kB * kK), {kB, kK});
  const Tensor v = from_vector(
      std::vector<double>(test::known::kTeacher, test::known::kTeacher + kB * kK), {kB, kK});
  const Tensor y =
      from_vector(std::vector<int64_t>(test::known::kLabels, test::known::kLabels + kB), {kB});
  for (const test::known::Case& c : test::known::kCases) {
    const test::KdResult r = test::run_kd(z, v, y, test::known::args_of(c));
    const std::vector<double> want_g(c.grad, c.grad + kB * kK);
    const double e_loss = test::scaled_error({r.total}, {c.loss});
    const double e_parts = test::scaled_error(r.part, {c.ce_part, c.kd_part});
    const double e_grad = test::scaled_error(r.g, want_g);
    std::printf("[kd-measure] known_values %s loss=%.3e parts=%.3e grad=%.3e\n", c.name, e_loss,
                e_parts, e_grad);
    // Measured (float64, this machine): scaled errors <= 6.9e-15 (KD parts); bound ~15x that.
    EXPECT_LE(e_loss, 1e-13) << c.name;
    EXPECT_LE(e_parts, 1e-13) << c.name;
    EXPECT_LE(e_grad, 1e-13) << c.name;
  }
}

}  // namespace
}  // namespace zkd
