// What a sweep needs to know about an ordinary run directory: its state (not started, partly
// trained, finished, diverged), its config (config.toml when the run has one, else the "config"
// metadata of last.safetensors, read from the file's header alone) and its per-epoch log.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "apps/config/config.h"
#include "apps/report/run_log.h"

namespace zkd::app::sweep {

enum class RunState { NotStarted, Partial, Finished, Diverged };
const char* state_name(RunState s);  // "waiting", "running", "finished", "diverged"

// The "__metadata__" map of a safetensors file, reading only its header.
std::map<std::string, std::string> read_safetensors_metadata(const std::string& path);

// Diverged: DIR/diverged.txt exists (written by mark_diverged). Finished: last.safetensors holds a
// complete epoch == `epochs` (the config's, when epochs <= 0). Partial: any other checkpoint.
RunState run_state(const std::string& dir, int64_t epochs = 0);
void mark_diverged(const std::string& dir, const std::string& message);
std::string diverged_message(const std::string& dir);  // "" when not diverged

// The run's stored config, or nullopt when the directory holds none.
std::optional<TrainConfig> read_run_config(const std::string& dir);

struct RunInfo {
  std::string name, dir;
  TrainConfig config;
  RunState state = RunState::NotStarted;
  std::vector<EpochRecord> records;  // log.jsonl
  std::string error;                 // the divergence message
};
// Reads a run directory; `config` is used when given (a sweep's members), else read_run_config.
RunInfo read_run(const std::string& dir, const std::string& name,
                 const std::optional<TrainConfig>& config = std::nullopt);

}  // namespace zkd::app::sweep
