// A run directory's life cycle: its default name (model, method, teacher, seed), and the refusal
// to start a new run where one already lies (unless --resume or --overwrite).
#pragma once
#include <string>

#include "apps/config/config.h"

namespace zkd::app {

// runs/<method>-[<teacher>-]<model>-seed<N>, e.g. runs/kd+ls-resnet32x4-resnet8x4-seed0 or
// runs/ce-resnet32x4-seed0. Every character outside [A-Za-z0-9._+-] becomes '_'.
std::string default_out_dir(const TrainConfig& cfg);

// The run files in dir (log.jsonl, *.safetensors), comma-separated; "" when it holds no run.
std::string run_files_in(const std::string& dir);

// Makes cfg.out ready for a fresh run before any work starts: a clear error when it is a file,
// lies under a file or cannot be created, and when it already holds a run (naming --resume DIR
// and --overwrite). With cfg.overwrite the old run's files are removed first (only those: the
// folder's other files stay).
void prepare_fresh_run_dir(const TrainConfig& cfg);

}  // namespace zkd::app
