// The shared teacher forward: one eval-mode forward over the members' stacked batches, split per
// member, against one forward per member. Not bitwise on the CPU: convolutions run per image, but
// the final linear layer is one GEMM over the batch and OpenBLAS's kernels round a row differently
// with the row count (a few ulp; batch 1 happens to match). The measured bound is below;
// docs/sweeps.md discusses what it means for the GPU path.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "apps/sweep/shared_teacher.h"
#include "nets/registry.h"
#include "tests/sweep/shared_teacher_util.h"

namespace zkd::app::sweep {
namespace {

TEST(SharedTeacher, StackedForwardEqualsOneForwardPerMember) {
  for (const char* name : {"resnet20", "wrn_16_2", "ShuffleV2"}) {
    Generator g(3);
    std::shared_ptr<Module> teacher = warmed_teacher(name, g);
    std::vector<Tensor> batches = member_batches(g);
    std::vector<Tensor> shared = shared_teacher_logits(*teacher, batches);
    EXPECT_FALSE(teacher->is_training());
    ASSERT_EQ(shared.size(), 3u);
    for (size_t i = 0; i < batches.size(); ++i) {
      Tensor alone = forward_alone(*teacher, batches[i]);
      ASSERT_EQ(shared[i].shape(), alone.shape()) << name;
      std::vector<float> a = shared[i].to_vector<float>(), b = alone.to_vector<float>();
      double max_err = 0, scale = 0;
      for (size_t k = 0; k < a.size(); ++k) {
        max_err = std::max(max_err, std::fabs(double(a[k]) - b[k]));
        scale = std::max(scale, std::fabs(double(b[k])));
      }
      std::printf(
          "%s member %zu (batch %lld of %lld): max |shared - alone| = %.3g, max |logit| = %.3g, "
          "bitwise %s\n",
          name, i, (long long)batches[i].size(0), 9LL, max_err, scale,
          std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0 ? "yes" : "no");
      // Measured on the CPU with the fp32 convolutions on oneDNN (whose blocking, like OpenBLAS's
      // in the final linear layer, depends on the batch size): at most 4.7 FLT_EPSILON x max
      // |logit| (wrn_16_2, batch 3 of 9: 1.64e-7 at 0.296; resnet20 1.7, ShuffleV2 1.7); bound
      // 16 FLT_EPSILON x max |logit|, about 3x that. A wrong row split would be off by the
      // logits' own size.
      EXPECT_LE(max_err, 16 * FLT_EPSILON * scale) << name << " member " << i;
    }
  }
}

TEST(SharedTeacher, RejectsMismatchedBatches) {
  Generator g(0);
  std::shared_ptr<Module> teacher = nets::create("resnet20", g, 10);
  EXPECT_THROW(shared_teacher_logits(*teacher, {}), Error);
  EXPECT_THROW(shared_teacher_logits(*teacher, {zeros({2, 3, 32, 32}), zeros({2, 3, 16, 16})}),
               Error);
}

}  // namespace
}  // namespace zkd::app::sweep
