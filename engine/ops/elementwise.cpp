// relu, add, and multiplication by a scalar.
#include "engine/backend/backend.h"
#include "engine/ops/ops.h"

namespace zkd {

namespace {
struct ReluNode : Node {
  Tensor y;
  const char* name() const override { return "relu"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {ZKD_DISPATCH(g[0], relu_bwd, g[0], y)};
  }
  void release() override { y = Tensor(); }
};

struct AddNode : Node {
  const char* name() const override { return "add"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override { return {g[0], g[0]}; }
};

struct ScaleNode : Node {
  double alpha = 1;
  const char* name() const override { return "mul_scalar"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {ZKD_DISPATCH(g[0], scale, g[0], alpha)};
  }
};
}  // namespace

Variable relu(const Variable& xv) {
  check_floating("relu", xv.data());
  Tensor y = ZKD_DISPATCH(xv.data(), relu_fwd, xv.data().contiguous());
  auto n = make_node<ReluNode>({&xv});
  if (n) n->y = y;
  return Variable::make_result(y, n);
}

Variable add(const Variable& av, const Variable& bv) {
  const Tensor& a = av.data();
  const Tensor& b = bv.data();
  check_floating("add", a);
  check_same_device("add", a, b);
  check_dtype("add", b, a.dtype(), "second input");
  ZKD_CHECK(a.shape() == b.shape(), "add", "expected two inputs of one shape, got ",
            shape_str(a.shape()), " and ", shape_str(b.shape()));
  Tensor y = ZKD_DISPATCH(a, add, a.contiguous(), b.contiguous());
  return Variable::make_result(y, make_node<AddNode>({&av, &bv}));
}

Variable mul_scalar(const Variable& xv, double alpha) {
  check_floating("mul_scalar", xv.data());
  Tensor y = ZKD_DISPATCH(xv.data(), scale, xv.data().contiguous(), alpha);
  auto n = make_node<ScaleNode>({&xv});
  if (n) n->alpha = alpha;
  return Variable::make_result(y, n);
}

}  // namespace zkd
