// Autograd graph tests: a value used twice, a diamond, no-grad, backward twice through fresh
// graphs, a used graph refused, gradient accumulation, and a gradcheck that must fail on a wrong
// backward (so the gradient checks can fail).
#include <gtest/gtest.h>

#include "engine/autograd/gradcheck.h"
#include "engine/backend/backend.h"
#include "engine/ops/ops.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

Variable leaf(const std::vector<double>& v) {
  return Variable(from_vector(v, {static_cast<int64_t>(v.size())}), true);
}

TEST(Autograd, ValueUsedTwice) {
  Variable x = leaf({1, -2, 3});
  sum(add(x, x)).backward();  // d/dx sum(2x) = 2
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{2, 2, 2}));
}

TEST(Autograd, Diamond) {
  // a = 3x; b = relu(a); c = 2a; y = sum(b + c): dy/dx = 3 * (1[a > 0] + 2).
  Variable x = leaf({1, -2, 3});
  Variable a = mul_scalar(x, 3);
  Variable y = sum(add(relu(a), mul_scalar(a, 2)));
  y.backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{9, 6, 9}));
}

TEST(Autograd, NoGradRecordsNothing) {
  Variable x = leaf({1, 2});
  Variable y;
  {
    NoGradGuard guard;
    y = mul_scalar(x, 2);
  }
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.grad_fn(), nullptr);
  EXPECT_THROW(y.backward(), Error);
  EXPECT_TRUE(grad_enabled());  // restored
}

TEST(Autograd, GradientsAccumulateAcrossBackwards) {
  Variable x = leaf({1, 2});
  sum(mul_scalar(x, 2)).backward();
  sum(mul_scalar(x, 3)).backward();  // a fresh graph each time
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{5, 5}));
}

TEST(Autograd, UsedGraphIsRefusedAndSavedTensorsReleased) {
  Variable x = leaf({1, -1});
  Variable r = relu(x);
  Variable y = sum(r);
  y.backward();
  EXPECT_TRUE(r.grad_fn()->released);
  try {
    y.backward();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("backward: expected a fresh graph"), std::string::npos)
        << e.what();
  }
}

TEST(Autograd, OnlyInputsThatNeedGradGetOne) {
  Variable x = leaf({1, 2});
  Variable c(from_vector<double>({3, 4}, {2}), false);
  sum(add(x, c)).backward();
  EXPECT_TRUE(x.grad().defined());
  EXPECT_FALSE(c.grad().defined());
}

TEST(Autograd, BackwardWithASeedGradient) {
  Variable x = leaf({1, 2, 3});
  mul_scalar(x, 2).backward(from_vector<double>({1, 10, 100}, {3}));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{2, 20, 200}));
}

// A node whose backward is deliberately wrong: y = x, but it returns 2 * dy.
struct WrongNode : Node {
  const char* name() const override { return "wrong"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {cpu::scale(g[0], 2.0)};
  }
};

TEST(Autograd, GradcheckCatchesAWrongBackward) {
  Variable x = leaf({0.5, -1.5, 2.0});
  GradcheckResult r = gradcheck(
      [](const std::vector<Variable>& v) {
        auto n = make_node<WrongNode>({&v[0]});
        return Variable::make_result(v[0].data().clone(), n);
      },
      {x});
  EXPECT_GT(r.max_error, 0.5) << "gradcheck must flag a backward that is off by a factor 2";
}

}  // namespace
}  // namespace zkd
