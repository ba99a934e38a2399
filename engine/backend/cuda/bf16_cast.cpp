// The bf16 casts of bf16_cast.h around the launchers of kernels/bf16.h.
#include "engine/backend/cuda/bf16_cast.h"

#include "engine/backend/cuda/context.h"
#include "engine/backend/cuda/kernel_glue.h"
#include "kernels/bf16.h"

namespace zkd::cuda {

Tensor empty_bf16(const Shape& shape, const Tensor& like) {
  return Tensor::empty(shape, DType::BF16, like.device());
}

Tensor to_bf16(const Tensor& x) {
  require_f32("to_bf16", x, "tensor");
  Tensor y = empty_bf16(x.shape(), x);
  kernels::f32_to_bf16(x.data<float>(), static_cast<uint16_t*>(y.raw()), x.numel(), stream());
  ZKD_LAUNCH_CHECK("f32_to_bf16_kernel");
  return y;
}

void bf16_into(const Tensor& src, Tensor& dst) {
  ZKD_CHECK(src.dtype() == DType::BF16 && src.numel() == dst.numel(), "bf16_into",
            "expected a bf16 source of ", dst.numel(), " elements, got ", src.str());
  require_f32("bf16_into", dst, "destination");
  kernels::bf16_to_f32(static_cast<const uint16_t*>(src.raw()), dst.data<float>(), src.numel(),
                       stream());
  ZKD_LAUNCH_CHECK("bf16_to_f32_kernel");
}

}  // namespace zkd::cuda
