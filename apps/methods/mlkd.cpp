// MLKD and MLKD+LS (docs/distillers.md, "MLKD"): multi-level logit distillation on a weak and a
// strong view. Per step, with w = lambda_KD, the temperatures {T, 3, 5, 2, 6}, and the teacher's
// confidence masks (fractions of rows / classes at most their median):
//   CE:  lambda_CE (CE(z_weak) + CE(z_strong))
//   KD:  w frac * sum_T KD(z_w, v_w, T) + w [KD(z_s, v_s, T) + KD(z_s, v_s, 3) + KD(z_s, v_s, 5)
//        + KD(z_w, v_w, 2) + KD(z_w, v_w, 6)]   (the official code's quirk: the last two
//        "strong" terms use the weak logits); LS standardizes inside these KD terms only
//   CC:  w cfrac * sum_T |P_t^T P_t - P_s^T P_s|^2 / K   (weak view, raw logits, P = softmax(z /
//   T)) BC:  w frac  * sum_T |P_t P_t^T - P_s P_s^T|^2 / B
// Composed from differentiable ops (kd_loss per temperature, softmax, transpose, linear); the
// masks are computed on the device (max_rows, sum_rows, fraction_le_median): no host sync.
#include <map>

#include "apps/methods/distiller.h"
#include "engine/ops/ops.h"
#include "engine/ops/tensor_ops.h"

namespace zkd::app {

namespace {
// |a - b|^2 summed over all entries: [] (both [M, N]).
Variable squared_distance(const Variable& a, const Variable& b) {
  Variable d = reshape(add(a, mul_scalar(b, -1.0)), {1, a.data().numel()});
  return reshape(linear(d, d, Variable()), {});
}

class MlkdDistiller : public Distiller {
 public:
  explicit MlkdDistiller(const TrainConfig& cfg)
      : a_(loss_args_at(cfg, 1)), lambda_ce_(static_cast<float>(cfg.lambda_ce)) {
    a_.lambda_ce = 0;  // the kd_loss ops carry the KD terms only; CE is added once per view
  }

  StepLoss loss(const ViewLogits& s, const ViewLogits& t, const Tensor& labels) override {
    const Variable& zw = s.weak;
    const Variable& zs = s.strong;
    const Tensor vw = t.weak.data().contiguous(), vs = t.strong.data().contiguous();
    const int64_t B = vw.size(0), K = vw.size(1);
    const double w = a_.lambda_kd;
    // Masks from the teacher's weak-view probabilities at T = 1.
    Tensor pt = softmax_rows(vw);
    Tensor conf = max_of_rows(pt);                // [B]
    Tensor frac = fraction_at_most_median(conf);  // []
    Tensor class_conf = sum_over_rows(pt);        // [K]
    Tensor cfrac = fraction_at_most_median(class_conf);

    Variable ce = mul_scalar(add(cross_entropy(zw, labels), cross_entropy(zs, labels)), lambda_ce_);
    std::map<float, Variable>
        kd_weak;  // w KD(z_w, v_w, T), shared by the masked and unmasked terms
    auto kdw = [&](float T) {
      auto it = kd_weak.find(T);
      if (it != kd_weak.end()) return it->second;
      return kd_weak[T] = kd_at(zw, vw, labels, T);
    };
    const float T0 = a_.temperature;
    const float temps[5] = {T0, 3, 5, 2, 6};
    Variable masked = kdw(temps[0]);
    for (int i = 1; i < 5; ++i) masked = add(masked, kdw(temps[i]));
    Variable kd = add(scale_by(masked, frac), kd_at(zs, vs, labels, T0));
    kd = add(kd, kd_at(zs, vs, labels, 3));
    kd = add(kd, kd_at(zs, vs, labels, 5));
    kd = add(add(kd, kdw(2)), kdw(6));

    Variable cc, bc;
    for (float T : temps) {
      Variable ps = softmax(mul_scalar(zw, 1.0 / T));
      Variable pv = softmax(mul_scalar(Variable(vw), 1.0 / T));
      Variable pst = transpose(ps), pvt = transpose(pv);
      Variable c = squared_distance(linear(pvt, pvt, Variable()), linear(pst, pst, Variable()));
      Variable b = squared_distance(linear(pv, pv, Variable()), linear(ps, ps, Variable()));
      cc = cc.defined() ? add(cc, c) : c;
      bc = bc.defined() ? add(bc, b) : b;
    }
    cc = scale_by(mul_scalar(cc, w / static_cast<double>(K)), cfrac);
    bc = scale_by(mul_scalar(bc, w / static_cast<double>(B)), frac);
    Variable total = add(add(ce, kd), add(cc, bc));
    return {total,
            {{"loss_ce", ce.data()},
             {"loss_kd", kd.data()},
             {"loss_cc", cc.data()},
             {"loss_bc", bc.data()}}};
  }

 private:
  // w T^2 KL(v || z) at temperature T, batch mean (standardized inside with LS).
  Variable kd_at(const Variable& z, const Tensor& v, const Tensor& labels, float T) const {
    KdLossArgs k = a_;
    k.temperature = T;
    return kd_loss(z, v, labels, k).loss;
  }

  KdLossArgs a_;      // the KD terms' method (KD or KD_LS) and weight; lambda_ce 0
  double lambda_ce_;  // on each view's CE
};
}  // namespace

std::unique_ptr<Distiller> make_mlkd_distiller(const TrainConfig& cfg) {
  return std::make_unique<MlkdDistiller>(cfg);
}

}  // namespace zkd::app
