// vgg.py's VGG (batch_norm=True). Init: conv N(0, sqrt(2 / (k*k*out))) with bias 0, BN 1/0,
// classifier N(0, 0.01) with bias 0.
#include "nets/vgg.h"

#include "nets/common.h"

namespace zkd::nets {

namespace {

// _make_layers: [conv3x3 p1 (bias), BN, ReLU] per width, the last ReLU dropped (forward applies
// it).
std::shared_ptr<Sequential> make_block(const std::vector<int64_t>& widths, int64_t in,
                                       Generator& gen) {
  auto block = std::make_shared<Sequential>();
  for (size_t i = 0; i < widths.size(); ++i) {
    block->add(make_conv(in, widths[i], 3, 1, 1, gen, 1, true));
    block->add(std::make_shared<BatchNorm2d>(widths[i]));
    if (i + 1 < widths.size()) block->add(std::make_shared<ReLU>());
    in = widths[i];
  }
  return block;
}

class Vgg : public Module {
 public:
  Vgg(const std::vector<std::vector<int64_t>>& cfg, int64_t num_classes, Generator& gen) {
    ZKD_CHECK(cfg.size() == 5, "vgg", "expected 5 conv blocks in the cfg, got ", cfg.size());
    int64_t in = 3;
    for (size_t b = 0; b < 5; ++b) {
      ZKD_CHECK(!cfg[b].empty(), "vgg", "expected a non-empty conv block ", b);
      blocks_[b] = register_module("block" + std::to_string(b), make_block(cfg[b], in, gen));
      in = cfg[b].back();
    }
    for (size_t p = 0; p < 4; ++p)
      pools_[p] =
          register_module("pool" + std::to_string(p), std::make_shared<MaxPool2d>(pool_args(2, 2)));
    pool4_ = register_module("pool4", std::make_shared<AdaptiveAvgPool2d>());
    classifier_ = register_module("classifier", std::make_shared<Linear>(512, num_classes, gen));
    init_conv_fan_out(*this, LinearInit::kNormal, gen);
  }
  // x [N, 3, H, W] (H = 32: pool3 skipped, block4 at 4x4) -> logits [N, num_classes]
  Variable forward(const Variable& x) override {
    int64_t h = x.size(2);
    Variable out = x;
    for (size_t b = 0; b < 5; ++b) {
      if (b == 4 && h == 64) out = (*pools_[3])(out);  // vgg.py: `if h == 64: x = self.pool3(x)`
      out = relu((*blocks_[b])(out));
      if (b < 3) out = (*pools_[b])(out);
    }
    return (*classifier_)(flatten((*pool4_)(out)));
  }
  std::string type_name() const override { return "VGG"; }

 private:
  std::shared_ptr<Sequential> blocks_[5];
  std::shared_ptr<MaxPool2d> pools_[4];
  std::shared_ptr<AdaptiveAvgPool2d> pool4_;
  std::shared_ptr<Linear> classifier_;
};

}  // namespace

std::shared_ptr<Module> make_vgg_bn(const std::vector<std::vector<int64_t>>& cfg,
                                    int64_t num_classes, Generator& gen) {
  return std::make_shared<Vgg>(cfg, num_classes, gen);
}

}  // namespace zkd::nets
