// CUDA whole-tensor reductions: sum_all (deterministic, no float atomics) and expand_scalar (its
// backward: broadcast of a device scalar, never read on the host); around kernels/reduce.h.
#include "kernels/reduce.h"

#include "engine/backend/backend.h"
#include "engine/backend/cuda/context.h"
#include "engine/backend/cuda/kernel_glue.h"

namespace zkd::cuda {

Tensor sum_all(const Tensor& x) {  // x [any] -> []
  require_f32("sum", x, "input");
  Tensor y = Tensor::empty({}, DType::F32, x.device());
  // Scratch for the per-block partial sums; the caching allocator reuses it in stream order.
  Tensor partials = Tensor::empty({kernels::sum_all_partials(x.numel())}, DType::F64, x.device());
  kernels::sum_all(x.data<float>(), x.numel(), partials.data<double>(), y.data<float>(), stream());
  ZKD_LAUNCH_CHECK("sum_all_partial_kernel, sum_all_final_kernel");
  return y;
}

// s one element -> [shape] filled with alpha * s
Tensor expand_scalar(const Tensor& s, const Shape& shape, double alpha) {
  require_f32("expand_scalar", s, "scalar");
  require_numel("expand_scalar", s, 1, s, "scalar");
  Tensor y = Tensor::empty(shape, DType::F32, s.device());
  kernels::expand_scalar(s.data<float>(), y.data<float>(), y.numel(), alpha, stream());
  ZKD_LAUNCH_CHECK("expand_scalar_kernel");
  return y;
}

}  // namespace zkd::cuda
