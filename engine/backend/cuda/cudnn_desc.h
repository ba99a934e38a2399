// RAII cuDNN descriptors shared by the cuDNN glue (cudnn_conv.cpp, cudnn_batchnorm.cpp): a 4-D
// NCHW tensor descriptor (float32, or bf16 for the bf16 convolutions), destroyed with its owner.
#pragma once
#include <cudnn.h>

#include <cstdint>

#include "engine/backend/cuda/context.h"

namespace zkd::cuda {

class TensorDesc {
 public:
  TensorDesc() { ZKD_CUDNN_CHECK(cudnnCreateTensorDescriptor(&d_)); }
  TensorDesc(int64_t n, int64_t c, int64_t h, int64_t w) : TensorDesc() { set(n, c, h, w); }
  ~TensorDesc() { cudnnDestroyTensorDescriptor(d_); }
  TensorDesc(const TensorDesc&) = delete;
  TensorDesc& operator=(const TensorDesc&) = delete;
  void set(int64_t n, int64_t c, int64_t h, int64_t w, cudnnDataType_t t = CUDNN_DATA_FLOAT) {
    ZKD_CUDNN_CHECK(cudnnSetTensor4dDescriptor(d_, CUDNN_TENSOR_NCHW, t, static_cast<int>(n),
                                               static_cast<int>(c), static_cast<int>(h),
                                               static_cast<int>(w)));
  }
  cudnnTensorDescriptor_t get() const { return d_; }

 private:
  cudnnTensorDescriptor_t d_ = nullptr;
};

}  // namespace zkd::cuda
