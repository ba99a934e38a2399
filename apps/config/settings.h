// The schema of the training settings: each TrainConfig field declared once (name, range, help,
// group, placeholder; its type and default are the field's) in settings.cpp, and everything
// that reads or writes settings goes through it: the command-line options and config files of
// zkd-train / zkd-distill, --print-config, the run's config.toml and the JSON in checkpoints.
// Adding a setting = a field in TrainConfig + one line in settings().
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/config/config.h"

namespace zkd::app {

struct Setting {
  std::string key;            // config / JSON key (snake_case); the flag is --key with '-' for '_'
  std::string group;          // help group: data, model, optimization, distillation, output, device
  std::string placeholder;    // EPOCHS, FLOAT, PATH, ...
  std::string help;           // one line
  std::string range;          // the valid values, e.g. "1 to 100000", "> 0" (strings: in help)
  bool distill_only = false;  // zkd-distill only
  bool resumable = false;     // may change on --resume (else a different value is refused)
  bool paper = false;         // unless given, the paper's value for the method and pair
  bool saved = true;     // in the checkpoint's JSON and config.toml (false: this invocation only)
  bool is_flag = false;  // a bool: --flag without a value
  bool is_list = false;  // a comma list: --milestones 150,180,210
  std::string default_text;  // the default as --help states it (empty: the TrainConfig's value)
  std::function<std::string(const TrainConfig&)>
      toml;  // the value as TOML: 240, 0.05, "cpu", [1, 2]
  // From command-line / config-file text; throws UsageError naming the flag.
  std::function<void(TrainConfig&, const std::vector<std::string>&)> read_text;
  std::function<nlohmann::json(const TrainConfig&)> to_json;
  // From JSON (a saved config); throws zkd::Error naming origin and key.
  std::function<void(TrainConfig&, const nlohmann::json&, const std::string&)> read_json;

  std::string flag() const;  // "--batch-size"
  bool applies(const TrainConfig& c) const { return !distill_only || c.distills(); }
};

const std::vector<Setting>& settings();
constexpr int64_t kMaxThreads = 4096;  // the "threads" setting's upper bound
// The largest settings file (--config, a run's config.toml, a checkpoint's config) zkd reads:
// about 40 settings of at most a few hundred bytes each fit many times over.
constexpr uint64_t kMaxConfigBytes = 1u << 20;
const Setting& setting(const std::string& key);

// Where each setting's value came from: "command line", "config file F", "paper: ...", "default",
// "saved run D", "saved run D, changed by the command line". Keyed by Setting::key.
using Sources = std::map<std::string, std::string>;

nlohmann::json config_to_json(const TrainConfig& c);
TrainConfig config_from_json(const std::string& text, const std::string& origin);
// A run's config.toml (as config_to_toml writes it); zkd::Error naming the file and the key.
TrainConfig config_from_toml(const std::string& path);
// The same from the file's text (path names it in errors).
TrainConfig config_from_toml_text(const std::string& text, const std::string& path);
// The config as TOML (readable by --config); with sources, each value is annotated.
std::string config_to_toml(const TrainConfig& c, const Sources* sources = nullptr);

// A zoo model name, case-insensitive ("shufflev2" -> "ShuffleV2"); otherwise a UsageError
// naming `what` with the nearest name.
std::string canonical_model(const std::string& name, const std::string& what);

// Command line: one option per setting that applies (zkd-distill: all) in its group, plus
// --config FILE. After parsing, read_setting_options fills c and says where each value came from
// (settings not given keep c's value and are marked "default"); a setting's flag given twice is a
// UsageError.
void add_setting_options(CLI::App& app, bool distill, const TrainConfig& defaults);
// After parsing: the --config file's text (read once by the caller through read_file) applied as
// a config file: each key sets its option unless the command line gave it. Sections, dotted keys,
// a key given twice, several values for one setting and unknown keys are UsageErrors.
void apply_config_text(CLI::App& app, const std::string& text);
Sources read_setting_options(const CLI::App& app, bool distill, TrainConfig& c);
// The same options for the binaries outside training (zkd-eval, zkd-predict, zkd-bench,
// zkd-data): each key's flag, range, group and help as zkd-train declares it, its value read into
// c while parsing (a bad value is a UsageError naming the flag). `defaults` replaces the help's
// default text where this binary's default differs ("the checkpoint's").
void add_schema_options(CLI::App& app, TrainConfig& c, const std::vector<std::string>& keys,
                        const std::map<std::string, std::string>& defaults = {});
// The paper's values for every `paper` setting not given (marked with their source).
void apply_paper_defaults(TrainConfig& c, Sources& sources);
bool given(const Sources& s, const std::string& key);  // on the command line or in a config file

// The config saved in DIR/last.safetensors (zkd::Error when absent or malformed).
TrainConfig saved_config(const std::string& run_dir);
// Clear errors before any work: --out naming a file, a path under a file, or a place where no
// directory can be created.
void check_out_dir(const std::string& path);
// Writes OUT/config.toml (the resolved settings) and appends the command line and zkd version
// to OUT/command.txt. Called by the trainer once the run directory exists.
void write_run_files(const TrainConfig& c);

}  // namespace zkd::app
