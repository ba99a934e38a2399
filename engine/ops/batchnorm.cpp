// batch_norm2d: training mode (batch statistics, running stats updated) and eval mode (running
// statistics), each with its backward node.
#include "engine/backend/backend.h"
#include "engine/ops/ops.h"

namespace zkd {

namespace {
struct BatchNormTrainNode : Node {
  Tensor x, gamma, save_mean, save_invstd;
  const char* name() const override { return "batch_norm2d(train)"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    BatchNormGrads r =
        ZKD_DISPATCH(g[0], batchnorm_train_bwd, g[0], x, gamma, save_mean, save_invstd);
    return {r.dx, r.dgamma, r.dbeta};
  }
  void release() override { x = gamma = save_mean = save_invstd = Tensor(); }
};

struct BatchNormEvalNode : Node {
  Tensor x, gamma, running_mean, running_var;
  BatchNormArgs args;
  const char* name() const override { return "batch_norm2d(eval)"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    BatchNormGrads r =
        ZKD_DISPATCH(g[0], batchnorm_eval_bwd, g[0], x, gamma, running_mean, running_var, args);
    return {r.dx, r.dgamma, r.dbeta};
  }
  void release() override { x = gamma = running_mean = running_var = Tensor(); }
};
}  // namespace

Variable batch_norm2d(const Variable& xv, const Variable& gv, const Variable& bv,
                      Tensor& running_mean, Tensor& running_var, bool training,
                      const BatchNormArgs& a) {
  const char* op = "batch_norm2d";
  const Tensor& x = xv.data();
  check_rank(op, x, 4, "NCHW");
  check_floating(op, x);
  int64_t C = x.size(1);
  const Tensor* per_channel[] = {&gv.data(), &bv.data(), &running_mean, &running_var};
  for (const Tensor* t : per_channel) {
    check_shape(op, *t, {C}, "a per-channel tensor");
    check_dtype(op, *t, x.dtype(), "per-channel tensor");
    check_same_device(op, x, *t);
  }
  ZKD_CHECK(a.eps > 0, op, "expected eps > 0, got ", a.eps);
  Tensor xc = x.contiguous();
  if (training) {
    ZKD_CHECK(x.numel() / C > 1, op,
              "expected more than one value per channel in training mode, got input shape ",
              shape_str(x.shape()));
    BatchNormTrainOut r = ZKD_DISPATCH(x, batchnorm_train_fwd, xc, gv.data(), bv.data(),
                                       running_mean, running_var, a);
    auto n = make_node<BatchNormTrainNode>({&xv, &gv, &bv});
    if (n) {
      n->x = xc;
      n->gamma = gv.data();
      n->save_mean = r.save_mean;
      n->save_invstd = r.save_invstd;
    }
    return Variable::make_result(r.y, n);
  }
  Tensor y =
      ZKD_DISPATCH(x, batchnorm_eval_fwd, xc, gv.data(), bv.data(), running_mean, running_var, a);
  auto n = make_node<BatchNormEvalNode>({&xv, &gv, &bv});
  if (n) {
    n->x = xc;
    n->gamma = gv.data();
    n->running_mean = running_mean.clone();  // a later training step may change them in place
    n->running_var = running_var.clone();
    n->args = a;
  }
  return Variable::make_result(y, n);
}

}  // namespace zkd
