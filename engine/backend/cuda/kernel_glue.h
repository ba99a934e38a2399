// Shared checks of the glue between the backend ops (backend/op_list.inc) and our own kernels
// (kernels/*.h): inputs on the CUDA device, float32 (the only float type of the CUDA kernels),
// and a dispatch over the element types the memory ops (fill, convert) accept.
#pragma once
#include <cstdint>

#include "engine/core/error.h"
#include "engine/tensor/tensor.h"

namespace zkd::cuda {

// A float32 tensor on a CUDA device, contiguous (the backend ops take contiguous tensors).
inline void require_f32(const char* op, const Tensor& t, const char* what = "input") {
  ZKD_CHECK(t.defined() && t.is_cuda(), op, "expected the ", what, " on a CUDA device, got ",
            t.defined() ? t.str() : "an undefined tensor");
  ZKD_CHECK(t.dtype() == DType::F32, op, "expected a float32 ", what,
            " (CUDA kernels are float32 only), got ", dtype_name(t.dtype()));
  ZKD_CHECK(t.is_contiguous(), op, "expected a contiguous ", what, ", got strides ",
            shape_str(t.strides()), " for shape ", shape_str(t.shape()));
}

// `t` has `n` elements on the device of `ref` (guards a kernel against reading past a buffer).
inline void require_numel(const char* op, const Tensor& t, int64_t n, const Tensor& ref,
                          const char* what) {
  ZKD_CHECK(t.numel() == n, op, "expected ", n, " elements in the ", what, ", got ", t.numel(),
            " (shape ", shape_str(t.shape()), ")");
  ZKD_CHECK(t.device() == ref.device(), op, "expected the ", what, " on ", ref.device().str(),
            ", got ", t.device().str());
}

// Calls f(T{}) with the C++ type of dt: float, double, uint8_t, int32_t or int64_t.
template <typename F>
void dispatch_dtype(const char* op, DType dt, F&& f) {
  switch (dt) {
    case DType::F32:
      return f(float{});
    case DType::F64:
      return f(double{});
    case DType::U8:
      return f(uint8_t{});
    case DType::I32:
      return f(int32_t{});
    case DType::I64:
      return f(int64_t{});
    default:
      ZKD_FAIL(op, "expected a float32, float64, uint8, int32 or int64 tensor on CUDA, got ",
               dtype_name(dt));
  }
}

}  // namespace zkd::cuda
