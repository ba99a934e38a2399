// resnet.py's BasicBlock and ResNet. Init: every conv kaiming_normal(fan_out, relu), BN 1/0, fc
// PyTorch's default.
#include "nets/resnet.h"

#include "nets/common.h"

namespace zkd::nets {

namespace {

// conv3x3(s)-BN-ReLU-conv3x3-BN, + x or downsample(x) (1x1 conv(s) + BN), then ReLU.
class BasicBlock : public Module {
 public:
  BasicBlock(int64_t inplanes, int64_t planes, int64_t stride, bool downsample, Generator& gen) {
    conv1_ = register_module("conv1", make_conv(inplanes, planes, 3, stride, 1, gen));
    bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(planes));
    relu_ = register_module("relu", std::make_shared<ReLU>());
    conv2_ = register_module("conv2", make_conv(planes, planes, 3, 1, 1, gen));
    bn2_ = register_module("bn2", std::make_shared<BatchNorm2d>(planes));
    if (downsample) {
      downsample_ = register_module("downsample", std::make_shared<Sequential>());
      downsample_->add(make_conv(inplanes, planes, 1, stride, 0, gen));
      downsample_->add(std::make_shared<BatchNorm2d>(planes));
    }
  }
  // x [N, inplanes, H, W] -> [N, planes, H / stride, W / stride]
  Variable forward(const Variable& x) override {
    Variable out = (*relu_)((*bn1_)((*conv1_)(x)));
    out = (*bn2_)((*conv2_)(out));
    Variable residual = downsample_ ? (*downsample_)(x) : x;
    return relu(add(out, residual));
  }
  std::string type_name() const override { return "BasicBlock"; }

 private:
  std::shared_ptr<Conv2d> conv1_, conv2_;
  std::shared_ptr<BatchNorm2d> bn1_, bn2_;
  std::shared_ptr<ReLU> relu_;
  std::shared_ptr<Sequential> downsample_;
};

class ResNet : public Module {
 public:
  ResNet(int64_t depth, const std::vector<int64_t>& filters, int64_t num_classes, Generator& gen) {
    ZKD_CHECK(depth >= 8 && (depth - 2) % 6 == 0 && filters.size() == 4, "resnet",
              "expected depth 6n+2 (>= 8) and 4 filter counts, got depth ", depth, " and ",
              filters.size(), " filter counts");
    int64_t n = (depth - 2) / 6;
    int64_t inplanes = filters[0];
    conv1_ = register_module("conv1", make_conv(3, filters[0], 3, 1, 1, gen));
    bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(filters[0]));
    relu_ = register_module("relu", std::make_shared<ReLU>());
    for (int64_t s = 0; s < 3; ++s) {
      auto layer = std::make_shared<Sequential>();
      int64_t planes = filters[s + 1], stride = s == 0 ? 1 : 2;
      for (int64_t i = 0; i < n; ++i) {
        bool downsample = i == 0 && (stride != 1 || inplanes != planes);
        layer->add(
            std::make_shared<BasicBlock>(inplanes, planes, i == 0 ? stride : 1, downsample, gen));
        inplanes = planes;
      }
      layers_[s] = register_module("layer" + std::to_string(s + 1), layer);
    }
    avgpool_ = register_module("avgpool", std::make_shared<AvgPool2d>(pool_args(8)));
    fc_ = register_module("fc", std::make_shared<Linear>(filters[3], num_classes, gen));
    init_conv_fan_out(*this, LinearInit::kDefault, gen);
  }
  // x [N, 3, 32, 32] -> logits [N, num_classes]
  Variable forward(const Variable& x) override {
    Variable out = (*relu_)((*bn1_)((*conv1_)(x)));   // [N, f0, 32, 32]
    for (auto& layer : layers_) out = (*layer)(out);  // [N, f3, 8, 8]
    return (*fc_)(flatten((*avgpool_)(out)));
  }
  std::string type_name() const override { return "ResNet"; }

 private:
  std::shared_ptr<Conv2d> conv1_;
  std::shared_ptr<BatchNorm2d> bn1_;
  std::shared_ptr<ReLU> relu_;
  std::shared_ptr<Sequential> layers_[3];
  std::shared_ptr<AvgPool2d> avgpool_;
  std::shared_ptr<Linear> fc_;
};

}  // namespace

std::shared_ptr<Module> make_resnet(int64_t depth, const std::vector<int64_t>& filters,
                                    int64_t num_classes, Generator& gen) {
  return std::make_shared<ResNet>(depth, filters, num_classes, gen);
}

}  // namespace zkd::nets
