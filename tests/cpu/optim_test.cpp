// SGD against its formula (momentum, weight decay, Nesterov) over the flat buffers, and the LR
// schedules (the paper's strict ">" milestones).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/optim/sgd.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

TEST(SGD, StepsMatchTheFormula) {
  Variable a(from_vector<float>({1.0f, -2.0f}, {2}), true);
  Variable b(from_vector<float>({0.5f}, {1}), true);
  SgdArgs args;
  args.lr = 0.1f;
  args.momentum = 0.9f;
  args.weight_decay = 0.01f;
  SGD opt({a, b}, args);
  // The parameters now live in one flat buffer.
  EXPECT_EQ(a.data().storage(), opt.flat().values().storage());
  EXPECT_EQ(b.data().storage(), opt.flat().values().storage());
  std::vector<double> w = {1.0, -2.0, 0.5}, m = {0, 0, 0};
  std::vector<std::vector<double>> grads = {{0.3, -0.1, 2.0}, {-0.2, 0.4, 1.0}};
  for (const auto& g : grads) {
    opt.zero_grad();
    a.grad().copy_from(
        from_vector<float>({static_cast<float>(g[0]), static_cast<float>(g[1])}, {2}));
    b.grad().copy_from(from_vector<float>({static_cast<float>(g[2])}, {1}));
    opt.step();
    for (int i = 0; i < 3; ++i) {
      double d = g[i] + 0.01 * w[i];
      m[i] = 0.9 * m[i] + d;
      w[i] -= 0.1 * m[i];
    }
  }
  std::vector<float> got = opt.flat().values().to_vector<float>();
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(got[i], w[i], 1e-6) << i;  // float32 rounding ~1e-7
  EXPECT_NEAR(a.data().to_vector<float>()[1], w[1], 1e-6);
}

TEST(SGD, Nesterov) {
  Variable a(from_vector<double>({1.0}, {1}), true);
  SgdArgs args;
  args.lr = 0.5f;
  args.momentum = 0.5f;
  args.weight_decay = 0.0f;
  args.nesterov = true;
  SGD opt({a}, args);
  double w = 1, m = 0;
  for (double g : {1.0, 2.0}) {
    opt.zero_grad();
    a.grad().copy_from(from_vector<double>({g}, {1}));
    opt.step();
    m = 0.5 * m + g;
    w -= 0.5 * (g + 0.5 * m);
  }
  EXPECT_DOUBLE_EQ(a.data().to_vector<double>()[0], w);
}

TEST(SGD, ZeroGradClearsTheFlatGradients) {
  Variable a(from_vector<float>({1, 2}, {2}), true);
  SGD opt({a}, SgdArgs{});
  a.grad().copy_from(from_vector<float>({3, 4}, {2}));
  opt.zero_grad();
  EXPECT_EQ(a.grad().to_vector<float>(), (std::vector<float>{0, 0}));
}

TEST(LRSchedule, PaperMultiStep) {
  const std::vector<int> ms = {150, 180, 210};
  EXPECT_FLOAT_EQ(multistep_lr(0.05f, 1, ms), 0.05f);
  EXPECT_FLOAT_EQ(multistep_lr(0.05f, 150, ms), 0.05f);  // strict ">"
  EXPECT_FLOAT_EQ(multistep_lr(0.05f, 151, ms), 0.005f);
  EXPECT_FLOAT_EQ(multistep_lr(0.05f, 180, ms), 0.005f);
  EXPECT_FLOAT_EQ(multistep_lr(0.05f, 181, ms), 0.0005f);
  EXPECT_FLOAT_EQ(multistep_lr(0.05f, 211, ms), 0.00005f);
  EXPECT_FLOAT_EQ(multistep_lr(0.05f, 240, ms), 0.00005f);
}

TEST(LRSchedule, Cosine) {
  EXPECT_FLOAT_EQ(cosine_lr(0.1f, 1, 10), 0.1f);
  EXPECT_NEAR(cosine_lr(0.1f, 6, 10), 0.05f, 1e-7);
  // The last epoch still trains: 0.1 * (1 + cos(0.9 pi)) / 2.
  EXPECT_NEAR(cosine_lr(0.1f, 10, 10), 0.1 * (1 + std::cos(0.9 * M_PI)) / 2, 1e-7);
  EXPECT_GT(cosine_lr(0.1f, 10, 10), 0.002f);
}

}  // namespace
}  // namespace zkd
