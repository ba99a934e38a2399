// ShuffleNetv2.py: mdistiller's ShuffleV2 for CIFAR (= ShuffleNetV2(net_size=1): out_channels
// 116/232/464/1024, blocks 3/7/3): conv1x1 3 -> 24 stem (32x32 kept, no maxpool), three stages of
// DownBlock + BasicBlocks, conv1x1 -> 1024 + BN + ReLU, avgpool 4, linear. State-dict names as in
// PyTorch: conv1, bn1, layer{1,2,3}.0.{conv1..conv5,bn1..bn5}, layer{1,2,3}.{i>0}.{conv1..3,
// bn1..3}, conv2, bn2, linear.
#pragma once
#include <memory>
#include <vector>

#include "engine/core/rng.h"
#include "engine/nn/module.h"

namespace zkd::nets {

// ShuffleNetV2 with out_channels (4 values) and num_blocks (3 values).
std::shared_ptr<Module> make_shufflenet_v2(const std::vector<int64_t>& out_channels,
                                           const std::vector<int64_t>& num_blocks,
                                           int64_t num_classes, Generator& gen);

}  // namespace zkd::nets
