// ShuffleNetv2.py's BasicBlock, DownBlock and ShuffleNetV2. Init: PyTorch's defaults everywhere
// (the model has no init loop). mdistiller's SplitBlock (no parameters, two outputs) is the
// split_channels call in BasicBlock::forward rather than a child module.
#include "nets/shufflenetv2.h"

#include "nets/common.h"

namespace zkd::nets {

namespace {

// Split c channels into halves x1 | x2; x2 -> 1x1 + BN + ReLU, dw3x3 + BN, 1x1 + BN + ReLU;
// concat [x1, x2'], shuffle(2).
class BasicBlock : public Module {
 public:
  BasicBlock(int64_t in_channels, Generator& gen) : half_(in_channels / 2) {
    int64_t c = half_;  // int(in_channels * 0.5)
    conv1_ = register_module("conv1", make_conv(c, c, 1, 1, 0, gen));
    bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(c));
    conv2_ = register_module("conv2", make_conv(c, c, 3, 1, 1, gen, c));
    bn2_ = register_module("bn2", std::make_shared<BatchNorm2d>(c));
    conv3_ = register_module("conv3", make_conv(c, c, 1, 1, 0, gen));
    bn3_ = register_module("bn3", std::make_shared<BatchNorm2d>(c));
    shuffle_ = register_module("shuffle", std::make_shared<ShuffleBlock>(2));
  }
  // x [N, C, H, W] -> [N, C, H, W]
  Variable forward(const Variable& x) override {
    std::vector<Variable> parts = split_channels(x, {half_, x.size(1) - half_});
    Variable out = relu((*bn1_)((*conv1_)(parts[1])));
    out = (*bn2_)((*conv2_)(out));
    out = relu((*bn3_)((*conv3_)(out)));
    return (*shuffle_)(concat_channels({parts[0], out}));
  }
  std::string type_name() const override { return "BasicBlock"; }

 private:
  int64_t half_;
  std::shared_ptr<Conv2d> conv1_, conv2_, conv3_;
  std::shared_ptr<BatchNorm2d> bn1_, bn2_, bn3_;
  std::shared_ptr<ShuffleBlock> shuffle_;
};

// mid = out / 2. left: dw3x3 s2 + BN, 1x1 -> mid + BN + ReLU; right: 1x1 -> mid + BN + ReLU,
// dw3x3 s2 + BN, 1x1 + BN + ReLU; concat [left, right], shuffle(2).
class DownBlock : public Module {
 public:
  DownBlock(int64_t in, int64_t out, Generator& gen) {
    int64_t mid = out / 2;
    conv1_ = register_module("conv1", make_conv(in, in, 3, 2, 1, gen, in));
    bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(in));
    conv2_ = register_module("conv2", make_conv(in, mid, 1, 1, 0, gen));
    bn2_ = register_module("bn2", std::make_shared<BatchNorm2d>(mid));
    conv3_ = register_module("conv3", make_conv(in, mid, 1, 1, 0, gen));
    bn3_ = register_module("bn3", std::make_shared<BatchNorm2d>(mid));
    conv4_ = register_module("conv4", make_conv(mid, mid, 3, 2, 1, gen, mid));
    bn4_ = register_module("bn4", std::make_shared<BatchNorm2d>(mid));
    conv5_ = register_module("conv5", make_conv(mid, mid, 1, 1, 0, gen));
    bn5_ = register_module("bn5", std::make_shared<BatchNorm2d>(mid));
    shuffle_ = register_module("shuffle", std::make_shared<ShuffleBlock>(2));
  }
  // x [N, in, H, W] -> [N, 2 * (out / 2), H / 2, W / 2]
  Variable forward(const Variable& x) override {
    Variable left = (*bn1_)((*conv1_)(x));
    left = relu((*bn2_)((*conv2_)(left)));
    Variable right = relu((*bn3_)((*conv3_)(x)));
    right = (*bn4_)((*conv4_)(right));
    right = relu((*bn5_)((*conv5_)(right)));
    return (*shuffle_)(concat_channels({left, right}));
  }
  std::string type_name() const override { return "DownBlock"; }

 private:
  std::shared_ptr<Conv2d> conv1_, conv2_, conv3_, conv4_, conv5_;
  std::shared_ptr<BatchNorm2d> bn1_, bn2_, bn3_, bn4_, bn5_;
  std::shared_ptr<ShuffleBlock> shuffle_;
};

class ShuffleNetV2 : public Module {
 public:
  ShuffleNetV2(const std::vector<int64_t>& out_channels, const std::vector<int64_t>& num_blocks,
               int64_t num_classes, Generator& gen) {
    ZKD_CHECK(out_channels.size() == 4 && num_blocks.size() == 3, "ShuffleV2",
              "expected 4 out_channels and 3 block counts, got ", out_channels.size(), " and ",
              num_blocks.size());
    conv1_ = register_module("conv1", make_conv(3, 24, 1, 1, 0, gen));
    bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(24));
    int64_t in = 24;
    for (size_t s = 0; s < 3; ++s) {
      auto layer = std::make_shared<Sequential>();
      layer->add(std::make_shared<DownBlock>(in, out_channels[s], gen));
      for (int64_t i = 0; i < num_blocks[s]; ++i)
        layer->add(std::make_shared<BasicBlock>(out_channels[s], gen));
      in = out_channels[s];
      layers_[s] = register_module("layer" + std::to_string(s + 1), layer);
    }
    conv2_ = register_module("conv2", make_conv(out_channels[2], out_channels[3], 1, 1, 0, gen));
    bn2_ = register_module("bn2", std::make_shared<BatchNorm2d>(out_channels[3]));
    linear_ =
        register_module("linear", std::make_shared<Linear>(out_channels[3], num_classes, gen));
  }
  // x [N, 3, 32, 32] -> logits [N, num_classes]
  Variable forward(const Variable& x) override {
    Variable out = relu((*bn1_)((*conv1_)(x)));       // [N, 24, 32, 32]
    for (auto& layer : layers_) out = (*layer)(out);  // [N, 464, 4, 4]
    out = relu((*bn2_)((*conv2_)(out)));              // [N, 1024, 4, 4]
    return (*linear_)(flatten(avg_pool2d(out, pool_args(4))));
  }
  std::string type_name() const override { return "ShuffleNetV2"; }

 private:
  std::shared_ptr<Conv2d> conv1_, conv2_;
  std::shared_ptr<BatchNorm2d> bn1_, bn2_;
  std::shared_ptr<Sequential> layers_[3];
  std::shared_ptr<Linear> linear_;
};

}  // namespace

std::shared_ptr<Module> make_shufflenet_v2(const std::vector<int64_t>& out_channels,
                                           const std::vector<int64_t>& num_blocks,
                                           int64_t num_classes, Generator& gen) {
  return std::make_shared<ShuffleNetV2>(out_channels, num_blocks, num_classes, gen);
}

}  // namespace zkd::nets
