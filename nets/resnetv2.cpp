// resnetv2.py's Bottleneck and ResNet. Init: every conv kaiming_normal(fan_out, relu), BN 1/0,
// linear PyTorch's default (zero_init_residual is False in mdistiller).
#include "nets/resnetv2.h"

#include "nets/common.h"

namespace zkd::nets {

namespace {

constexpr int64_t kExpansion = 4;

// 1x1-BN-ReLU, 3x3(s)-BN-ReLU, 1x1 (x4)-BN, + shortcut (empty, or 1x1 conv(s) + BN), ReLU.
class Bottleneck : public Module {
 public:
  Bottleneck(int64_t in_planes, int64_t planes, int64_t stride, Generator& gen) {
    int64_t out = kExpansion * planes;
    conv1_ = register_module("conv1", make_conv(in_planes, planes, 1, 1, 0, gen));
    bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(planes));
    conv2_ = register_module("conv2", make_conv(planes, planes, 3, stride, 1, gen));
    bn2_ = register_module("bn2", std::make_shared<BatchNorm2d>(planes));
    conv3_ = register_module("conv3", make_conv(planes, out, 1, 1, 0, gen));
    bn3_ = register_module("bn3", std::make_shared<BatchNorm2d>(out));
    shortcut_ = register_module("shortcut", std::make_shared<Sequential>());
    if (stride != 1 || in_planes != out) {
      shortcut_->add(make_conv(in_planes, out, 1, stride, 0, gen));
      shortcut_->add(std::make_shared<BatchNorm2d>(out));
    }
  }
  // x [N, in_planes, H, W] -> [N, 4 * planes, H / stride, W / stride]
  Variable forward(const Variable& x) override {
    Variable out = relu((*bn1_)((*conv1_)(x)));
    out = relu((*bn2_)((*conv2_)(out)));
    out = (*bn3_)((*conv3_)(out));
    return relu(add(out, (*shortcut_)(x)));  // an empty shortcut passes x through
  }
  std::string type_name() const override { return "Bottleneck"; }

 private:
  std::shared_ptr<Conv2d> conv1_, conv2_, conv3_;
  std::shared_ptr<BatchNorm2d> bn1_, bn2_, bn3_;
  std::shared_ptr<Sequential> shortcut_;
};

class ResNetV2 : public Module {
 public:
  ResNetV2(const std::vector<int64_t>& num_blocks, int64_t num_classes, Generator& gen) {
    ZKD_CHECK(num_blocks.size() == 4, "ResNet50", "expected 4 stage block counts, got ",
              num_blocks.size());
    int64_t in_planes = 64;
    conv1_ = register_module("conv1", make_conv(3, 64, 3, 1, 1, gen));
    bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(64));
    const int64_t planes[4] = {64, 128, 256, 512}, strides[4] = {1, 2, 2, 2};
    for (int64_t s = 0; s < 4; ++s) {
      auto layer = std::make_shared<Sequential>();
      for (int64_t i = 0; i < num_blocks[s]; ++i) {
        layer->add(
            std::make_shared<Bottleneck>(in_planes, planes[s], i == 0 ? strides[s] : 1, gen));
        in_planes = kExpansion * planes[s];
      }
      layers_[s] = register_module("layer" + std::to_string(s + 1), layer);
    }
    avgpool_ = register_module("avgpool", std::make_shared<AdaptiveAvgPool2d>());
    linear_ =
        register_module("linear", std::make_shared<Linear>(512 * kExpansion, num_classes, gen));
    init_conv_fan_out(*this, LinearInit::kDefault, gen);
  }
  // x [N, 3, 32, 32] -> logits [N, num_classes]
  Variable forward(const Variable& x) override {
    Variable out = relu((*bn1_)((*conv1_)(x)));       // [N, 64, 32, 32]
    for (auto& layer : layers_) out = (*layer)(out);  // [N, 2048, 4, 4]
    return (*linear_)(flatten((*avgpool_)(out)));
  }
  std::string type_name() const override { return "ResNet"; }

 private:
  std::shared_ptr<Conv2d> conv1_;
  std::shared_ptr<BatchNorm2d> bn1_;
  std::shared_ptr<Sequential> layers_[4];
  std::shared_ptr<AdaptiveAvgPool2d> avgpool_;
  std::shared_ptr<Linear> linear_;
};

}  // namespace

std::shared_ptr<Module> make_resnet_v2_bottleneck(const std::vector<int64_t>& num_blocks,
                                                  int64_t num_classes, Generator& gen) {
  return std::make_shared<ResNetV2>(num_blocks, num_classes, gen);
}

}  // namespace zkd::nets
