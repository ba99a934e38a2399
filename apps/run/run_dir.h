// A run directory's life cycle: its default name (model, method, teacher, seed), and the refusal
// to start a new run where one already lies (unless --resume or --overwrite).
#pragma once
#include <string>
#include <vector>

#include "apps/config/config.h"

namespace zkd::app {

// runs/<method>-[<teacher>-]<model>-seed<N>, e.g. runs/kd+ls-resnet32x4-resnet8x4-seed0 or
// runs/ce-resnet32x4-seed0. Every character outside [A-Za-z0-9._+-] becomes '_'.
std::string default_out_dir(const TrainConfig& cfg);

// The run files in dir (log.jsonl, *.safetensors), comma-separated; "" when it holds no run.
std::string run_files_in(const std::string& dir);

// The files a run writes into its directory, by name (what --overwrite may remove): last and best
// checkpoints, log.jsonl, log.csv, curves.svg, curves.png.
bool is_run_file(const std::string& name);

// Makes cfg.out ready for a fresh run before any work starts: a clear error when it is a file,
// lies under a file or cannot be created, when one of the run's file names there is not a
// regular file, when it already holds a run without cfg.overwrite (naming --resume DIR and
// --overwrite), and when a file the run would write there is one of `inputs` (teacher, config
// file, data). Removes nothing: see remove_old_run.
void prepare_fresh_run_dir(const TrainConfig& cfg, const std::vector<std::string>& inputs = {});

// --overwrite, once every input of the run is open and checked: removes the old run's files in
// cfg.out, by name (is_run_file) and only those; the folder's other files stay.
void remove_old_run(const TrainConfig& cfg);

// An output path given by `flag` (--dump-batch, --save-logits), refused before any work with one
// line when it is an existing non-regular file (a device, FIFO, folder), a checkpoint
// (*.safetensors), a teacher-logit cache (its magic), a file a run writes (checkpoints, logs,
// curves, config.toml, command.txt) in a folder that holds a run or in `run_dir` (the folder the
// run writes, when given), or one of `inputs` (the same file by any path).
void check_output_path(const std::string& path, const std::string& flag,
                       const std::vector<std::string>& inputs, const std::string& run_dir = "");

// The input files of a training run, for the checks above: the teacher checkpoint and its logit
// cache, the data, the last checkpoint of a resumed run and `config_file` (each when set).
std::vector<std::string> run_inputs(const TrainConfig& cfg, const std::string& config_file,
                                    const std::string& resume_dir);

}  // namespace zkd::app
