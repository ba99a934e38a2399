// A whole training step (forward, cross-entropy, backward, SGD) of zoo nets in bf16 against the
// same step in fp32 from the same initialization and batch: the loss, the gradients and the
// updated parameters stay within bf16's error (bounds measured, see each check); the bf16 step
// is repeatable bit for bit (same seed, same thread count); and fp32 under no guard is the fp32
// step, bit for bit.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/ops/ops.h"
#include "engine/optim/sgd.h"
#include "nets/registry.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

struct StepResult {
  double loss;
  std::vector<float> grads, params;  // every parameter's gradient / value after the step
};

StepResult one_step(const std::string& net, Precision p, bool guard = true) {
  Generator gen(3), data(4);
  auto m = nets::create(net, gen);
  SGD opt(m->parameters(), SgdArgs{});
  const int64_t B = 6;
  Tensor x = uniform({B, 3, 32, 32}, -1, 1, data);
  Tensor labels = test::random_labels(B, 100, 5);
  opt.zero_grad();
  Variable loss;
  if (guard) {
    PrecisionScope scope(p);
    loss = cross_entropy((*m)(Variable(x)), labels);
  } else {
    loss = cross_entropy((*m)(Variable(x)), labels);
  }
  loss.backward();
  StepResult r{loss.data().item_double(), {}, {}};
  for (const Variable& v : m->parameters()) {
    std::vector<float> g = v.grad().to_vector<float>();
    r.grads.insert(r.grads.end(), g.begin(), g.end());
  }
  opt.step();
  for (const Variable& v : m->parameters()) {
    std::vector<float> w = v.data().to_vector<float>();
    r.params.insert(r.params.end(), w.begin(), w.end());
  }
  return r;
}

class Bf16Step : public ::testing::TestWithParam<const char*> {};

TEST_P(Bf16Step, WithinBf16ErrorOfFp32AndRepeatable) {
  const std::string net = GetParam();
  StepResult f = one_step(net, Precision::F32), h = one_step(net, Precision::BF16);
  double dloss = std::fabs(h.loss - f.loss) / f.loss;
  double dgrad = test::rel_l2(h.grads, f.grads), dparam = test::rel_l2(h.params, f.params);
  std::printf(
      "[bf16-step] %s loss %.6f vs %.6f (rel %.2e), grads rel-L2 %.2e, params rel-L2 %.2e\n",
      net.c_str(), h.loss, f.loss, dloss, dgrad, dparam);
  // Bounds: 1.5x the values measured here (batch 6, emulated bf16, which equals native up to
  // summation order). Loss: rel 8e-5 (resnet8x4), 1e-4 (resnet20), 2.0e-3 (ShuffleV2).
  // Gradients, rel-L2 over all parameters: 0.061, 0.24, 0.91; parameters after the SGD step:
  // 4.4e-4, 2.8e-3, 3.9e-2. The gradients' distance is large at initialization because some
  // are exact zeros in exact arithmetic (the bias of a BN whose output goes through a 1x1 conv
  // into another BN: the second BN's backward makes dy sum to zero, which bf16 rounding of dy
  // breaks) and ReLU / max-pool decisions flip; it shrinks ~4x per 2 bits of operand precision
  // (docs/precision.md, measured with 8..20 dropped bits), i.e. it is rounding, not a defect.
  struct Bound {
    double loss, grads, params;
  };
  const Bound b = net == "resnet8x4"  ? Bound{5e-3, 0.09, 7e-4}
                  : net == "resnet20" ? Bound{5e-3, 0.36, 4.2e-3}
                                      : Bound{5e-3, 1.4, 6e-2};
  EXPECT_LT(dloss, b.loss);
  EXPECT_LT(dgrad, b.grads);
  EXPECT_GT(dgrad, 1e-4) << "bf16 gave the fp32 gradients: the policy did not apply";
  EXPECT_LT(dparam, b.params);

  StepResult again = one_step(net, Precision::BF16);
  EXPECT_EQ(again.loss, h.loss);
  EXPECT_TRUE(again.grads == h.grads) << "bf16 gradients differ between identical runs";
  EXPECT_TRUE(again.params == h.params) << "bf16 parameters differ between identical runs";

  StepResult plain = one_step(net, Precision::F32, /*guard=*/false);
  EXPECT_EQ(plain.loss, f.loss);
  EXPECT_TRUE(plain.params == f.params) << "fp32 under the fp32 guard is not the plain fp32 step";
}

INSTANTIATE_TEST_SUITE_P(Nets, Bf16Step, ::testing::Values("resnet8x4", "resnet20", "ShuffleV2"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace zkd
