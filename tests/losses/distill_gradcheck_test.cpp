// The MLKD and CTKD losses and their helpers (docs/distillers.md), float64 on the CPU: gradient
// checks of every new op and of the whole losses (MLKD as a function of the student logits of
// both views; CTKD of the logits and of its temperature parameter, through the gradient-reversal
// layer), plus the median masks' np.percentile(x, 50) semantics and the recipes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "apps/config/recipes.h"
#include "apps/methods/distiller.h"
#include "engine/autograd/gradcheck.h"
#include "engine/backend/backend.h"
#include "engine/ops/ops.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

constexpr double kEps = 1e-4;  // central differences (see kd_loss_gradcheck_test.cpp for why)

Tensor rnd(const Shape& s, uint64_t seed, double lo = -3, double hi = 3) {
  return test::random_tensor(s, seed, DType::F64, Device::cpu(), lo, hi);
}

double check(const char* what, const GradcheckFn& f, const std::vector<Variable>& in) {
  GradcheckResult r = gradcheck(f, in, kEps);
  std::printf("[distill-measure] gradcheck %s max_error=%.3e (%s)\n", what, r.max_error,
              r.worst.c_str());
  EXPECT_GT(r.checked, 0);
  return r.max_error;
}

// Bounds: ~10x the measured worst error, measured on this machine (in parentheses).
TEST(DistillOpsGradcheck, Helpers) {
  Variable x(rnd({3, 5}, 1), true);
  EXPECT_LT(check("transpose", [](const std::vector<Variable>& v) { return transpose(v[0]); }, {x}),
            1e-9);
  EXPECT_LT(check("sigmoid", [](const std::vector<Variable>& v) { return sigmoid(v[0]); }, {x}),
            1e-9);
  EXPECT_LT(check("add_scalar",
                  [](const std::vector<Variable>& v) { return add_scalar(v[0], 2.5); }, {x}),
            1e-9);
  Tensor s = full({}, -0.7, DType::F64);
  EXPECT_LT(
      check("scale_by", [&](const std::vector<Variable>& v) { return scale_by(v[0], s); }, {x}),
      1e-9);
}

TEST(DistillOpsGradcheck, GradScaleMultipliesOnlyTheGradient) {
  Variable x(rnd({4}, 2), true);
  Variable y = grad_scale(x, -0.25);
  EXPECT_TRUE(test::all_close(y.data(), x.data(), 0, 0, "forward is the identity"));
  sum(y).backward();
  EXPECT_TRUE(
      test::all_close(x.grad(), full({4}, -0.25, DType::F64), 0, 0, "backward is lambda * g"));
}

// kd_loss with a learned temperature: the gradient with respect to the logits and to T.
TEST(DistillOpsGradcheck, KdLossLearnedTemperature) {
  for (KdMethod m : {KdMethod::KD, KdMethod::KD_LS})
    for (float eps : {0.0f, 1e-7f})
      for (double T0 : {0.75, 2.25, 9.0}) {  // exact in float32: the fixed-T op takes a float
        KdLossArgs a;
        a.method = m;
        a.lambda_ce = 0.1f;
        a.lambda_kd = 9;
        a.std_eps = eps;
        const Tensor v = rnd({3, 11}, 5, -4, 4), y = test::random_labels(3, 11, 6);
        Variable z(rnd({3, 11}, 7), true), T(full({1}, T0, DType::F64), true);
        GradcheckFn f = [&](const std::vector<Variable>& in) {
          return kd_loss(in[0], v, y, a, in[1]).loss;
        };
        // The loss curves sharply in T at small T, so central differences with eps 1e-4 carry a
        // truncation error ~eps^2 there (measured 3.2e-8 at T 0.7 with LS); at eps 2.5e-5 it
        // is 16x smaller. The check holds the smaller of the two errors.
        double e = check("kd_loss(z, T)", f, {z, T});
        GradcheckResult fine = gradcheck(f, {z, T}, kEps / 4);
        std::printf("[distill-measure] gradcheck kd_loss(z, T) eps %.1e max_error=%.3e\n", kEps / 4,
                    fine.max_error);
        EXPECT_LT(std::min(e, fine.max_error), 1e-8) << "method " << static_cast<int>(m) << " eps "
                                                     << eps << " T " << T0;  // measured 2.2e-9
        // The learned-T path at a fixed T equals the fixed-T op.
        a.temperature = static_cast<float>(T0);
        KdLossResult fixed = kd_loss(Variable(z.data()), v, y, a);
        KdLossResult learned =
            kd_loss(Variable(z.data()), v, y, a, Variable(full({1}, T0, DType::F64)));
        EXPECT_NEAR(fixed.loss.data().item_double(), learned.loss.data().item_double(), 1e-12);
      }
}

