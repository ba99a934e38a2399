// avg_pool2d, max_pool2d and global average pooling.
#include "engine/backend/backend.h"
#include "engine/ops/ops.h"

namespace zkd {

namespace {
struct AvgPoolNode : Node {
  Shape x_shape;
  Pool2dArgs args;
  const char* name() const override { return "avg_pool2d"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {ZKD_DISPATCH(g[0], avg_pool2d_bwd, g[0], x_shape, args)};
  }
};

struct MaxPoolNode : Node {
  Shape x_shape;
  Tensor argmax;
  const char* name() const override { return "max_pool2d"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {ZKD_DISPATCH(g[0], max_pool2d_bwd, g[0], argmax, x_shape)};
  }
  void release() override { argmax = Tensor(); }
};

struct GlobalAvgPoolNode : Node {
  Shape x_shape;
  const char* name() const override { return "global_avg_pool"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {ZKD_DISPATCH(g[0], global_avg_pool_bwd, g[0], x_shape)};
  }
};

void check_pool(const char* op, const Tensor& x, const Pool2dArgs& a) {
  check_rank(op, x, 4, "NCHW");
  check_floating(op, x);
  ZKD_CHECK(a.kernel_h >= 1 && a.kernel_w >= 1 && a.stride_h >= 1 && a.stride_w >= 1, op,
            "expected kernel and stride >= 1, got kernel ", a.kernel_h, "x", a.kernel_w,
            ", stride ", a.stride_h, "x", a.stride_w);
  ZKD_CHECK(a.pad_h >= 0 && 2 * a.pad_h <= a.kernel_h && a.pad_w >= 0 && 2 * a.pad_w <= a.kernel_w,
            op, "expected padding at most half the kernel, got padding ", a.pad_h, "x", a.pad_w,
            " for kernel ", a.kernel_h, "x", a.kernel_w);
  int64_t Ho = pool_out_size(x.size(2), a.kernel_h, a.stride_h, a.pad_h, a.ceil_mode);
  int64_t Wo = pool_out_size(x.size(3), a.kernel_w, a.stride_w, a.pad_w, a.ceil_mode);
  ZKD_CHECK(Ho > 0 && Wo > 0, op, "expected an output of at least 1x1, got ", Ho, "x", Wo,
            " for input ", shape_str(x.shape()), " and kernel ", a.kernel_h, "x", a.kernel_w);
}
}  // namespace

Variable avg_pool2d(const Variable& xv, const Pool2dArgs& a) {
  check_pool("avg_pool2d", xv.data(), a);
  Tensor y = ZKD_DISPATCH(xv.data(), avg_pool2d_fwd, xv.data().contiguous(), a);
  auto n = make_node<AvgPoolNode>({&xv});
  if (n) {
    n->x_shape = xv.shape();
    n->args = a;
  }
  return Variable::make_result(y, n);
}

Variable max_pool2d(const Variable& xv, const Pool2dArgs& a) {
  check_pool("max_pool2d", xv.data(), a);
  MaxPoolOut r = ZKD_DISPATCH(xv.data(), max_pool2d_fwd, xv.data().contiguous(), a);
  auto n = make_node<MaxPoolNode>({&xv});
  if (n) {
    n->x_shape = xv.shape();
    n->argmax = r.argmax;
  }
  return Variable::make_result(r.y, n);
}

Variable global_avg_pool(const Variable& xv) {
  check_rank("global_avg_pool", xv.data(), 4, "NCHW");
  check_floating("global_avg_pool", xv.data());
  Tensor y = ZKD_DISPATCH(xv.data(), global_avg_pool_fwd, xv.data().contiguous());
  auto n = make_node<GlobalAvgPoolNode>({&xv});
  if (n) n->x_shape = xv.shape();
  return Variable::make_result(y, n);
}

}  // namespace zkd
