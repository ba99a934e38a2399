// Pieces shared by the zoo's families: conv construction, the parameter-free modules mdistiller's
// module trees hold (AdaptiveAvgPool2d(1), ModuleList, ShuffleBlock), a pre-order module walk
// (PyTorch's `self.modules()`), and the two weight-init schemes of the mdistiller CIFAR models.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "engine/core/rng.h"
#include "engine/nn/layers.h"

namespace zkd::nets {

// nn.Conv2d(in, out, k, stride, pad, groups, bias) with PyTorch's default init drawn from gen.
std::shared_ptr<Conv2d> make_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                                  int64_t pad, Generator& gen, int64_t groups = 1,
                                  bool bias = false);

// nn.AdaptiveAvgPool2d((1, 1)): x [N, C, H, W] -> [N, C, 1, 1].
class AdaptiveAvgPool2d : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string type_name() const override { return "AdaptiveAvgPool2d(1)"; }
};

// nn.ModuleList: children "0", "1", ... (run in order by its owner's forward).
class ModuleList : public Sequential {
 public:
  std::string type_name() const override { return "ModuleList"; }
};

// mdistiller's ShuffleBlock: channel shuffle of x [N, C, H, W] with `groups` groups.
class ShuffleBlock : public Module {
 public:
  explicit ShuffleBlock(int64_t groups) : groups_(groups) {}
  Variable forward(const Variable& x) override { return channel_shuffle(x, groups_); }
  std::string type_name() const override;

 private:
  int64_t groups_;
};

// Visits m and then its descendants, depth first in registration order (PyTorch's modules()).
void for_each_module(Module& m, const std::function<void(Module&)>& fn);

// The re-initialization loops of mdistiller's constructors, run after construction, drawing in
// for_each_module order. BatchNorm2d is already weight 1 / bias 0 from its constructor, which is
// what every loop sets, so they leave it alone.
//   Conv2d: N(0, sqrt(2 / (k*k*out))) = kaiming_normal(fan_out, relu) (PyTorch's fan_out of a
//   [out, in/g, k, k] weight is out*k*k, also for grouped convs), conv bias (VGG only) zeroed.
enum class LinearInit {
  kDefault,   // resnet.py, resnetv2.py: PyTorch's default kept
  kZeroBias,  // wrn.py: default weight, bias 0
  kNormal,    // vgg.py, mobilenetv2.py: weight N(0, 0.01), bias 0
};
void init_conv_fan_out(Module& net, LinearInit linear, Generator& gen);

}  // namespace zkd::nets
