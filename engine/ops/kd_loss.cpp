// kd_loss: the distillation losses (CE + KD / KD+LS / DKD / DKD+LS). The backend computes the
// loss and d loss / d student in one pass; backward scales that gradient by the upstream scalar
// on the device (no host synchronization).
#include "engine/backend/backend.h"
#include "engine/ops/checks.h"
#include "engine/ops/ops.h"

namespace zkd {

namespace {
struct KdLossNode : Node {
  Tensor dlogits;  // [B, K] for an upstream gradient of 1
  const char* name() const override { return "kd_loss"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {ZKD_DISPATCH(g[0], scale_by, dlogits, g[0])};
  }
  void release() override { dlogits = Tensor(); }
};
}  // namespace

KdLossResult kd_loss(const Variable& sv, const Tensor& teacher, const Tensor& labels,
                     const KdLossArgs& a) {
  const char* op = "kd_loss";
  const Tensor& s = sv.data();
  check_logits(op, s);
  check_shape(op, teacher, s.shape(), "teacher logits");
  check_dtype(op, teacher, s.dtype(), "teacher logits tensor");
  check_same_device(op, s, teacher);
  check_labels(op, s, labels);
  ZKD_CHECK(s.size(1) >= 2, op, "expected at least 2 classes, got ", s.size(1));
  ZKD_CHECK(a.temperature > 0, op, "expected a temperature > 0, got ", a.temperature);
  KdLossOut r = ZKD_DISPATCH(s, kd_loss, s.contiguous(), teacher.contiguous(),
                             labels.contiguous(), a);
  auto n = make_node<KdLossNode>({&sv});
  if (n) n->dlogits = r.dlogits;
  return {Variable::make_result(r.loss, n), r.parts};
}

}  // namespace zkd
