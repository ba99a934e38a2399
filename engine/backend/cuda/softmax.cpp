// CUDA softmax family over the last dim of [B, K]: softmax / log_softmax forward and backward,
// cross-entropy on logits with int64 labels, top-1 / top-5 counting; around kernels/softmax.h.
// Labels are never checked on the host (that would synchronize): an out-of-range label makes the
// loss (and the accuracy counts) NaN, which stops training with an error downstream.
#include "kernels/softmax.h"

#include "engine/backend/backend.h"
#include "engine/backend/cuda/context.h"
#include "engine/backend/cuda/kernel_glue.h"

namespace zkd::cuda {

namespace {
void require_rows(const char* op, const Tensor& t, const char* what = "input") {
  require_f32(op, t, what);
  check_rank(op, t, 2, "[B, K]");
}

void require_labels(const char* op, const Tensor& labels, const Tensor& logits) {
  ZKD_CHECK(labels.defined() && labels.dim() == 1 && labels.size(0) == logits.size(0), op,
            "expected labels of shape [", logits.size(0), "], got ",
            labels.defined() ? shape_str(labels.shape()) : "undefined");
  check_dtype(op, labels, DType::I64, "labels tensor");
  check_same_device(op, logits, labels);
  ZKD_CHECK(labels.is_contiguous(), op, "expected contiguous labels");
}
}  // namespace

Tensor softmax_fwd(const Tensor& x) {  // x [B, K] -> [B, K]
  require_rows("softmax", x);
  Tensor y = Tensor::empty(x.shape(), DType::F32, x.device());
  kernels::softmax_fwd(x.data<float>(), y.data<float>(), x.size(0), x.size(1), stream());
  ZKD_LAUNCH_CHECK("softmax_fwd_kernel");
  return y;
}

Tensor softmax_bwd(const Tensor& dy, const Tensor& y) {  // dy, y [B, K] -> [B, K]
  require_rows("softmax", y, "saved output");
  require_f32("softmax", dy, "gradient");
  check_shape("softmax", dy, y.shape(), "gradient");
  check_same_device("softmax", dy, y);
  Tensor dx = Tensor::empty(y.shape(), DType::F32, y.device());
  kernels::softmax_bwd(dy.data<float>(), y.data<float>(), dx.data<float>(), y.size(0), y.size(1),
                       stream());
  ZKD_LAUNCH_CHECK("softmax_bwd_kernel");
  return dx;
}

Tensor log_softmax_fwd(const Tensor& x) {  // x [B, K] -> [B, K]
  require_rows("log_softmax", x);
  Tensor y = Tensor::empty(x.shape(), DType::F32, x.device());
  kernels::log_softmax_fwd(x.data<float>(), y.data<float>(), x.size(0), x.size(1), stream());
  ZKD_LAUNCH_CHECK("log_softmax_fwd_kernel");
  return y;
}

Tensor log_softmax_bwd(const Tensor& dy, const Tensor& y) {  // dy, y [B, K] -> [B, K]
  require_rows("log_softmax", y, "saved output");
  require_f32("log_softmax", dy, "gradient");
  check_shape("log_softmax", dy, y.shape(), "gradient");
  check_same_device("log_softmax", dy, y);
  Tensor dx = Tensor::empty(y.shape(), DType::F32, y.device());
  kernels::log_softmax_bwd(dy.data<float>(), y.data<float>(), dx.data<float>(), y.size(0),
                           y.size(1), stream());
  ZKD_LAUNCH_CHECK("log_softmax_bwd_kernel");
  return dx;
}

// logits [B, K], labels int64 [B] -> loss [], log_probs [B, K]
CrossEntropyOut cross_entropy_fwd(const Tensor& logits, const Tensor& labels) {
  require_rows("cross_entropy", logits, "logits");
  require_labels("cross_entropy", labels, logits);
  CrossEntropyOut r{Tensor::empty({}, DType::F32, logits.device()), log_softmax_fwd(logits)};
  kernels::cross_entropy_fwd(r.log_probs.data<float>(), labels.data<int64_t>(),
                             r.loss.data<float>(), logits.size(0), logits.size(1), stream());
  ZKD_LAUNCH_CHECK("cross_entropy_fwd_kernel");
  return r;
}

// dloss [] (read on the device), log_probs [B, K], labels [B] -> dlogits [B, K]
Tensor cross_entropy_bwd(const Tensor& dloss, const Tensor& log_probs, const Tensor& labels) {
  require_rows("cross_entropy", log_probs, "log-probabilities");
  require_f32("cross_entropy", dloss, "loss gradient");
  require_numel("cross_entropy", dloss, 1, log_probs, "loss gradient");
  require_labels("cross_entropy", labels, log_probs);
  Tensor dx = Tensor::empty(log_probs.shape(), DType::F32, log_probs.device());
  kernels::cross_entropy_bwd(dloss.data<float>(), log_probs.data<float>(), labels.data<int64_t>(),
                             dx.data<float>(), log_probs.size(0), log_probs.size(1), stream());
  ZKD_LAUNCH_CHECK("cross_entropy_bwd_kernel");
  return dx;
}

// logits [B, K], labels [B]; counts float32 [2] += (top-1 hits, top-5 hits)
void accumulate_topk(const Tensor& logits, const Tensor& labels, Tensor& counts) {
  require_rows("accuracy", logits, "logits");
  require_labels("accuracy", labels, logits);
  require_f32("accuracy", counts, "counts");
  require_numel("accuracy", counts, 2, logits, "counts");
  kernels::accumulate_topk(logits.data<float>(), labels.data<int64_t>(), counts.data<float>(),
                           logits.size(0), logits.size(1), stream());
  ZKD_LAUNCH_CHECK("accumulate_topk_kernel");
}

}  // namespace zkd::cuda
