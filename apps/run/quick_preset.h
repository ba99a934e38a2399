// `zkd-distill --preset quick`: the short end-to-end demo on real CIFAR-100 that finishes in a few
// minutes on a 2-core CPU: train a small teacher (resnet20) on a 10-class subset, then three
// students of the same architecture on a fifth of its training images (plain CE, KD and KD+LS),
// then evaluate all four on the subset's test images and print a table.
#pragma once
#include <string>

#include "apps/config/config.h"

namespace zkd::app {

// Takes device, data, seed and overwrite from `given`; writes OUT/teacher, OUT/student-ce,
// OUT/student-kd and OUT/student-kd-ls.
int run_quick_preset(const TrainConfig& given, const std::string& out);

}  // namespace zkd::app
