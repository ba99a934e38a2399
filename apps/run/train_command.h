// The command line of zkd-train and zkd-distill: the settings schema's options plus the run
// actions (--resume, --print-config, --list-models, --summary, zkd-distill's --preset), resolved
// into one TrainConfig with the source of every value, then run.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "apps/config/config.h"
#include "apps/config/settings.h"

namespace zkd::app {

struct TrainCommand {
  bool distill = false;
  TrainConfig cfg;
  Sources sources;
  std::string resume;                // --resume DIR
  std::vector<std::string> changed;  // settings changed on resume, "--epochs 1 -> 2"
  std::string preset;                // zkd-distill --preset
  std::string config_file;           // --config FILE (an input the run must not write over)
  bool print_config = false, summary = false, list_models = false;
  // --teacher-cache auto, resolved into cfg.teacher_cache (the default file beside the teacher's
  // checkpoint, docs/teacher-cache.md): built there before the run when missing.
  bool auto_cache = false;
};

// Declares the options on app, parses argv and resolves the configuration: command line over
// config file over the paper's defaults (distillation weights, LR) over the schema's defaults;
// with --resume, the saved config with the changes that are allowed (others are refused).
TrainCommand parse_train_command(CLI::App& app, int argc, char** argv, bool distill);
// Runs the parsed command (training, or the action asked for); returns the exit code.
int run_train_command(const TrainCommand& cmd);

// Sets the CPU backend's threads to the "threads" setting's value (0: all cores).
void apply_threads(int64_t threads);

// "kd+ls, T 2, lambda_ce 0.1, kd_weight 9, lr 0.05" plus, on a second line, which values are the
// paper's and where they come from.
std::string describe_settings(const TrainConfig& c, const Sources& sources);

}  // namespace zkd::app
