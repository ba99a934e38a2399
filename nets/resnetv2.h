// resnetv2.py: mdistiller's ResNet50 for CIFAR (Bottleneck [3, 4, 6, 3], 3x3 stem at stride 1, no
// maxpool, AdaptiveAvgPool, linear 2048 -> classes). State-dict names as in PyTorch: conv1, bn1,
// layer{1..4}.{i}.{conv1,bn1,conv2,bn2,conv3,bn3,shortcut.{0,1}}, linear.
#pragma once
#include <memory>
#include <vector>

#include "engine/core/rng.h"
#include "engine/nn/module.h"

namespace zkd::nets {

// ResNet(Bottleneck, num_blocks, num_classes), e.g. num_blocks {3, 4, 6, 3} for ResNet50.
std::shared_ptr<Module> make_resnet_v2_bottleneck(const std::vector<int64_t>& num_blocks,
                                                  int64_t num_classes, Generator& gen);

}  // namespace zkd::nets
