// The basic layers: construction (parameter names, default init) and forward.
#include "engine/nn/layers.h"

#include <cmath>

#include "engine/nn/init.h"

namespace zkd {

Conv2d::Conv2d(int64_t in, int64_t out, int64_t kernel, const Conv2dOptions& opt, Generator& gen)
    : in_channels(in), out_channels(out), kernel_size(kernel) {
  ZKD_CHECK(in > 0 && out > 0 && kernel > 0 && opt.groups > 0 && in % opt.groups == 0 &&
                out % opt.groups == 0,
            "Conv2d", "expected positive sizes with channels divisible by groups, got in ", in,
            ", out ", out, ", kernel ", kernel, ", groups ", opt.groups);
  args.stride_h = args.stride_w = opt.stride;
  args.pad_h = args.pad_w = opt.padding;
  args.groups = opt.groups;
  weight = register_parameter("weight", Tensor::empty({out, in / opt.groups, kernel, kernel}));
  init::kaiming_uniform(weight, std::sqrt(5.0), gen);
  if (opt.bias) {
    bias = register_parameter("bias", Tensor::empty({out}));
    double bound = 1.0 / std::sqrt(static_cast<double>(init::fan_in(weight.data())));
    init::uniform(bias, -bound, bound, gen);
  }
}

Variable Conv2d::forward(const Variable& x) {
  return conv2d(x, weight, bias, args);
}

std::string Conv2d::type_name() const {
  return "Conv2d(" + std::to_string(in_channels) + ", " + std::to_string(out_channels) +
         ", k=" + std::to_string(kernel_size) + ", s=" + std::to_string(args.stride_h) +
         ", p=" + std::to_string(args.pad_h) +
         (args.groups > 1 ? ", groups=" + std::to_string(args.groups) : std::string()) +
         (bias.defined() ? ", bias" : "") + ")";
}

BatchNorm2d::BatchNorm2d(int64_t c, const BatchNormArgs& a) : args(a), channels(c) {
  weight = register_parameter("weight", ones({c}));
  bias = register_parameter("bias", zeros({c}));
  running_mean = register_buffer("running_mean", zeros({c}));
  running_var = register_buffer("running_var", ones({c}));
  num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, DType::I64), true);
}

Variable BatchNorm2d::forward(const Variable& x) {
  if (is_training()) ++num_batches_tracked.data().data<int64_t>()[0];  // host counter
  return batch_norm2d(x, weight, bias, running_mean.data(), running_var.data(), is_training(),
                      args);
}

std::string BatchNorm2d::type_name() const {
  return "BatchNorm2d(" + std::to_string(channels) + ")";
}

Linear::Linear(int64_t in, int64_t out, Generator& gen, bool with_bias)
    : in_features(in), out_features(out) {
  ZKD_CHECK(in > 0 && out > 0, "Linear", "expected positive sizes, got ", in, " -> ", out);
  weight = register_parameter("weight", Tensor::empty({out, in}));
  init::kaiming_uniform(weight, std::sqrt(5.0), gen);
  if (with_bias) {
    bias = register_parameter("bias", Tensor::empty({out}));
    double bound = 1.0 / std::sqrt(static_cast<double>(in));
    init::uniform(bias, -bound, bound, gen);
  }
}

Variable Linear::forward(const Variable& x) {
  return linear(x, weight, bias);
}

std::string Linear::type_name() const {
  return "Linear(" + std::to_string(in_features) + ", " + std::to_string(out_features) + ")";
}

Pool2dArgs pool_args(int64_t k, int64_t s, int64_t p, bool ceil_mode) {
  Pool2dArgs a;
  a.kernel_h = a.kernel_w = k;
  a.stride_h = a.stride_w = s < 0 ? k : s;
  a.pad_h = a.pad_w = p;
  a.ceil_mode = ceil_mode;
  return a;
}

std::string AvgPool2d::type_name() const {
  return "AvgPool2d(k=" + std::to_string(args.kernel_h) + ", s=" + std::to_string(args.stride_h) +
         ", p=" + std::to_string(args.pad_h) + (args.ceil_mode ? ", ceil" : "") + ")";
}

std::string MaxPool2d::type_name() const {
  return "MaxPool2d(k=" + std::to_string(args.kernel_h) + ", s=" + std::to_string(args.stride_h) +
         ", p=" + std::to_string(args.pad_h) + (args.ceil_mode ? ", ceil" : "") + ")";
}

Variable Sequential::forward(const Variable& x) {
  Variable y = x;
  for (auto& c : named_children()) y = c.second->forward(y);
  return y;
}

}  // namespace zkd
