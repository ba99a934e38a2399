// sum and mean over all elements.
#include "engine/backend/backend.h"
#include "engine/ops/ops.h"

namespace zkd {

namespace {
struct ExpandNode : Node {
  Shape x_shape;
  double alpha = 1;
  const char* name() const override { return "sum/mean"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {ZKD_DISPATCH(g[0], expand_scalar, g[0], x_shape, alpha)};
  }
};

Variable reduce(const char* op, const Variable& xv, bool take_mean) {
  check_floating(op, xv.data());
  ZKD_CHECK(xv.data().numel() > 0, op, "expected a non-empty input, got shape ",
            shape_str(xv.shape()));
  double alpha = take_mean ? 1.0 / static_cast<double>(xv.data().numel()) : 1.0;
  Tensor y = ZKD_DISPATCH(xv.data(), sum_all, xv.data().contiguous());
  if (take_mean) y = ZKD_DISPATCH(y, scale, y, alpha);
  auto n = make_node<ExpandNode>({&xv});
  if (n) {
    n->x_shape = xv.shape();
    n->alpha = alpha;
  }
  return Variable::make_result(y, n);
}
}  // namespace

Variable sum(const Variable& x) {
  return reduce("sum", x, false);
}
Variable mean(const Variable& x) {
  return reduce("mean", x, true);
}

}  // namespace zkd
