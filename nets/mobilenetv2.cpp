// mobilenetv2.py's InvertedResidual and MobileNetV2. Init: conv N(0, sqrt(2 / (k*k*out))), BN 1/0,
// classifier N(0, 0.01) with bias 0. (mdistiller prints "T width_mult" on construction; zkd
// does not.)
#include "nets/mobilenetv2.h"

#include "nets/common.h"

namespace zkd::nets {

namespace {

// conv: pw 1x1 in -> in*t + BN + ReLU, dw 3x3(s) + BN + ReLU, pw-linear 1x1 -> out + BN;
// + x when stride 1 and in == out.
class InvertedResidual : public Module {
 public:
  InvertedResidual(int64_t inp, int64_t oup, int64_t stride, int64_t t, Generator& gen)
      : use_res_(stride == 1 && inp == oup) {
    int64_t hidden = inp * t;
    conv_ = register_module("conv", std::make_shared<Sequential>());
    conv_->add(make_conv(inp, hidden, 1, 1, 0, gen));
    conv_->add(std::make_shared<BatchNorm2d>(hidden));
    conv_->add(std::make_shared<ReLU>());
    conv_->add(make_conv(hidden, hidden, 3, stride, 1, gen, hidden));
    conv_->add(std::make_shared<BatchNorm2d>(hidden));
    conv_->add(std::make_shared<ReLU>());
    conv_->add(make_conv(hidden, oup, 1, 1, 0, gen));
    conv_->add(std::make_shared<BatchNorm2d>(oup));
  }
  // x [N, inp, H, W] -> [N, oup, H / stride, W / stride]
  Variable forward(const Variable& x) override {
    return use_res_ ? add(x, (*conv_)(x)) : (*conv_)(x);
  }
  std::string type_name() const override { return "InvertedResidual"; }

 private:
  bool use_res_;
  std::shared_ptr<Sequential> conv_;
};

// conv_bn / conv_1x1_bn: Sequential(conv, BN, ReLU).
std::shared_ptr<Sequential> conv_bn_relu(int64_t in, int64_t out, int64_t k, int64_t stride,
                                         Generator& gen) {
  auto s = std::make_shared<Sequential>();
  s->add(make_conv(in, out, k, stride, k / 2, gen));
  s->add(std::make_shared<BatchNorm2d>(out));
  s->add(std::make_shared<ReLU>());
  return s;
}

class MobileNetV2 : public Module {
 public:
  MobileNetV2(int64_t t, double width_mult, int64_t num_classes, Generator& gen) {
    ZKD_CHECK(t >= 1 && width_mult > 0, "MobileNetV2",
              "expected expand ratio >= 1 and width_mult > 0, got ", t, " and ", width_mult);
    // (t, c, n, s) per stage; the first stage always has t = 1.
    const int64_t setting[7][4] = {{1, 16, 1, 1}, {t, 24, 2, 1},  {t, 32, 3, 2}, {t, 64, 4, 2},
                                   {t, 96, 3, 1}, {t, 160, 3, 2}, {t, 320, 1, 1}};
    int64_t input_channel = static_cast<int64_t>(32 * width_mult);
    conv1_ = register_module("conv1", conv_bn_relu(3, input_channel, 3, 2, gen));
    blocks_ = register_module("blocks", std::make_shared<ModuleList>());
    for (const auto& st : setting) {
      int64_t output_channel = static_cast<int64_t>(st[1] * width_mult);
      auto stage = std::make_shared<Sequential>();
      for (int64_t i = 0; i < st[2]; ++i) {
        stage->add(std::make_shared<InvertedResidual>(input_channel, output_channel,
                                                      i == 0 ? st[3] : 1, st[0], gen));
        input_channel = output_channel;
      }
      blocks_->add(stage);
    }
    int64_t last_channel = width_mult > 1.0 ? static_cast<int64_t>(1280 * width_mult) : 1280;
    conv2_ = register_module("conv2", conv_bn_relu(input_channel, last_channel, 1, 1, gen));
    classifier_ = register_module("classifier", std::make_shared<Sequential>());
    classifier_->add(std::make_shared<Linear>(last_channel, num_classes, gen));
    // input_size 32: H = 32 / (32 / 2) = 2, AvgPool2d(2, ceil_mode=True) on the final 2x2.
    avgpool_ = register_module("avgpool", std::make_shared<AvgPool2d>(pool_args(2, 2, 0, true)));
    init_conv_fan_out(*this, LinearInit::kNormal, gen);
  }
  // x [N, 3, 32, 32] -> logits [N, num_classes]
  Variable forward(const Variable& x) override {
    Variable out = (*conv1_)(x);  // [N, 32w, 16, 16]
    out = (*blocks_)(out);        // [N, 320w, 2, 2]
    out = (*conv2_)(out);         // [N, 1280, 2, 2]
    return (*classifier_)(flatten((*avgpool_)(out)));
  }
  std::string type_name() const override { return "MobileNetV2"; }

 private:
  std::shared_ptr<Sequential> conv1_, conv2_, classifier_;
  std::shared_ptr<ModuleList> blocks_;
  std::shared_ptr<AvgPool2d> avgpool_;
};

}  // namespace

std::shared_ptr<Module> make_mobilenetv2(int64_t expand_ratio, double width_mult,
                                         int64_t num_classes, Generator& gen) {
  return std::make_shared<MobileNetV2>(expand_ratio, width_mult, num_classes, gen);
}

}  // namespace zkd::nets
