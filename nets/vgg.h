// vgg.py: mdistiller's VGG with batch norm (vgg8 = vgg8_bn, cfg S; vgg13 = vgg13_bn, cfg B):
// five conv blocks, MaxPool after blocks 0-2 (pool3 only for 64x64 input), AdaptiveAvgPool,
// classifier 512 -> classes. State-dict names as in PyTorch: block{0..4}.{j} (conv j = 3i with
// bias, BN j = 3i+1), classifier.
#pragma once
#include <memory>
#include <vector>

#include "engine/core/rng.h"
#include "engine/nn/module.h"

namespace zkd::nets {

// VGG(cfg, batch_norm=True, num_classes): cfg = 5 lists of conv widths, e.g. {{64}, {128}, {256},
// {512}, {512}} (S, vgg8) or {{64, 64}, {128, 128}, {256, 256}, {512, 512}, {512, 512}} (B, vgg13).
std::shared_ptr<Module> make_vgg_bn(const std::vector<std::vector<int64_t>>& cfg,
                                    int64_t num_classes, Generator& gen);

}  // namespace zkd::nets
