// KD and KD+LS (docs/zscore-kd.md): lambda_CE CE + lambda_KD T^2 KL(teacher || student) at a fixed
// T, on (standardized, with LS) logits of the weak view; one fused kd_loss op.
#include "apps/methods/distiller.h"
#include "engine/ops/ops.h"

namespace zkd::app {

namespace {
class KdDistiller : public Distiller {
 public:
  explicit KdDistiller(const KdLossArgs& a) : a_(a) {}
  StepLoss loss(const ViewLogits& s, const ViewLogits& t, const Tensor& labels) override {
    KdLossResult r = kd_loss(s.weak, t.weak.data(), labels, a_);
    return {r.loss, {{"loss_ce", r.parts.view_at(0, {})}, {"loss_kd", r.parts.view_at(1, {})}}};
  }

 private:
  KdLossArgs a_;
};
}  // namespace

std::unique_ptr<Distiller> make_kd_distiller(const TrainConfig& cfg) {
  return std::make_unique<KdDistiller>(loss_args_at(cfg, 1));
}

}  // namespace zkd::app
