// reshape / flatten, concat and split along channels, channel_shuffle.
#include <numeric>

#include "engine/backend/backend.h"
#include "engine/ops/ops.h"

namespace zkd {

namespace {
struct ReshapeNode : Node {
  Shape x_shape;
  const char* name() const override { return "reshape"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {g[0].reshape(x_shape)};
  }
};

struct ConcatNode : Node {
  std::vector<int64_t> sizes;
  const char* name() const override { return "concat_channels"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return ZKD_DISPATCH(g[0], split_channels, g[0], sizes);
  }
};

// One node, several outputs; an output that got no gradient contributes zeros.
struct SplitNode : Node {
  Shape x_shape;
  std::vector<int64_t> sizes;
  const char* name() const override { return "split_channels"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    std::vector<Tensor> parts(sizes.size());
    const Tensor* any = nullptr;
    for (const Tensor& t : g)
      if (t.defined()) any = &t;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (g[i].defined()) {
        parts[i] = g[i];
      } else {
        Shape s = x_shape;
        s[1] = sizes[i];
        parts[i] = zeros(s, any->dtype(), any->device());
      }
    }
    return {ZKD_DISPATCH(*any, concat_channels, parts)};
  }
};

struct ShuffleNode : Node {
  int64_t inverse_groups = 1;
  const char* name() const override { return "channel_shuffle"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {ZKD_DISPATCH(g[0], channel_shuffle, g[0], inverse_groups)};
  }
};
}  // namespace

Variable reshape(const Variable& xv, const Shape& shape) {
  Tensor y = xv.data().reshape(shape);
  auto n = make_node<ReshapeNode>({&xv});
  if (n) n->x_shape = xv.shape();
  return Variable::make_result(y, n);
}

Variable flatten(const Variable& xv) {
  ZKD_CHECK(xv.dim() >= 1, "flatten", "expected at least a 1-D input, got a scalar");
  return reshape(xv, {xv.size(0), -1});
}

Variable concat_channels(const std::vector<Variable>& xs) {
  const char* op = "concat_channels";
  ZKD_CHECK(!xs.empty(), op, "expected at least one input, got none");
  const Tensor& first = xs[0].data();
  check_rank(op, first, 4, "NCHW");
  check_floating(op, first);
  std::vector<Tensor> ts;
  std::vector<int64_t> sizes;
  bool grad = false;
  for (const Variable& v : xs) {
    const Tensor& t = v.data();
    check_rank(op, t, 4, "NCHW");
    check_same_device(op, first, t);
    check_dtype(op, t, first.dtype());
    ZKD_CHECK(
        t.size(0) == first.size(0) && t.size(2) == first.size(2) && t.size(3) == first.size(3), op,
        "expected inputs that differ only in channels, got ", shape_str(first.shape()), " and ",
        shape_str(t.shape()));
    ts.push_back(t.contiguous());
    sizes.push_back(t.size(1));
    grad = grad || needs_grad({&v});
  }
  Tensor y = ZKD_DISPATCH(first, concat_channels, ts);
  std::shared_ptr<ConcatNode> n;
  if (grad) {
    n = std::make_shared<ConcatNode>();
    for (const Variable& v : xs) n->next.push_back(v.gradient_edge());
    n->sizes = sizes;
  }
  return Variable::make_result(y, n);
}

std::vector<Variable> split_channels(const Variable& xv, const std::vector<int64_t>& sizes) {
  const char* op = "split_channels";
  check_rank(op, xv.data(), 4, "NCHW");
  check_floating(op, xv.data());
  int64_t total = 0;
  for (int64_t s : sizes) {
    ZKD_CHECK(s > 0, op, "expected positive split sizes, got ", s);
    total += s;
  }
  ZKD_CHECK(total == xv.size(1), op, "expected split sizes summing to ", xv.size(1),
            " channels, got ", total);
  std::vector<Tensor> parts =
      ZKD_DISPATCH(xv.data(), split_channels, xv.data().contiguous(), sizes);
  auto n = make_node<SplitNode>({&xv});
  if (n) {
    n->x_shape = xv.shape();
    n->sizes = sizes;
    n->num_outputs = static_cast<int>(sizes.size());
  }
  std::vector<Variable> out;
  for (size_t i = 0; i < parts.size(); ++i)
    out.push_back(Variable::make_result(parts[i], n, static_cast<int>(i)));
  return out;
}

Variable channel_shuffle(const Variable& xv, int64_t groups) {
  const char* op = "channel_shuffle";
  check_rank(op, xv.data(), 4, "NCHW");
  check_floating(op, xv.data());
  int64_t C = xv.size(1);
  ZKD_CHECK(groups >= 1 && C % groups == 0, op, "expected channels ", C, " divisible by groups ",
            groups);
  Tensor y = ZKD_DISPATCH(xv.data(), channel_shuffle, xv.data().contiguous(), groups);
  auto n = make_node<ShuffleNode>({&xv});
  if (n) n->inverse_groups = C / groups;
  return Variable::make_result(y, n);
}

}  // namespace zkd
