// Shared zoo pieces: conv construction, parameter-free modules, module walk, init loops.
#include "nets/common.h"

#include "engine/nn/init.h"

namespace zkd::nets {

std::shared_ptr<Conv2d> make_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                                  int64_t pad, Generator& gen, int64_t groups, bool bias) {
  Conv2dOptions o;
  o.stride = stride;
  o.padding = pad;
  o.groups = groups;
  o.bias = bias;
  return std::make_shared<Conv2d>(in, out, kernel, o, gen);
}

Variable AdaptiveAvgPool2d::forward(const Variable& x) {
  return reshape(global_avg_pool(x), {x.size(0), x.size(1), 1, 1});
}

std::string ShuffleBlock::type_name() const {
  return "ShuffleBlock(groups=" + std::to_string(groups_) + ")";
}

void for_each_module(Module& m, const std::function<void(Module&)>& fn) {
  fn(m);
  for (auto& child : m.named_children()) for_each_module(*child.second, fn);
}

void init_conv_fan_out(Module& net, LinearInit linear, Generator& gen) {
  for_each_module(net, [&](Module& m) {
    if (auto* conv = dynamic_cast<Conv2d*>(&m)) {
      init::kaiming_normal_fan_out(conv->weight, gen);
      if (conv->bias.defined()) init::constant(conv->bias, 0.0);
    } else if (auto* fc = dynamic_cast<Linear*>(&m)) {
      if (linear == LinearInit::kNormal) init::normal(fc->weight, 0.0, 0.01, gen);
      if (linear != LinearInit::kDefault && fc->bias.defined()) init::constant(fc->bias, 0.0);
    }
  });
}

}  // namespace zkd::nets
