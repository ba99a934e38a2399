// Training checkpoints in one safetensors file, written atomically: the model's state dict under
// its PyTorch names, each parameter's SGD momentum under "optimizer.momentum.<name>", and the
// training state as metadata (epoch, step, best accuracy, RNG state, the running sums of an
// epoch in progress, the run's config as JSON). A checkpoint loads into PyTorch after dropping
// the "optimizer." entries; best.safetensors holds the model alone and loads as it is.
// Every checkpoint also describes itself (CheckpointInfo: model, class count, method, data set,
// epoch, top-1, zkd version), so readers need no --model / --num-classes. Metadata is
// string -> string, as safetensors (and PyTorch's strict loader) require.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/config/config.h"
#include "engine/io/safetensors.h"
#include "engine/nn/module.h"
#include "engine/optim/sgd.h"

namespace zkd::app {

struct TrainState {
  int64_t epoch = 0;  // the epoch this checkpoint belongs to (1-indexed)
  int64_t step = 0;   // steps of that epoch done (== steps per epoch when it is complete)
  int64_t steps_per_epoch = 0;
  double best_top1 = 0;
  int64_t best_epoch = 0;
  uint64_t seed = 0, rng_offset = 0;
  std::string config_json;  // the run's configuration
  // The epoch in progress (step < steps_per_epoch): sum of loss x batch size, rows whose label is
  // the top-1 / in the top-5, and images so far, so that a resumed epoch logs what the
  // uninterrupted one would. Zero for a complete epoch.
  double epoch_loss_sum = 0, epoch_top1 = 0, epoch_top5 = 0;
  int64_t epoch_images = 0;
  bool complete() const { return step >= steps_per_epoch; }
};

// What a checkpoint says about the model it holds. Empty / 0 / negative where the file does not
// say (files written before zkd recorded it: then from the config of a training checkpoint).
struct CheckpointInfo {
  std::string model, method, dataset, teacher_model, teacher_checkpoint, zkd_version;
  int64_t num_classes = 0, epoch = 0;
  double top1 = -1;  // the test top-1 (%) of the epoch it holds
};
// The description of cfg's model after `epoch` with test top-1 `top1`.
CheckpointInfo describe_run(const TrainConfig& cfg, int64_t epoch, double top1);
CheckpointInfo checkpoint_info(const SafetensorsFile& f, const std::string& path);
// The training checkpoint's "config" metadata as JSON (size- and depth-limited before parsing:
// json_limits.h), or null when absent, invalid or not an object.
nlohmann::json config_metadata(const SafetensorsFile& f);
// The format tag of training checkpoints (metadata "format"): load_checkpoint (--resume) requires
// it; load_weights accepts it, none or "pt" (plain weights) and refuses any other
// (README.md, "Reading a run directory").
constexpr const char* kCheckpointFormat = "zkd-checkpoint-1";

// The model and class count to build for a checkpoint: each flag's value when given (model_flag
// non-empty, classes_flag > 0), else the checkpoint's; else default_classes for the class count.
// A flag that contradicts the checkpoint is a one-line error, e.g. "checkpoint 'P' is resnet20
// with 10 classes; --teacher-model says resnet32x4".
struct ModelChoice {
  std::string model;
  int64_t num_classes = 0;
};
ModelChoice choose_model(const CheckpointInfo& info, const std::string& path,
                         const std::string& model_flag, const std::string& model_flag_name,
                         int64_t classes_flag, const std::string& classes_flag_name,
                         int64_t default_classes = 100);

constexpr const char* kOptimizerPrefix = "optimizer.";
constexpr const char* kExtraPrefix = "distiller.";  // tensors of the training method's own state

// extra: more named tensors (the training method's own state, stored under kExtraPrefix + name,
// on the host).
void save_checkpoint(const std::string& path, const Module& model, SGD& opt, const TrainState& s,
                     const CheckpointInfo& info, const NamedTensors& extra = {});
// The model's weights alone with the description (best.safetensors).
void save_weights(const std::string& path, const Module& model, const CheckpointInfo& info);
// Restores the model (strict names, shapes, dtypes; all mismatches listed) and, when opt is given,
// its momentum; returns the training state. Metadata out of range or malformed is a clear error.
// extra receives the tensors saved as `extra`.
TrainState load_checkpoint(const std::string& path, Module& model, SGD* opt,
                           NamedTensors* extra = nullptr);
// Loads only the model's weights from a checkpoint or a plain state-dict file.
void load_weights(const std::string& path, Module& model);
void load_weights(const SafetensorsFile& f, const std::string& path, Module& model);

}  // namespace zkd::app
