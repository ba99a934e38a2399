// The CIFAR model zoo by mdistiller's names ("resnet8x4", "resnet32x4", "ShuffleV2", ...).
// Every net maps a [N, 3, 32, 32] image batch to [N, num_classes] logits, with mdistiller's
// parameter names, counts and initialization (docs/models.md).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/core/rng.h"
#include "engine/nn/module.h"

namespace zkd::nets {

// Throws zkd::Error listing the known names when `name` is unknown.
std::shared_ptr<Module> create(const std::string& name, Generator& gen, int64_t num_classes = 100);
std::vector<std::string> names();
bool exists(const std::string& name);

}  // namespace zkd::nets
