// Small differentiable helpers of the distillation losses (docs/distillers.md): transpose of a
// matrix, sigmoid, adding a constant, scaling by a device scalar, and gradient scaling (the
// gradient-reversal layer). Each forwards on the device without a host read.
#include "engine/backend/backend.h"
#include "engine/ops/ops.h"

namespace zkd {

namespace {
// [M, N] contiguous -> [N, M] contiguous copy (a strided view made contiguous).
Tensor transposed(const Tensor& x) {
  Tensor c = x.contiguous();
  Tensor v(c.storage(), {c.size(1), c.size(0)}, {1, c.size(1)}, c.offset(), c.dtype());
  return v.contiguous();
}

struct TransposeNode : Node {
  const char* name() const override { return "transpose"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override { return {transposed(g[0])}; }
};

// A node whose gradient is Grad::of(g, saved) for one tensor its forward saved (dropped by
// release): sigmoid's output y, scale_by's scale s.
template <class Grad>
struct SavedTensorNode : Node {
  Tensor saved;
  const char* name() const override { return Grad::name; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {Grad::of(g[0].contiguous(), saved)};
  }
  void release() override { saved = Tensor(); }
};

struct SigmoidGrad {  // g y (1 - y)
  static constexpr const char* name = "sigmoid";
  static Tensor of(const Tensor& g, const Tensor& y) { return ZKD_DISPATCH(g, sigmoid_bwd, g, y); }
};

struct ScaleByGrad {  // g s
  static constexpr const char* name = "scale_by";
  static Tensor of(const Tensor& g, const Tensor& s) { return ZKD_DISPATCH(g, scale_by, g, s); }
};

struct IdentityNode : Node {
  const char* name() const override { return "add_scalar"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override { return {g[0]}; }
};

struct GradScaleNode : Node {
  double lambda = 1;
  const char* name() const override { return "grad_scale"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {ZKD_DISPATCH(g[0], scale, g[0].contiguous(), lambda)};
  }
};
}  // namespace

Variable transpose(const Variable& xv) {
  check_floating("transpose", xv.data());
  ZKD_CHECK(xv.data().dim() == 2, "transpose", "expected a matrix [M, N], got shape ",
            shape_str(xv.shape()));
  return Variable::make_result(transposed(xv.data()), make_node<TransposeNode>({&xv}));
}

Variable sigmoid(const Variable& xv) {
  check_floating("sigmoid", xv.data());
  Tensor y = ZKD_DISPATCH(xv.data(), sigmoid_fwd, xv.data().contiguous());
  auto n = make_node<SavedTensorNode<SigmoidGrad>>({&xv});
  if (n) n->saved = y;
  return Variable::make_result(y, n);
}

Variable add_scalar(const Variable& xv, double c) {
  check_floating("add_scalar", xv.data());
  Tensor y = full(xv.shape(), c, xv.data().dtype(), xv.data().device());
  ZKD_DISPATCH(y, add_inplace, y, xv.data().contiguous(), 1.0);
  return Variable::make_result(y, make_node<IdentityNode>({&xv}));
}

Variable scale_by(const Variable& xv, const Tensor& s) {
  check_floating("scale_by", xv.data());
  check_same_device("scale_by", xv.data(), s);
  check_dtype("scale_by", s, xv.data().dtype(), "scale");
  ZKD_CHECK(s.numel() == 1, "scale_by", "expected a one-element scale, got shape ",
            shape_str(s.shape()));
  Tensor sc = s.contiguous();
  Tensor y = ZKD_DISPATCH(sc, scale_by, xv.data().contiguous(), sc);
  auto n = make_node<SavedTensorNode<ScaleByGrad>>({&xv});
  if (n) n->saved = sc;
  return Variable::make_result(y, n);
}

Variable grad_scale(const Variable& xv, double lambda) {
  check_floating("grad_scale", xv.data());
  auto n = make_node<GradScaleNode>({&xv});
  if (n) n->lambda = lambda;
  return Variable::make_result(xv.data(), n);
}

}  // namespace zkd
