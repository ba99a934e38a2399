// NumPy .npy files (format version 1.0): a little-endian float32 array with its shape, e.g. the
// test-set logits written by `zkd-eval --save-logits`, readable by numpy.load.
#pragma once
#include <string>

#include "engine/tensor/tensor.h"

namespace zkd::app {

std::string encode_npy(const Tensor& t);                  // float32, C order
void save_npy(const std::string& path, const Tensor& t);  // atomic

}  // namespace zkd::app
