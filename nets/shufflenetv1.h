// ShuffleNetv1.py: mdistiller's ShuffleV1 for CIFAR (out_planes 240/480/960, blocks 4/8/4,
// groups 3): conv1x1 3 -> 24 stem (no stride, no maxpool), three stages of Bottlenecks, avgpool 4,
// linear. State-dict names as in PyTorch: conv1, bn1, layer{1,2,3}.{i}.{conv1,bn1,conv2,bn2,
// conv3,bn3}, linear.
#pragma once
#include <memory>
#include <vector>

#include "engine/core/rng.h"
#include "engine/nn/module.h"

namespace zkd::nets {

// ShuffleNet(cfg = {out_planes, num_blocks, groups}, num_classes).
std::shared_ptr<Module> make_shufflenet_v1(const std::vector<int64_t>& out_planes,
                                           const std::vector<int64_t>& num_blocks, int64_t groups,
                                           int64_t num_classes, Generator& gen);

}  // namespace zkd::nets
