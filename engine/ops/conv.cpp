// conv2d: validation, forward, and the node whose backward gives dx, dw and dbias.
#include "engine/backend/backend.h"
#include "engine/ops/mac_counter.h"
#include "engine/ops/ops.h"

namespace zkd {

namespace {
struct Conv2dNode : Node {
  Tensor x, w;             // kept only when dw / dx is needed
  Shape x_shape, w_shape;  // w_shape: dw's shape also when w itself was not kept
  Conv2dArgs args;
  const char* name() const override { return "conv2d"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    const Tensor& dy = g[0];
    std::vector<Tensor> out(3);
    if (next[0].fn) out[0] = ZKD_DISPATCH(dy, conv2d_bwd_data, dy, w, x_shape, args);
    if (next[1].fn) out[1] = ZKD_DISPATCH(dy, conv2d_bwd_weight, dy, x, w_shape, args);
    if (next[2].fn) out[2] = ZKD_DISPATCH(dy, conv2d_bwd_bias, dy);
    return out;
  }
  void release() override { x = w = Tensor(); }
};
}  // namespace

Variable conv2d(const Variable& xv, const Variable& wv, const Variable& bv, const Conv2dArgs& a) {
  const char* op = "conv2d";
  const Tensor& x = xv.data();
  const Tensor& w = wv.data();
  check_rank(op, x, 4, "NCHW");
  ZKD_CHECK(w.dim() == 4, op, "expected a 4-D weight [K, C/groups, R, S], got shape ",
            shape_str(w.shape()));
  check_floating(op, x);
  check_dtype(op, w, x.dtype(), "weight");
  check_same_device(op, x, w);
  ZKD_CHECK(a.groups >= 1 && a.stride_h >= 1 && a.stride_w >= 1 && a.pad_h >= 0 && a.pad_w >= 0, op,
            "expected groups >= 1, strides >= 1 and paddings >= 0, got groups ", a.groups,
            ", stride ", a.stride_h, "x", a.stride_w, ", padding ", a.pad_h, "x", a.pad_w);
  int64_t C = x.size(1), K = w.size(0);
  ZKD_CHECK(C % a.groups == 0 && K % a.groups == 0, op, "expected input channels ", C,
            " and output channels ", K, " divisible by groups ", a.groups);
  ZKD_CHECK(w.size(1) == C / a.groups, op, "expected weight shape [", K, ", ", C / a.groups,
            ", R, S] for ", C, " input channels and ", a.groups, " groups, got ",
            shape_str(w.shape()));
  int64_t Ho = conv_out_size(x.size(2), w.size(2), a.stride_h, a.pad_h);
  int64_t Wo = conv_out_size(x.size(3), w.size(3), a.stride_w, a.pad_w);
  ZKD_CHECK(Ho > 0 && Wo > 0, op, "expected an output of at least 1x1, got ", Ho, "x", Wo,
            " for input ", shape_str(x.shape()), " and weight ", shape_str(w.shape()));
  Tensor b;
  if (bv.defined()) {
    b = bv.data();
    check_shape(op, b, {K}, "bias");
    check_dtype(op, b, x.dtype(), "bias");
    check_same_device(op, x, b);
  }
  Conv2dArgs ap = a;  // the policy of this call, replayed by the backward
  ap.precision = x.dtype() == DType::F32 ? compute_precision() : Precision::F32;
  Tensor y = ZKD_DISPATCH(x, conv2d_fwd, x.contiguous(), w.contiguous(), b, ap);
  count_macs(x.size(0) * K * w.size(1) * w.size(2) * w.size(3) * Ho * Wo);
  auto n = make_node<Conv2dNode>({&xv, &wv, &bv});
  if (n) {
    if (n->next[1].fn) n->x = x.contiguous();
    if (n->next[0].fn) n->w = w.contiguous();
    n->x_shape = x.shape();
    n->w_shape = w.shape();
    n->args = ap;
  }
  return Variable::make_result(y, n);
}

}  // namespace zkd
