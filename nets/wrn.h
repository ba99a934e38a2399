// wrn.py: mdistiller's WideResNet (wrn_16_2, wrn_40_1, wrn_40_2): conv3x3 stem, three
// NetworkBlocks of pre-activation BasicBlocks, BN-ReLU, avgpool 8, fc. State-dict names as in
// PyTorch: conv1, block{1,2,3}.layer.{i}.{bn1,conv1,bn2,conv2,convShortcut}, bn1, fc.
#pragma once
#include <memory>

#include "engine/core/rng.h"
#include "engine/nn/module.h"

namespace zkd::nets {

// WideResNet(depth, num_classes, widen_factor), dropRate 0: n = (depth - 4) / 6 blocks per stage.
std::shared_ptr<Module> make_wrn(int64_t depth, int64_t widen_factor, int64_t num_classes,
                                 Generator& gen);

}  // namespace zkd::nets
