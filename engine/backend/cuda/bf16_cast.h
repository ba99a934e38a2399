// bf16 staging of the CUDA bf16 policy (engine/core/precision.h): the cuDNN / cuBLAS glue casts
// float32 operands into bf16 tensors (DType::BF16, same shape) and bf16 results back into
// float32, with the kernels of kernels/bf16.cu on the compute stream.
#pragma once
#include "engine/tensor/tensor.h"

namespace zkd::cuda {

Tensor to_bf16(const Tensor& x);                 // x float32, contiguous, on CUDA -> bf16 copy
void bf16_into(const Tensor& src, Tensor& dst);  // src bf16 -> dst float32, same element count
Tensor empty_bf16(const Shape& shape, const Tensor& like);  // on like's device

}  // namespace zkd::cuda
