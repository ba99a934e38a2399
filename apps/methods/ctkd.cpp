// CTKD and CTKD+LS (docs/distillers.md, "CTKD"): KD (+LS) at a learned global temperature.
// One scalar parameter g (init 1) goes through a gradient-reversal layer whose lambda follows
// lambda(e) = (cos(min(e, 10) pi / 10) + 1) / 2 - 1 (0 -> -1 over 10 epochs), then
// T = t_start + t_end * sigmoid(g); the loss is lambda_CE CE + lambda_KD T^2 KL at that T, whose
// gradient reaches g through d loss / d T (the kd_loss op) and the reversal (the student
// minimizes the loss, the temperature, for lambda < 0, maximizes it).
#include <cmath>

#include "apps/methods/distiller.h"
#include "engine/ops/ops.h"

namespace zkd::app {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr int kDecayLoops = 10;  // the official --decay_loops 10, decay_max 0, decay_min -1

class CtkdDistiller : public Distiller {
 public:
  CtkdDistiller(const TrainConfig& cfg, Device device, DType dtype)
      : a_(loss_args_at(cfg, 1)),
        t_start_(cfg.ctkd_t_start),
        t_end_(cfg.ctkd_t_end),
        global_t_(ones({1}, dtype, device), true) {}  // LS: 1e-7 on the std, as the LS code
  void start_epoch(int64_t epoch) override { lambda_ = grl_lambda(epoch); }
  StepLoss loss(const ViewLogits& s, const ViewLogits& t, const Tensor& labels) override {
    Variable temp =
        add_scalar(mul_scalar(sigmoid(grad_scale(global_t_, lambda_)), t_end_), t_start_);
    last_temp_ = temp.data();
    KdLossResult r = kd_loss(s.weak, t.weak.data(), labels, a_, temp);
    return {r.loss, {{"loss_ce", r.parts.view_at(0, {})}, {"loss_kd", r.parts.view_at(1, {})}}};
  }
  std::vector<std::pair<std::string, Variable>> parameters() override {
    return {{"global_t", global_t_}};
  }
  NamedScalars epoch_values() override {
    NamedScalars v = {{"grl_lambda", full({}, lambda_, DType::F64)}};
    if (last_temp_.defined()) v.emplace_back("temperature", last_temp_.view({}));
    return v;
  }

  static double grl_lambda(int64_t epoch) {
    const double e =
        static_cast<double>(std::min<int64_t>(std::max<int64_t>(epoch, 0), kDecayLoops));
    return (std::cos(e * kPi / kDecayLoops) + 1.0) * 0.5 - 1.0;
  }

 private:
  KdLossArgs a_;
  double t_start_, t_end_;
  Variable global_t_;  // [1]
  double lambda_ = 0;
  Tensor last_temp_;  // [1] the temperature of the latest step
};
}  // namespace

std::unique_ptr<Distiller> make_ctkd_distiller(const TrainConfig& cfg, Device device, DType dtype) {
  return std::make_unique<CtkdDistiller>(cfg, device, dtype);
}

}  // namespace zkd::app
