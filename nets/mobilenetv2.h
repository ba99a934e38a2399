// mobilenetv2.py: mdistiller's MobileNetV2 for CIFAR ("MobileNetV2" = mobile_half = T 6, width
// 0.5): conv3x3 stride 2 stem, seven stages of InvertedResidual blocks (every block, t = 1
// included, has its 1x1 expand conv), conv1x1 -> 1280, AvgPool2d(2, ceil_mode), classifier.
// State-dict names as in PyTorch: conv1.{0,1}, blocks.{s}.{i}.conv.{0..7}, conv2.{0,1},
// classifier.0.
#pragma once
#include <memory>

#include "engine/core/rng.h"
#include "engine/nn/module.h"

namespace zkd::nets {

// MobileNetV2(T, feature_dim = num_classes, input_size = 32, width_mult).
std::shared_ptr<Module> make_mobilenetv2(int64_t expand_ratio, double width_mult,
                                         int64_t num_classes, Generator& gen);

}  // namespace zkd::nets
