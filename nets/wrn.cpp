// wrn.py's BasicBlock, NetworkBlock and WideResNet. Init: conv N(0, sqrt(2 / (k*k*out))), BN 1/0,
// fc bias 0 (weight PyTorch's default).
//
// Decision on wrn.py's BN double update: REPRODUCED. After the fc, wrn.py's forward calls
// block2.layer[0].bn1(f1), block3.layer[0].bn1(f2) and bn1(f3) once more to build its
// preact_feats; each sees the same input as in the main pass, so in training mode those three
// BatchNorms update their running statistics (and num_batches_tracked) twice per step
// (effective momentum 0.19). The outputs are unused, so gradients are unchanged; only the
// running statistics, and with them eval-mode accuracy, depend on it. zkd repeats the three
// training-mode BN forwards without recording a graph, so a zkd-trained WRN has the running
// statistics an mdistiller-trained one has (see docs/models.md).
#include "nets/wrn.h"

#include "engine/autograd/grad_mode.h"
#include "nets/common.h"

namespace zkd::nets {

namespace {

// Pre-activation block: BN-ReLU, conv3x3(s), BN-ReLU, conv3x3, + shortcut. When in != out the
// shortcut is a 1x1 conv(s) applied to the activated input; else it is the raw input.
class BasicBlock : public Module {
 public:
  BasicBlock(int64_t in_planes, int64_t out_planes, int64_t stride, Generator& gen)
      : equal_in_out_(in_planes == out_planes) {
    bn1 = register_module("bn1", std::make_shared<BatchNorm2d>(in_planes));
    relu1_ = register_module("relu1", std::make_shared<ReLU>());
    conv1_ = register_module("conv1", make_conv(in_planes, out_planes, 3, stride, 1, gen));
    bn2_ = register_module("bn2", std::make_shared<BatchNorm2d>(out_planes));
    relu2_ = register_module("relu2", std::make_shared<ReLU>());
    conv2_ = register_module("conv2", make_conv(out_planes, out_planes, 3, 1, 1, gen));
    if (!equal_in_out_)
      shortcut_ =
          register_module("convShortcut", make_conv(in_planes, out_planes, 1, stride, 0, gen));
  }
  // x [N, in, H, W] -> [N, out, H / stride, W / stride]
  Variable forward(const Variable& x) override {
    Variable act = (*relu1_)((*bn1)(x));
    Variable out = (*relu2_)((*bn2_)((*conv1_)(act)));
    out = (*conv2_)(out);
    return add(equal_in_out_ ? x : (*shortcut_)(act), out);
  }
  std::string type_name() const override { return "BasicBlock"; }

  std::shared_ptr<BatchNorm2d> bn1;  // read by WideResNet for the double update

 private:
  bool equal_in_out_;
  std::shared_ptr<ReLU> relu1_, relu2_;
  std::shared_ptr<Conv2d> conv1_, conv2_, shortcut_;
  std::shared_ptr<BatchNorm2d> bn2_;
};

// NetworkBlock: `layer`, a Sequential of n BasicBlocks (the first one in -> out at stride s).
class NetworkBlock : public Module {
 public:
  NetworkBlock(int64_t n, int64_t in_planes, int64_t out_planes, int64_t stride, Generator& gen) {
    layer_ = register_module("layer", std::make_shared<Sequential>());
    for (int64_t i = 0; i < n; ++i) {
      auto block = layer_->add(std::make_shared<BasicBlock>(i == 0 ? in_planes : out_planes,
                                                            out_planes, i == 0 ? stride : 1, gen));
      if (i == 0) first_bn1 = block->bn1;
    }
  }
  Variable forward(const Variable& x) override { return (*layer_)(x); }
  std::string type_name() const override { return "NetworkBlock"; }

  std::shared_ptr<BatchNorm2d> first_bn1;  // layer[0].bn1

 private:
  std::shared_ptr<Sequential> layer_;
};

class WideResNet : public Module {
 public:
  WideResNet(int64_t depth, int64_t widen, int64_t num_classes, Generator& gen) {
    ZKD_CHECK(depth >= 10 && (depth - 4) % 6 == 0 && widen >= 1, "wrn",
              "expected depth 6n+4 (>= 10) and widen_factor >= 1, got depth ", depth,
              " and widen_factor ", widen);
    int64_t n = (depth - 4) / 6;
    const int64_t ch[4] = {16, 16 * widen, 32 * widen, 64 * widen};
    channels_ = ch[3];
    conv1_ = register_module("conv1", make_conv(3, ch[0], 3, 1, 1, gen));
    for (int64_t s = 0; s < 3; ++s)
      blocks_[s] =
          register_module("block" + std::to_string(s + 1),
                          std::make_shared<NetworkBlock>(n, ch[s], ch[s + 1], s == 0 ? 1 : 2, gen));
    bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(ch[3]));
    relu_ = register_module("relu", std::make_shared<ReLU>());
    fc_ = register_module("fc", std::make_shared<Linear>(ch[3], num_classes, gen));
    init_conv_fan_out(*this, LinearInit::kZeroBias, gen);
  }
  // x [N, 3, 32, 32] -> logits [N, num_classes]
  Variable forward(const Variable& x) override {
    Variable f0 = (*conv1_)(x);       // [N, 16, 32, 32]
    Variable f1 = (*blocks_[0])(f0);  // [N, 16w, 32, 32]
    Variable f2 = (*blocks_[1])(f1);  // [N, 32w, 16, 16]
    Variable f3 = (*blocks_[2])(f2);  // [N, 64w, 8, 8]
    Variable out = (*relu_)((*bn1_)(f3));
    out = reshape(avg_pool2d(out, pool_args(8)), {-1, channels_});
    Variable logits = (*fc_)(out);
    if (is_training()) {  // wrn.py's preact_feats: the BN double update (header comment)
      NoGradGuard no_grad;
      (*blocks_[1]->first_bn1)(f1);
      (*blocks_[2]->first_bn1)(f2);
      (*bn1_)(f3);
    }
    return logits;
  }
  std::string type_name() const override { return "WideResNet"; }

 private:
  int64_t channels_;
  std::shared_ptr<Conv2d> conv1_;
  std::shared_ptr<NetworkBlock> blocks_[3];
  std::shared_ptr<BatchNorm2d> bn1_;
  std::shared_ptr<ReLU> relu_;
  std::shared_ptr<Linear> fc_;
};

}  // namespace

std::shared_ptr<Module> make_wrn(int64_t depth, int64_t widen_factor, int64_t num_classes,
                                 Generator& gen) {
  return std::make_shared<WideResNet>(depth, widen_factor, num_classes, gen);
}

}  // namespace zkd::nets
