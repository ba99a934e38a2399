// The basic layers, with PyTorch's parameter names and default initialization:
// Conv2d (weight [K, C/groups, R, S], bias [K]), BatchNorm2d (weight, bias, running_mean,
// running_var, num_batches_tracked), Linear (weight [O, I], bias [O]), ReLU, pools, Sequential
// (children named "0", "1", ...).
#pragma once
#include "engine/core/rng.h"
#include "engine/nn/module.h"

namespace zkd {

struct Conv2dOptions {
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t groups = 1;
  bool bias = false;
};

class Conv2d : public Module {
 public:
  // PyTorch default init: weight kaiming_uniform(a = sqrt(5)), bias U(+-1/sqrt(fan_in)).
  Conv2d(int64_t in, int64_t out, int64_t kernel, const Conv2dOptions& opt, Generator& gen);
  Variable forward(const Variable& x) override;
  std::string type_name() const override;
  Variable weight, bias;  // bias undefined without opt.bias
  Conv2dArgs args;
  int64_t in_channels, out_channels, kernel_size;
};

class BatchNorm2d : public Module {
 public:
  explicit BatchNorm2d(int64_t channels, const BatchNormArgs& args = {});
  Variable forward(const Variable& x) override;
  std::string type_name() const override;
  Variable weight, bias, running_mean, running_var, num_batches_tracked;
  BatchNormArgs args;
  int64_t channels;
};

class Linear : public Module {
 public:
  Linear(int64_t in, int64_t out, Generator& gen, bool bias = true);
  Variable forward(const Variable& x) override;  // x [N, in] -> [N, out]
  std::string type_name() const override;
  Variable weight, bias;
  int64_t in_features, out_features;
};

class ReLU : public Module {
 public:
  Variable forward(const Variable& x) override { return relu(x); }
  std::string type_name() const override { return "ReLU"; }
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(const Pool2dArgs& a) : args(a) {}
  Variable forward(const Variable& x) override { return avg_pool2d(x, args); }
  std::string type_name() const override;
  Pool2dArgs args;
};

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(const Pool2dArgs& a) : args(a) {}
  Variable forward(const Variable& x) override { return max_pool2d(x, args); }
  std::string type_name() const override;
  Pool2dArgs args;
};

// Pool2dArgs for a square kernel k, stride s (default k), padding p.
Pool2dArgs pool_args(int64_t k, int64_t s = -1, int64_t p = 0, bool ceil_mode = false);

class Sequential : public Module {
 public:
  Sequential() = default;
  template <typename M>
  std::shared_ptr<M> add(std::shared_ptr<M> m) {
    register_module(std::to_string(size_), m);
    ++size_;
    return m;
  }
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "Sequential"; }
  int64_t size() const { return size_; }

 private:
  int64_t size_ = 0;
};

}  // namespace zkd
