// The shared teacher forward on the GPU (Strict math): the members' batches stacked on the
// device, one eval-mode forward, the logits split into per-member views, against one forward per
// member on the GPU; and against the CPU's stacked forward. Not bitwise: cuDNN may choose another
// algorithm for N x B images than for B, and the final GEMM blocks by row count.
// Tolerances, PROVISIONAL until measured on the GPU (the [zkd-error] lines give the GPU check the
// measured errors): stacked vs alone on the GPU 64 FLT_EPSILON x max |logit|, 4x the bound of the
// CPU test (shared_teacher_test.cpp: measured 4.7, bound 16) for cuDNN's per-batch-size
// algorithms; GPU vs CPU 1e-4 x max |logit|, the whole-network check's logits tolerance
// (tests/cuda/network_test.cpp). A wrong row split or stride is off by the logits' own size.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>

#include "apps/sweep/shared_teacher.h"
#include "tests/common/test_util.h"
#include "tests/cuda/gpu_compare.h"
#include "tests/sweep/shared_teacher_util.h"

namespace zkd::app::sweep {
namespace {

double max_abs(const Tensor& t) {
  double m = 0;
  for (float v : t.to(Device::cpu()).to_vector<float>()) m = std::max(m, std::fabs(double(v)));
  return m;
}

TEST(SharedTeacherCuda, StackedForwardEqualsOneForwardPerMemberAndTheCpu) {
  ZKD_REQUIRE_GPU();
  test::MathModeGuard strict;
  const Device gpu = Device::cuda(0);
  for (const char* name : {"resnet20", "ShuffleV2"}) {
    Generator g(5);
    std::shared_ptr<Module> teacher = warmed_teacher(name, g);
    std::vector<Tensor> host = member_batches(g);
    std::vector<Tensor> cpu_shared = shared_teacher_logits(*teacher, host);
    teacher->to(gpu);
    std::vector<Tensor> batches;
    for (const Tensor& h : host) batches.push_back(h.to(gpu));
    std::vector<Tensor> shared = shared_teacher_logits(*teacher, batches);
    EXPECT_FALSE(teacher->is_training());
    ASSERT_EQ(shared.size(), 3u);
    for (size_t i = 0; i < batches.size(); ++i) {
      Tensor alone = forward_alone(*teacher, batches[i]);
      ASSERT_EQ(shared[i].shape(), alone.shape()) << name;
      ASSERT_EQ(shared[i].device(), gpu) << name;
      const double scale = max_abs(alone);
      ASSERT_GT(scale, 0.0) << name;
      test::report_error(std::string("shared_teacher_vs_alone/") + name, shared[i], alone);
      test::report_error(std::string("shared_teacher_vs_cpu/") + name, shared[i], cpu_shared[i]);
      EXPECT_LE(test::diff(shared[i], alone).max_abs, 64 * FLT_EPSILON * scale)
          << name << " member " << i;
      EXPECT_LE(test::diff(shared[i], cpu_shared[i]).max_abs, 1e-4 * scale)
          << name << " member " << i;
    }
  }
}

}  // namespace
}  // namespace zkd::app::sweep
