// resnet.py: the CIFAR ResNets of mdistiller (resnet8x4, resnet32x4, resnet20/32/56/110):
// conv3x3 stem, three stages of BasicBlocks, AvgPool(8), fc. State-dict names as in PyTorch:
// conv1, bn1, layer{1,2,3}.{i}.{conv1,bn1,conv2,bn2,downsample.{0,1}}, fc.
#pragma once
#include <memory>
#include <vector>

#include "engine/core/rng.h"
#include "engine/nn/module.h"

namespace zkd::nets {

// ResNet(depth, num_filters, "basicblock", num_classes): n = (depth - 2) / 6 blocks per stage,
// filters = {stem, stage1, stage2, stage3} (e.g. {32, 64, 128, 256} for the x4 nets).
std::shared_ptr<Module> make_resnet(int64_t depth, const std::vector<int64_t>& filters,
                                    int64_t num_classes, Generator& gen);

}  // namespace zkd::nets
