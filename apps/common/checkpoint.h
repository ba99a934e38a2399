// Training checkpoints in one safetensors file, written atomically: the model's state dict under
// its PyTorch names, each parameter's SGD momentum under "optimizer.momentum.<name>", and the
// training state as metadata (epoch, step, best accuracy, RNG state, the run's config as JSON).
// A checkpoint loads into PyTorch after dropping the "optimizer." entries; best.safetensors holds
// the model alone and loads as it is.
#pragma once
#include <string>

#include "engine/nn/module.h"
#include "engine/optim/sgd.h"

namespace zkd::app {

struct TrainState {
  int64_t epoch = 0;       // the epoch this checkpoint belongs to (1-indexed)
  int64_t step = 0;        // steps of that epoch done (== steps per epoch when it is complete)
  int64_t steps_per_epoch = 0;
  double best_top1 = 0;
  int64_t best_epoch = 0;
  uint64_t seed = 0, rng_offset = 0;
  std::string config_json;  // the run's configuration
  bool complete() const { return step >= steps_per_epoch; }
};

constexpr const char* kOptimizerPrefix = "optimizer.";

void save_checkpoint(const std::string& path, const Module& model, SGD& opt, const TrainState& s);
// Restores the model (strict names, shapes, dtypes; all mismatches listed) and, when opt is given,
// its momentum; returns the training state.
TrainState load_checkpoint(const std::string& path, Module& model, SGD* opt);
// Loads only the model's weights from a checkpoint or a plain state-dict file.
void load_weights(const std::string& path, Module& model);

}  // namespace zkd::app
