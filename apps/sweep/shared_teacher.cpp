// One stacked teacher forward for several members (see shared_teacher.h).
#include "apps/sweep/shared_teacher.h"

#include "engine/autograd/grad_mode.h"

namespace zkd::app::sweep {

std::vector<Tensor> shared_teacher_logits(Module& teacher, const std::vector<Tensor>& batches) {
  ZKD_CHECK(!batches.empty(), "shared_teacher_logits",
            "expected at least one member batch, got none");
  const Tensor& first = batches.front();
  ZKD_CHECK(first.dim() == 4, "shared_teacher_logits", "expected [B, C, H, W] batches, got ",
            shape_str(first.shape()));
  int64_t rows = 0;
  for (const Tensor& b : batches) {
    ZKD_CHECK(b.dim() == 4 && b.size(1) == first.size(1) && b.size(2) == first.size(2) &&
                  b.size(3) == first.size(3) && b.dtype() == first.dtype() &&
                  b.device() == first.device(),
              "shared_teacher_logits", "expected every batch shaped [B, ", first.size(1), ", ",
              first.size(2), ", ", first.size(3), "] on ", first.device().str(), ", got ",
              shape_str(b.shape()), " on ", b.device().str());
    rows += b.size(0);
  }
  const int64_t per_row = first.size(1) * first.size(2) * first.size(3);
  Tensor stacked = Tensor::empty({rows, first.size(1), first.size(2), first.size(3)}, first.dtype(),
                                 first.device());
  int64_t at = 0;
  for (const Tensor& b : batches) {
    stacked.view_at(at * per_row, b.shape()).copy_from(b.contiguous());
    at += b.size(0);
  }
  Tensor logits;
  {
    NoGradGuard no_grad;
    teacher.eval();
    logits = teacher(Variable(stacked)).data();  // [rows, classes]
  }
  const int64_t classes = logits.size(1);
  std::vector<Tensor> out;
  at = 0;
  for (const Tensor& b : batches) {
    out.push_back(logits.view_at(at * classes, {b.size(0), classes}));
    at += b.size(0);
  }
  return out;
}

}  // namespace zkd::app::sweep
