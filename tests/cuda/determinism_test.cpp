// Determinism in Strict mode: the same two training steps (forward, backward, fused SGD update)
// of the small ResNet from the same weights and batch give bit-identical loss, parameters,
// gradients and running statistics -- with freshly searched cuDNN algorithms (plan cache cleared)
// and with cached ones. The batch (16 x 3 x 32 x 32) is large enough that an atomics-based
// (non-deterministic) backward-filter algorithm would show.
#include <gtest/gtest.h>

#include <cstring>

#include "engine/backend/cuda/cudnn_conv.h"
#include "engine/optim/sgd.h"
#include "tests/cuda/gpu_compare.h"
#include "tests/cuda/small_resnet.h"

namespace zkd {
namespace {

struct Snapshot {
  std::vector<float> losses, values, grads, stats;
};

Snapshot train_two_steps() {
  Generator gen(5);
  test::SmallResNet net(gen);
  net.to(Device::cuda(0));
  net.train();
  SGD opt(net.parameters(), SgdArgs{0.1f, 0.9f, 5e-4f, false});
  auto x = test::gpu_input({16, 3, 32, 32}, 6);
  Tensor labels = test::random_labels(16, 10, 7, Device::cuda(0));
  Snapshot s;
  for (int step = 0; step < 2; ++step) {
    opt.zero_grad();
    Variable loss = cross_entropy(net(Variable(x.gpu)), labels);
    loss.backward();
    opt.step();
    s.losses.push_back(loss.data().item<float>());
  }
  s.values = opt.flat().values().to_vector<float>();
  s.grads = opt.flat().grads().to_vector<float>();
  for (auto& nb : net.named_buffers()) {
    if (!is_floating(nb.second.dtype())) continue;
    std::vector<float> v = nb.second.data().to_vector<float>();
    s.stats.insert(s.stats.end(), v.begin(), v.end());
  }
  return s;
}

// Bit-for-bit equality (so -0.0 vs 0.0 or two NaN payloads would also count as different).
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(DeterminismCuda, StrictTrainingStepsAreBitIdentical) {
  ZKD_REQUIRE_GPU();
  test::MathModeGuard strict;
  cuda::clear_conv_plans();
  Snapshot first = train_two_steps();
  cuda::clear_conv_plans();  // search the algorithms again
  Snapshot fresh = train_two_steps();
  Snapshot cached = train_two_steps();  // reuse the plans just found
  for (const Snapshot* s : {&fresh, &cached}) {
    EXPECT_TRUE(same_bits(first.losses, s->losses));
    EXPECT_TRUE(same_bits(first.values, s->values));
    EXPECT_TRUE(same_bits(first.grads, s->grads));
    EXPECT_TRUE(same_bits(first.stats, s->stats));
  }
  // The steps did something: the loss moved and the gradients are not zero.
  EXPECT_NE(first.losses[0], first.losses[1]);
  double g2 = 0;
  for (float g : first.grads) g2 += double(g) * g;
  EXPECT_GT(g2, 0.0);
}

}  // namespace
}  // namespace zkd
