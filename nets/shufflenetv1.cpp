// ShuffleNetv1.py's Bottleneck and ShuffleNet. Init: PyTorch's defaults everywhere (the model has
// no init loop): conv/linear weights kaiming_uniform(a = sqrt(5)), linear bias U(+-1/sqrt(in)).
#include "nets/shufflenetv1.h"

#include "nets/common.h"

namespace zkd::nets {

namespace {

// conv1 1x1 (groups g; g = 1 when in = 24) + BN + ReLU, shuffle(g), dw3x3(s) + BN + ReLU,
// conv3 1x1 (groups) + BN; stride 2: concat [out, AvgPool(3, 2, 1)(x)], else out + x; ReLU.
class Bottleneck : public Module {
 public:
  Bottleneck(int64_t in_planes, int64_t out_planes, int64_t stride, int64_t groups, Generator& gen)
      : stride_(stride) {
    int64_t mid = out_planes / 4;
    int64_t g = in_planes == 24 ? 1 : groups;
    conv1_ = register_module("conv1", make_conv(in_planes, mid, 1, 1, 0, gen, g));
    bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(mid));
    shuffle1_ = register_module("shuffle1", std::make_shared<ShuffleBlock>(g));
    conv2_ = register_module("conv2", make_conv(mid, mid, 3, stride, 1, gen, mid));
    bn2_ = register_module("bn2", std::make_shared<BatchNorm2d>(mid));
    conv3_ = register_module("conv3", make_conv(mid, out_planes, 1, 1, 0, gen, groups));
    bn3_ = register_module("bn3", std::make_shared<BatchNorm2d>(out_planes));
    shortcut_ = register_module("shortcut", std::make_shared<Sequential>());
    if (stride == 2) shortcut_->add(std::make_shared<AvgPool2d>(pool_args(3, 2, 1)));
  }
  // x [N, in, H, W] -> [N, out (+ in when stride 2), H / stride, W / stride]
  Variable forward(const Variable& x) override {
    Variable out = relu((*bn1_)((*conv1_)(x)));
    out = (*shuffle1_)(out);
    out = relu((*bn2_)((*conv2_)(out)));
    out = (*bn3_)((*conv3_)(out));
    Variable res = (*shortcut_)(x);
    return relu(stride_ == 2 ? concat_channels({out, res}) : add(out, res));
  }
  std::string type_name() const override { return "Bottleneck"; }

 private:
  int64_t stride_;
  std::shared_ptr<Conv2d> conv1_, conv2_, conv3_;
  std::shared_ptr<BatchNorm2d> bn1_, bn2_, bn3_;
  std::shared_ptr<ShuffleBlock> shuffle1_;
  std::shared_ptr<Sequential> shortcut_;
};

class ShuffleNet : public Module {
 public:
  ShuffleNet(const std::vector<int64_t>& out_planes, const std::vector<int64_t>& num_blocks,
             int64_t groups, int64_t num_classes, Generator& gen) {
    ZKD_CHECK(out_planes.size() == 3 && num_blocks.size() == 3 && groups >= 1, "ShuffleV1",
              "expected 3 stage widths, 3 block counts and groups >= 1, got ", out_planes.size(),
              ", ", num_blocks.size(), " and ", groups);
    conv1_ = register_module("conv1", make_conv(3, 24, 1, 1, 0, gen));
    bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(24));
    int64_t in_planes = 24;
    for (size_t s = 0; s < 3; ++s) {
      auto layer = std::make_shared<Sequential>();
      for (int64_t i = 0; i < num_blocks[s]; ++i) {
        int64_t cat_planes = i == 0 ? in_planes : 0;  // the stride-2 block concats its input
        layer->add(std::make_shared<Bottleneck>(in_planes, out_planes[s] - cat_planes,
                                                i == 0 ? 2 : 1, groups, gen));
        in_planes = out_planes[s];
      }
      layers_[s] = register_module("layer" + std::to_string(s + 1), layer);
    }
    linear_ = register_module("linear", std::make_shared<Linear>(out_planes[2], num_classes, gen));
  }
  // x [N, 3, 32, 32] -> logits [N, num_classes]
  Variable forward(const Variable& x) override {
    Variable out = relu((*bn1_)((*conv1_)(x)));       // [N, 24, 32, 32]
    for (auto& layer : layers_) out = (*layer)(out);  // [N, 960, 4, 4]
    return (*linear_)(flatten(avg_pool2d(out, pool_args(4))));
  }
  std::string type_name() const override { return "ShuffleNet"; }

 private:
  std::shared_ptr<Conv2d> conv1_;
  std::shared_ptr<BatchNorm2d> bn1_;
  std::shared_ptr<Sequential> layers_[3];
  std::shared_ptr<Linear> linear_;
};

}  // namespace

std::shared_ptr<Module> make_shufflenet_v1(const std::vector<int64_t>& out_planes,
                                           const std::vector<int64_t>& num_blocks, int64_t groups,
                                           int64_t num_classes, Generator& gen) {
  return std::make_shared<ShuffleNet>(out_planes, num_blocks, groups, num_classes, gen);
}

}  // namespace zkd::nets
