// FlatParameters: every parameter's values in ONE flat buffer and every gradient in another
// (each Parameter becomes a view into them), so zeroing gradients and the optimizer update are
// one pass each over contiguous memory.
#pragma once
#include <vector>

#include "engine/autograd/variable.h"

namespace zkd {

class FlatParameters {
 public:
  // Moves the parameters' values into one buffer on their (common) device.
  explicit FlatParameters(std::vector<Variable> params);
  Tensor& values() { return values_; }  // [numel]
  Tensor& grads() { return grads_; }    // [numel]
  const std::vector<Variable>& params() const { return params_; }
  int64_t numel() const { return values_.numel(); }
  void zero_grad();

 private:
  std::vector<Variable> params_;
  Tensor values_, grads_;
};

}  // namespace zkd