app::TrainConfig config(const std::string& method) {
  app::TrainConfig c;
  c.method = app::Method::parse(method);
  app::use_loss_defaults(c, app::paper_defaults(c.method, "resnet32x4", "resnet8x4"));
  return c;
}

// MLKD(+LS): the whole loss as a function of the weak and strong student logits. The masks are
// functions of the teacher only, so they are constants here.
TEST(DistillGradcheck, MlkdTotal) {
  for (const char* m : {"mlkd", "mlkd+ls"})
    for (int64_t B : {5, 6}) {
      const int64_t K = 9;
      auto d = app::make_distiller(config(m), Device::cpu(), DType::F64);
      ASSERT_TRUE(d->needs_strong_view());
      app::ViewLogits t{Variable(rnd({B, K}, 11, -4, 4)), Variable(rnd({B, K}, 12, -4, 4))};
      const Tensor y = test::random_labels(B, K, 13);
      Variable zw(rnd({B, K}, 14), true), zs(rnd({B, K}, 15), true);
      double e = check(m,
                       [&](const std::vector<Variable>& in) {
                         return d->loss({in[0], in[1]}, t, y).loss;
                       },
                       {zw, zs});
      EXPECT_LT(e, 5e-8) << m << " B " << B;  // measured 3e-9
      app::StepLoss sl = d->loss({zw, zs}, t, y);
      double parts = 0;
      for (auto& [name, v] : sl.terms) parts += v.item_double();
      EXPECT_EQ(sl.terms.size(), 4u);
      EXPECT_NEAR(parts, sl.loss.data().item_double(), 1e-12) << "the terms add up to the loss";
    }
}

// CTKD(+LS): the loss of the logits and of the temperature parameter g. The analytic gradient of
// g is lambda times the true derivative (the gradient-reversal layer), so the check runs against
// lambda * numeric: the loss is recomputed with lambda = 1 for the numeric side.
TEST(DistillGradcheck, CtkdLogitsAndTemperature) {
  for (const char* m : {"ctkd", "ctkd+ls"}) {
    app::TrainConfig c = config(m);
    auto d = app::make_distiller(c, Device::cpu(), DType::F64);
    auto params = d->parameters();
    ASSERT_EQ(params.size(), 1u);
    Variable g = params[0].second;
    const int64_t B = 4, K = 10;
    app::ViewLogits t{Variable(rnd({B, K}, 21, -4, 4)), Variable()};
    const Tensor y = test::random_labels(B, K, 22);
    Variable z(rnd({B, K}, 23), true);
    d->start_epoch(3);  // lambda(3) = (cos(0.3 pi) + 1) / 2 - 1
    const double lambda = (std::cos(0.3 * M_PI) + 1) / 2 - 1;
    // Analytic: one backward.
    app::StepLoss sl = d->loss({z, Variable()}, t, y);
    sl.loss.backward();
    const double dg = g.grad().item_double();
    // Numeric, on g.
    auto loss_at = [&](double gv) {
      Tensor keep = g.data().clone();
      g.data().copy_from(full({1}, gv, DType::F64));
      double l = d->loss({Variable(z.data()), Variable()}, t, y).loss.data().item_double();
      g.data().copy_from(keep);
      return l;
    };
    const double g0 = g.data().item_double();
    const double numeric = (loss_at(g0 + kEps) - loss_at(g0 - kEps)) / (2 * kEps);
    std::printf("[distill-measure] %s d/dg analytic %.12g, lambda * numeric %.12g\n", m, dg,
                lambda * numeric);
    EXPECT_NEAR(dg, lambda * numeric, 1e-8 * std::max(1.0, std::fabs(numeric)));
    EXPECT_LT(check(m,
                    [&](const std::vector<Variable>& in) {
                      return d->loss({in[0], Variable()}, t, y).loss;
                    },
                    {z}),
              1e-8);  // measured 1e-10
    // The temperature of the step, logged per epoch.
    auto values = d->epoch_values();
    bool have_t = false;
    for (auto& [name, v] : values)
      if (name == "temperature") {
        have_t = true;
        EXPECT_NEAR(v.item_double(), c.ctkd_t_start + c.ctkd_t_end / (1 + std::exp(-g0)), 1e-12);
      }
    EXPECT_TRUE(have_t);
  }
}

