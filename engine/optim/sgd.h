// SGD with momentum, weight decay and optional Nesterov, with PyTorch's semantics:
//   d = g + wd * w;  buf = momentum * buf + d;  step = nesterov ? d + momentum * buf : buf;
//   w -= lr * step.
// (buf starts at zero, which equals PyTorch's first-step buf = d since dampening is 0.)
// One fused pass over the flat parameter, gradient and momentum buffers. Plus the LR schedules.
#pragma once
#include <vector>

#include "engine/backend/op_args.h"
#include "engine/optim/flat_params.h"

namespace zkd {

class SGD {
 public:
  SGD(std::vector<Variable> params, const SgdArgs& args);
  void step();
  void zero_grad() { flat_.zero_grad(); }
  void set_lr(float lr) { args_.lr = lr; }
  float lr() const { return args_.lr; }
  const SgdArgs& args() const { return args_; }
  FlatParameters& flat() { return flat_; }
  Tensor& momentum_buffer() { return momentum_; }  // [numel], saved in checkpoints

 private:
  FlatParameters flat_;
  SgdArgs args_;
  Tensor momentum_;
};

// The paper's schedule: base * gamma^(number of milestones m with epoch > m); epochs 1-indexed.
float multistep_lr(float base, int epoch, const std::vector<int>& milestones, float gamma = 0.1f);
// Cosine annealing over `total` epochs (PyTorch's CosineAnnealingLR, T_max = total): base at
// epoch 1, min_lr + (base - min_lr) * (1 + cos(pi * (epoch - 1) / total)) / 2 after.
float cosine_lr(float base, int epoch, int total, float min_lr = 0.0f);

}  // namespace zkd
