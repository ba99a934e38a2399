// kd_loss: the distillation losses (CE + KD / KD+LS / DKD / DKD+LS). The backend computes the
// loss and d loss / d student (and d loss / d T for a learned temperature) in one pass; backward
// scales those gradients by the upstream scalar on the device (no host synchronization).
#include "engine/backend/backend.h"
#include "engine/ops/checks.h"
#include "engine/ops/ops.h"

namespace zkd {

namespace {
struct KdLossNode : Node {
  Tensor dlogits;  // [B, K] for an upstream gradient of 1
  Tensor dtemp;    // [] for an upstream gradient of 1 (learned temperature only)
  Shape temp_shape;
  const char* name() const override { return "kd_loss"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    std::vector<Tensor> out = {ZKD_DISPATCH(g[0], scale_by, dlogits, g[0])};
    if (dtemp.defined()) out.push_back(ZKD_DISPATCH(g[0], scale_by, dtemp, g[0]).view(temp_shape));
    return out;
  }
  void release() override { dlogits = dtemp = Tensor(); }
};
}  // namespace

KdLossResult kd_loss(const Variable& sv, const Tensor& teacher, const Tensor& labels,
                     const KdLossArgs& a, const Variable& tv) {
  const char* op = "kd_loss";
  const Tensor& s = sv.data();
  check_logits(op, s);
  check_shape(op, teacher, s.shape(), "teacher logits");
  check_dtype(op, teacher, s.dtype(), "teacher logits tensor");
  check_same_device(op, s, teacher);
  check_labels(op, s, labels);
  ZKD_CHECK(s.size(1) >= 2, op, "expected at least 2 classes, got ", s.size(1));
  ZKD_CHECK(a.std_eps >= 0, op, "expected a std eps >= 0, got ", a.std_eps);
  Tensor temp;
  if (tv.defined()) {
    temp = tv.data();
    ZKD_CHECK(temp.numel() == 1, op, "expected a one-element temperature, got shape ",
              shape_str(temp.shape()));
    check_dtype(op, temp, s.dtype(), "temperature");
    check_same_device(op, s, temp);
    temp = temp.contiguous();
  } else {
    ZKD_CHECK(a.temperature > 0, op, "expected a temperature > 0, got ", a.temperature);
  }
  KdLossOut r =
      ZKD_DISPATCH(s, kd_loss, s.contiguous(), teacher.contiguous(), labels.contiguous(), temp, a);
  auto n = tv.defined() ? make_node<KdLossNode>({&sv, &tv}) : make_node<KdLossNode>({&sv});
  if (n) {
    n->dlogits = r.dlogits;
    if (tv.defined()) {
      n->dtemp = r.dtemp;
      n->temp_shape = tv.shape();
    }
  }
  return {Variable::make_result(r.loss, n), r.parts};
}

}  // namespace zkd
