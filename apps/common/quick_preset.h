// `zkd-distill --preset quick`: the short end-to-end demo on real CIFAR-100 that finishes in a few
// minutes on a 2-core CPU: train a small teacher (resnet20) on a 10-class subset, distill it with
// KD+LS into a student and train the same student with plain CE beside it, then evaluate all three
// on the subset's test images and print a table.
#pragma once
#include <string>

#include "apps/common/config.h"

namespace zkd::app {

// Takes device, data, seed and overwrite from `given`; writes OUT/teacher, OUT/student-ce and
// OUT/student-kd-ls.
int run_quick_preset(const TrainConfig& given, const std::string& out);

}  // namespace zkd::app