TEST(DistillGradcheck, CtkdLambdaSchedule) {
  app::TrainConfig c = config("ctkd+ls");
  auto d = app::make_distiller(c, Device::cpu(), DType::F64);
  const double want[] = {-0.0245, -0.0955, -0.2061, -0.3455, -0.5, -0.6545,
                         -0.7939, -0.9045, -0.9755, -1,      -1};
  for (int e = 1; e <= 11; ++e) {
    d->start_epoch(e);
    for (auto& [name, v] : d->epoch_values()) {
      if (name == "grl_lambda") {
        EXPECT_NEAR(v.item_double(), want[e - 1], 5e-5) << "epoch " << e;
      }
    }
  }
}

// np.percentile(x, 50) semantics: the middle value (odd n), the mean of the two middle values
// (even n), ties counted; values from numpy 1.24.
TEST(DistillOps, FractionAtMostTheMedian) {
  struct Case {
    std::vector<double> x;
    double want;
  } cases[] = {{{3, 1, 2}, 2.0 / 3}, {{4, 1, 3, 2}, 0.5},
               {{1, 2, 2, 3}, 0.75}, {{5}, 1.0},
               {{2, 2, 2, 2}, 1.0},  {{0.1, 0.9, 0.5, 0.5, 0.7, 0.2}, 4.0 / 6}};
  for (const Case& c : cases)
    for (DType dt : {DType::F64, DType::F32}) {
      Tensor x = from_vector(c.x, {static_cast<int64_t>(c.x.size())}).to(dt);
      EXPECT_NEAR(ZKD_DISPATCH(x, fraction_le_median, x).item_double(), c.want, 1e-7);
    }
  Tensor m = from_vector(std::vector<double>{1, 5, 2, -1, -3, -2}, {2, 3});
  EXPECT_TRUE(test::all_close(ZKD_DISPATCH(m, max_rows, m),
                              from_vector(std::vector<double>{5, -1}, {2}), 0, 0));
}

TEST(DistillRecipes, PaperDefaults) {
  auto d = app::paper_defaults(app::Method::parse("mlkd+ls"), "resnet32x4", "resnet8x4");
  EXPECT_EQ(d.epochs, 480);
  EXPECT_DOUBLE_EQ(d.lr, 0.025);
  EXPECT_EQ(d.kd_weight, 9);
  EXPECT_EQ(d.temperature, 2);
  d = app::paper_defaults(app::Method::parse("mlkd+ls"), "resnet32x4", "ShuffleV2");
  EXPECT_EQ(d.epochs, 960);
  EXPECT_DOUBLE_EQ(d.lr, 0.01);
  EXPECT_EQ(d.kd_weight, 6);
  EXPECT_EQ(app::paper_defaults(app::Method::parse("mlkd+ls"), "vgg13", "vgg8").kd_weight, 6);
  EXPECT_DOUBLE_EQ(app::paper_defaults(app::Method::parse("mlkd+ls"), "vgg13", "vgg8").lr, 0.01);
  EXPECT_DOUBLE_EQ(app::paper_defaults(app::Method::parse("mlkd+ls"), "wrn_40_2", "MobileNetV2").lr,
                   0.005);
  EXPECT_DOUBLE_EQ(app::paper_defaults(app::Method::parse("mlkd+ls"), "ResNet50", "MobileNetV2").lr,
                   0.01);
  EXPECT_DOUBLE_EQ(app::paper_defaults(app::Method::parse("mlkd+ls"), "wrn_40_2", "wrn_16_2").lr,
                   0.025);
  d = app::paper_defaults(app::Method::parse("ctkd+ls"), "resnet32x4", "ShuffleV2");
  EXPECT_EQ(d.epochs, 240);
  EXPECT_DOUBLE_EQ(d.lr, 0.01);
  EXPECT_EQ(d.kd_weight, 9);
  EXPECT_DOUBLE_EQ(d.lambda_ce, 0.1);
}

}  // namespace
}  // namespace zkd
