// Tensor functions without autograd (see tensor_ops.h): argument checks, then the backend op.
#include "engine/ops/tensor_ops.h"

#include "engine/backend/backend.h"
#include "engine/ops/checks.h"

namespace zkd {

namespace {
void check_rows(const char* op, const Tensor& x) {
  check_floating(op, x);
  ZKD_CHECK(x.dim() == 2 && x.size(0) >= 1 && x.size(1) >= 1, op,
            "expected a non-empty [B, K] tensor, got shape ", shape_str(x.shape()));
}
}  // namespace

void fill_(Tensor& t, double value) {
  check_floating("fill_", t);
  ZKD_DISPATCH(t, fill, t, value);
}

void add_scaled_(Tensor& dst, const Tensor& src, double alpha) {
  check_floating("add_scaled_", dst);
  check_same_device("add_scaled_", dst, src);
  ZKD_CHECK(dst.numel() == src.numel() && dst.dtype() == src.dtype(), "add_scaled_",
            "expected tensors of the same size and dtype, got ", shape_str(dst.shape()), " and ",
            shape_str(src.shape()));
  ZKD_DISPATCH(dst, add_inplace, dst, src, alpha);
}

Tensor scaled(const Tensor& x, double alpha) {
  check_floating("scaled", x);
  return ZKD_DISPATCH(x, scale, x, alpha);
}

Tensor sum_of(const Tensor& x) {
  check_floating("sum_of", x);
  ZKD_CHECK(x.numel() > 0, "sum_of", "expected a non-empty tensor, got shape ",
            shape_str(x.shape()));
  return ZKD_DISPATCH(x, sum_all, x.contiguous());
}

void accumulate_topk_(const Tensor& logits, const Tensor& labels, Tensor& counts) {
  check_logits("accumulate_topk_", logits);
  check_labels("accumulate_topk_", logits, labels);
  check_same_device("accumulate_topk_", logits, counts);
  ZKD_CHECK(counts.numel() == 2 && counts.dtype() == DType::F32, "accumulate_topk_",
            "expected float32 counts [2], got ", shape_str(counts.shape()));
  ZKD_DISPATCH(logits, accumulate_topk, logits, labels, counts);
}

Tensor softmax_rows(const Tensor& x) {
  check_rows("softmax_rows", x);
  return ZKD_DISPATCH(x, softmax_fwd, x);
}

Tensor max_of_rows(const Tensor& x) {
  check_rows("max_of_rows", x);
  return ZKD_DISPATCH(x, max_rows, x);
}

Tensor sum_over_rows(const Tensor& x) {
  check_rows("sum_over_rows", x);
  return ZKD_DISPATCH(x, sum_rows, x);
}

Tensor fraction_at_most_median(const Tensor& x) {
  check_floating("fraction_at_most_median", x);
  ZKD_CHECK(x.dim() == 1 && x.numel() >= 1, "fraction_at_most_median",
            "expected a non-empty [N] tensor, got shape ", shape_str(x.shape()));
  return ZKD_DISPATCH(x, fraction_le_median, x);
}

}  // namespace zkd
