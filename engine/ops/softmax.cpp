// softmax, log_softmax and cross-entropy over the last dim of [B, K] logits.
#include "engine/backend/backend.h"
#include "engine/ops/checks.h"
#include "engine/ops/ops.h"

namespace zkd {

namespace {
struct SoftmaxNode : Node {
  Tensor y;
  const char* name() const override { return "softmax"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {ZKD_DISPATCH(g[0], softmax_bwd, g[0], y)};
  }
  void release() override { y = Tensor(); }
};

struct LogSoftmaxNode : Node {
  Tensor y;
  const char* name() const override { return "log_softmax"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {ZKD_DISPATCH(g[0], log_softmax_bwd, g[0], y)};
  }
  void release() override { y = Tensor(); }
};

struct CrossEntropyNode : Node {
  Tensor log_probs, labels;
  const char* name() const override { return "cross_entropy"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& g) override {
    return {ZKD_DISPATCH(g[0], cross_entropy_bwd, g[0], log_probs, labels)};
  }
  void release() override { log_probs = labels = Tensor(); }
};
}  // namespace

void check_logits(const char* op, const Tensor& x) {
  check_rank(op, x, 2, "[B, K]");
  check_floating(op, x);
  ZKD_CHECK(x.size(0) >= 1 && x.size(1) >= 1, op, "expected at least one row and one class, got ",
            shape_str(x.shape()));
}

void check_labels(const char* op, const Tensor& logits, const Tensor& labels) {
  ZKD_CHECK(labels.defined() && labels.dim() == 1 && labels.size(0) == logits.size(0), op,
            "expected labels of shape [", logits.size(0), "], got ",
            labels.defined() ? shape_str(labels.shape()) : "undefined");
  check_dtype(op, labels, DType::I64, "labels tensor");
  check_same_device(op, logits, labels);
}

Variable softmax(const Variable& xv) {
  check_logits("softmax", xv.data());
  Tensor y = ZKD_DISPATCH(xv.data(), softmax_fwd, xv.data().contiguous());
  auto n = make_node<SoftmaxNode>({&xv});
  if (n) n->y = y;
  return Variable::make_result(y, n);
}

Variable log_softmax(const Variable& xv) {
  check_logits("log_softmax", xv.data());
  Tensor y = ZKD_DISPATCH(xv.data(), log_softmax_fwd, xv.data().contiguous());
  auto n = make_node<LogSoftmaxNode>({&xv});
  if (n) n->y = y;
  return Variable::make_result(y, n);
}

Variable cross_entropy(const Variable& lv, const Tensor& labels) {
  check_logits("cross_entropy", lv.data());
  check_labels("cross_entropy", lv.data(), labels);
  CrossEntropyOut r =
      ZKD_DISPATCH(lv.data(), cross_entropy_fwd, lv.data().contiguous(), labels.contiguous());
  auto n = make_node<CrossEntropyNode>({&lv});
  if (n) {
    n->log_probs = r.log_probs;
    n->labels = labels.contiguous();
  }
  return Variable::make_result(r.loss, n);
}

}  // namespace zkd
