// CUDA glue of the small helpers of the distillation losses (kernels/loss_helpers.h): output
// allocation and launches on the compute stream; no host synchronization.
#include "kernels/loss_helpers.h"

#include "engine/backend/backend.h"
#include "engine/backend/cuda/context.h"
#include "engine/backend/cuda/kernel_glue.h"

namespace zkd::cuda {

Tensor sigmoid_fwd(const Tensor& x) {
  require_f32("sigmoid", x);
  Tensor y = Tensor::empty(x.shape(), DType::F32, x.device());
  kernels::sigmoid_fwd(x.data<float>(), y.data<float>(), x.numel(), stream());
  ZKD_LAUNCH_CHECK("sigmoid_fwd_kernel");
  return y;
}

Tensor sigmoid_bwd(const Tensor& dy, const Tensor& y) {
  require_f32("sigmoid", dy, "gradient");
  require_f32("sigmoid", y, "output");
  require_numel("sigmoid", dy, y.numel(), y, "gradient");
  Tensor dx = Tensor::empty(y.shape(), DType::F32, y.device());
  kernels::sigmoid_bwd(dy.data<float>(), y.data<float>(), dx.data<float>(), y.numel(), stream());
  ZKD_LAUNCH_CHECK("sigmoid_bwd_kernel");
  return dx;
}

Tensor max_rows(const Tensor& x) {  // [B, K] -> [B]
  require_f32("max_rows", x);
  ZKD_CHECK(x.dim() == 2 && x.size(1) >= 1, "max_rows", "expected [B, K] with K >= 1, got shape ",
            shape_str(x.shape()));
  Tensor y = Tensor::empty({x.size(0)}, DType::F32, x.device());
  kernels::max_rows(x.data<float>(), x.size(0), x.size(1), y.data<float>(), stream());
  ZKD_LAUNCH_CHECK("max_rows_kernel");
  return y;
}

Tensor fraction_le_median(const Tensor& x) {  // [N] -> []
  require_f32("fraction_le_median", x);
  ZKD_CHECK(x.numel() >= 1, "fraction_le_median", "expected at least one value, got none");
  Tensor y = Tensor::empty({}, DType::F32, x.device());
  kernels::fraction_le_median(x.data<float>(), x.numel(), y.data<float>(), stream());
  ZKD_LAUNCH_CHECK("fraction_le_median_kernel");
  return y;
}

}  // namespace zkd::cuda
