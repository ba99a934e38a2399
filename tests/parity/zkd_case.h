// The zkd side of the step-parity test: trains a few steps in float64 on the CPU with zkd's
// real pieces (nets, Loader with augmentation, the trainer's own train_step and distiller from
// apps/methods, SGD with the multistep LR) and writes the case folder that twin.py
// replays in PyTorch (the file list is in twin.py's docstring; docs/parity.md has the design).
#pragma once
#include <string>

#include "apps/config/config.h"

namespace zkd::parity {

struct ParityCase {
  std::string name;      // folder name under the test's temp dir, printed in the results
  app::TrainConfig cfg;  // model (student), method, teacher_model, loss, lr, momentum,
                         // weight_decay, milestones, gamma, dkd_warmup_epochs, batch_size,
                         // num_classes, seed; method "ce" trains cfg.model without a teacher
  int64_t images = 14;   // random data-set size; batch 4 -> steps of 4, 4, 4, 2 images per epoch
  int64_t steps = 5;     // K steps from epoch 1 (the epoch turns when the loader wraps)
};

// Trains c.steps steps and writes the case folder `dir` (created). Returns dir.
std::string write_zkd_case(const ParityCase& c, const std::string& dir);

}  // namespace zkd::parity
