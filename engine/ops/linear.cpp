// linear: y = x w^T + bias, with x [N, I], w [O, I], bias [O].
#include "engine/backend/backend.h"
#include "engine/ops/mac_counter.h"
#include "engine/ops/ops.h"

namespace zkd {

namespace {
struct LinearNode : Node {
  Tensor x, w;
  Precision precision = Precision::F32;  // the forward's, replayed by the backward
  const char* name() const override { return "linear"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    const Tensor& dy = g[0];
    std::vector<Tensor> out(3);
    if (next[0].fn) out[0] = ZKD_DISPATCH(dy, linear_bwd_input, dy, w, precision);
    if (next[1].fn) out[1] = ZKD_DISPATCH(dy, linear_bwd_weight, dy, x, precision);
    if (next[2].fn) out[2] = ZKD_DISPATCH(dy, sum_rows, dy);
    return out;
  }
  void release() override { x = w = Tensor(); }
};
}  // namespace

Variable linear(const Variable& xv, const Variable& wv, const Variable& bv) {
  const char* op = "linear";
  const Tensor& x = xv.data();
  const Tensor& w = wv.data();
  check_rank(op, x, 2, "[N, in_features]");
  check_floating(op, x);
  ZKD_CHECK(w.dim() == 2 && w.size(1) == x.size(1), op, "expected a weight [out, ", x.size(1),
            "] for input ", shape_str(x.shape()), ", got ", shape_str(w.shape()));
  check_dtype(op, w, x.dtype(), "weight");
  check_same_device(op, x, w);
  Tensor b;
  if (bv.defined()) {
    b = bv.data();
    check_shape(op, b, {w.size(0)}, "bias");
    check_dtype(op, b, x.dtype(), "bias");
    check_same_device(op, x, b);
  }
  Tensor xc = x.contiguous(), wc = w.contiguous();
  Precision p = x.dtype() == DType::F32 ? compute_precision() : Precision::F32;
  Tensor y = ZKD_DISPATCH(x, linear_fwd, xc, wc, b, p);
  count_macs(x.size(0) * x.size(1) * w.size(0));
  auto n = make_node<LinearNode>({&xv, &wv, &bv});
  if (n) {
    n->x = xc;
    n->w = wc;
    n->precision = p;
  }
  return Variable::make_result(y, n);
}

}  // namespace zkd
