// DKD and DKD+LS (docs/zscore-kd.md): CE + warm-up * T^2 (alpha TCKD + beta NCKD) on the weak
// view; the warm-up factor min(epoch / warmup, 1) is the per-epoch setting.
#include "apps/methods/distiller.h"
#include "engine/ops/ops.h"

namespace zkd::app {

namespace {
class DkdDistiller : public Distiller {
 public:
  explicit DkdDistiller(const TrainConfig& cfg) : cfg_(cfg), a_(loss_args_at(cfg, 1)) {}
  void start_epoch(int64_t epoch) override { a_ = loss_args_at(cfg_, epoch); }
  StepLoss loss(const ViewLogits& s, const ViewLogits& t, const Tensor& labels) override {
    KdLossResult r = kd_loss(s.weak, t.weak.data(), labels, a_);
    return {r.loss, {{"loss_ce", r.parts.view_at(0, {})}, {"loss_dkd", r.parts.view_at(1, {})}}};
  }

 private:
  TrainConfig cfg_;
  KdLossArgs a_;
};
}  // namespace

std::unique_ptr<Distiller> make_dkd_distiller(const TrainConfig& cfg) {
  return std::make_unique<DkdDistiller>(cfg);
}

}  // namespace zkd::app
