// A small ResNet-style net from the engine's nn modules, for the whole-network CUDA checks:
// stem conv 3x3 + BN + ReLU -> basic block (12 ch) -> depthwise 3x3 + BN + ReLU -> avg_pool2d 2
// -> basic block 12 -> 20 ch, stride 2, 1x1 conv shortcut with bias -> global average pool ->
// Linear(20, 10). Channel counts are not multiples of 8. Input [N, 3, H, W], H and W divisible
// by 4; output logits [N, 10].
#pragma once
#include <memory>

#include "engine/nn/layers.h"
#include "tests/common/to_float64.h"

namespace zkd::test {

class BasicBlock : public Module {
 public:
  BasicBlock(int64_t in, int64_t out, int64_t stride, Generator& gen) {
    conv1 =
        register_module("conv1", std::make_shared<Conv2d>(in, out, 3, conv_opt(stride, 1), gen));
    bn1 = register_module("bn1", std::make_shared<BatchNorm2d>(out));
    conv2 = register_module("conv2", std::make_shared<Conv2d>(out, out, 3, conv_opt(1, 1), gen));
    bn2 = register_module("bn2", std::make_shared<BatchNorm2d>(out));
    if (stride != 1 || in != out)  // with a bias, and no BN after it (a bias before a BN has
                                   // a gradient of exactly zero, which tests nothing)
      short_conv = register_module(
          "shortcut.0", std::make_shared<Conv2d>(in, out, 1, conv_opt(stride, 0, 1, true), gen));
  }
  // x [N, in, H, W] -> [N, out, H / stride, W / stride]
  Variable forward(const Variable& x) override {
    Variable y = relu((*bn1)((*conv1)(x)));
    y = (*bn2)((*conv2)(y));
    Variable sc = short_conv ? (*short_conv)(x) : x;
    return relu(add(y, sc));
  }
  std::string type_name() const override { return "BasicBlock"; }

  static Conv2dOptions conv_opt(int64_t stride, int64_t pad, int64_t groups = 1,
                                bool bias = false) {
    Conv2dOptions o;
    o.stride = stride;
    o.padding = pad;
    o.groups = groups;
    o.bias = bias;
    return o;
  }

  std::shared_ptr<Conv2d> conv1, conv2, short_conv;
  std::shared_ptr<BatchNorm2d> bn1, bn2;
};

class SmallResNet : public Module {
 public:
  explicit SmallResNet(Generator& gen) {
    using O = BasicBlock;
    stem = register_module("conv1", std::make_shared<Conv2d>(3, 12, 3, O::conv_opt(1, 1), gen));
    bn = register_module("bn1", std::make_shared<BatchNorm2d>(12));
    block1 = register_module("layer1", std::make_shared<BasicBlock>(12, 12, 1, gen));
    dw = register_module("dw", std::make_shared<Conv2d>(12, 12, 3, O::conv_opt(1, 1, 12), gen));
    dw_bn = register_module("dw_bn", std::make_shared<BatchNorm2d>(12));
    block2 = register_module("layer2", std::make_shared<BasicBlock>(12, 20, 2, gen));
    fc = register_module("fc", std::make_shared<Linear>(20, 10, gen));
  }
  // x [N, 3, H, W] -> logits [N, 10]
  Variable forward(const Variable& x) override {
    Variable y = relu((*bn)((*stem)(x)));
    y = (*block1)(y);
    y = relu((*dw_bn)((*dw)(y)));
    y = avg_pool2d(y, pool_args(2));
    y = (*block2)(y);
    return (*fc)(global_avg_pool(y));
  }
  std::string type_name() const override { return "SmallResNet"; }

  std::shared_ptr<Conv2d> stem, dw;
  std::shared_ptr<BatchNorm2d> bn, dw_bn;
  std::shared_ptr<BasicBlock> block1, block2;
  std::shared_ptr<Linear> fc;
};

}  // namespace zkd::test
