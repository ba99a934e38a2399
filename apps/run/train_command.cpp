// The training apps' command line (see train_flags.h).
#include "apps/run/train_command.h"

#include <cstdio>
#include <filesystem>

#include "apps/config/cli.h"
#include "apps/config/version.h"
#include "apps/run/quick_preset.h"
#include "apps/run/run_dir.h"
#include "apps/run/teacher.h"
#include "apps/run/teacher_cache.h"
#include "apps/run/trainer.h"
#include "engine/core/cpu_settings.h"
#include "engine/io/atomic_file.h"
#include "engine/io/input_file.h"
#include "nets/registry.h"
#include "nets/summary.h"

namespace zkd::app {

namespace fs = std::filesystem;

namespace {
// Flags of zkd before 0.2 that now have other names (DKD's weights follow the official code).
const std::map<std::string, std::string> kRenamed = {
    {"--lambda-kd",
     "--kd-weight (KD: lambda_KD; DKD: alpha = kd_weight, beta = dkd_beta x kd_weight)"},
    {"--alpha", "--kd-weight (DKD: alpha = kd_weight)"},
    {"--beta", "--dkd-beta (DKD: beta = dkd_beta x kd_weight)"},
    {"--dkd-warmup-epochs", "--dkd-warmup"}};

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const std::string& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

// The run's config.toml against the checkpoint's settings: a hand edit of a setting that may not
// change on resume was ignored and overwritten; it is refused, naming what differs.
void check_config_toml_unedited(const std::string& dir, const TrainConfig& saved) {
  const std::string path = dir + "/config.toml";
  if (file_kind(path, /*follow=*/false) == "no such file or directory") return;
  const TrainConfig file = config_from_toml(path);
  std::vector<std::string> diffs;
  for (const Setting& s : settings())
    if (s.saved && !s.resumable && s.applies(saved) && s.key != "out" &&
        s.toml(file) != s.toml(saved))
      diffs.push_back(s.key + " = " + s.toml(file) + " (the checkpoint has " + s.toml(saved) + ")");
  if (!diffs.empty())
    throw UsageError("--resume " + dir + ": expected " + path +
                     " to hold the checkpoint's settings, got " + join(diffs, ", ") +
                     "; restore it (a run keeps its settings; start a new run for new ones)");
}

// --resume DIR: the saved config, with the given settings that may change applied; any other
// given setting that differs from the saved value is refused.
void merge_resume(TrainCommand& cmd) {
  TrainConfig saved = saved_config(cmd.resume);
  check_config_toml_unedited(cmd.resume, saved);
  if (saved.distills() != cmd.distill)
    throw UsageError("--resume " + cmd.resume + ": this is a " +
                     (saved.distills() ? "zkd-distill" : "zkd-train") +
                     " run; resume it with that program");
  saved.out = cmd.resume;
  Sources src;
  std::vector<std::string> refused, allowed;
  for (const Setting& s : settings()) {
    if (!s.saved) {  // --threads (--overwrite, --teacher-pick: no effect on a resumed run)
      s.read_json(saved, s.to_json(cmd.cfg), s.flag());
      continue;
    }
    if (!s.applies(saved)) continue;
    if (s.resumable) allowed.push_back(s.flag());
    src[s.key] = "saved run";
    if (!given(cmd.sources, s.key)) continue;
    std::string now = s.toml(cmd.cfg), was = s.toml(saved);
    if (now == was) continue;
    if (!s.resumable) {
      refused.push_back(s.flag() + " " + now + " (the run has " + was + ")");
      continue;
    }
    s.read_json(saved, s.to_json(cmd.cfg), s.flag());
    cmd.changed.push_back(s.flag() + " " + was + " -> " + now);
    src[s.key] = "changed on resume (" + cmd.sources.at(s.key) + "; the run had " + was + ")";
  }
  if (!refused.empty())
    throw UsageError("--resume " + cmd.resume +
                     " continues the run with its saved settings; refusing to change " +
                     join(refused, ", ") + ". Only " + join(allowed, ", ") + " may change");
  cmd.cfg = saved;
  cmd.sources = src;
}

void check_given_apply(const TrainCommand& cmd) {
  const TrainConfig& c = cmd.cfg;
  for (const Setting& s : settings())
    if (!setting_applies(s.key, c.method) && given(cmd.sources, s.key)) {
      const std::string owner = setting_owner(s.key).name;
      throw UsageError(s.flag() + " applies to --method " + owner + " and " + owner +
                       "+ls only; the method is " + c.method.name());
    }
}

// zkd-distill --preset quick picks models, method and sizes itself: the flags it takes.
void check_preset(const TrainCommand& cmd) {
  if (cmd.preset != "quick")
    throw UsageError("--preset expects quick, got '" + cmd.preset + "'" +
                     did_you_mean(cmd.preset, {"quick"}));
  const std::vector<std::string> takes = {"out", "device", "data", "seed", "overwrite", "threads"};
  for (const Setting& s : settings())
    if (given(cmd.sources, s.key) && std::find(takes.begin(), takes.end(), s.key) == takes.end())
      throw UsageError(
          "--preset quick chooses its own models, method and sizes; it takes only --out, "
          "--device, --data, --seed, --threads and --overwrite, got " +
          s.flag() + " (without --preset, " + s.flag() + " applies)");
  if (!cmd.resume.empty() || cmd.summary || cmd.print_config)
    throw UsageError(
        "--preset quick takes only --out, --device, --data, --seed, --threads and --overwrite");
}
}  // namespace

void apply_threads(int64_t threads) {
  set_cpu_threads(static_cast<int>(threads > 0 ? threads : cpu_cores()));
}

namespace {
// --config FILE: read here, once, through the one input reader (a regular file of at most
// kMaxConfigBytes; a FIFO, device or folder is refused before anything opens it, and again on
// the open descriptor), and applied from memory after the command line is parsed. Given twice
// is refused. Returns {path, text} ({"", ""} without --config).
std::pair<std::string, std::string> read_config_file(int argc, char** argv) {
  std::string found;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i], path;
    if (a == "--config" && i + 1 < argc)
      path = argv[i + 1];
    else if (a.rfind("--config=", 0) == 0)
      path = a.substr(9);
    else
      continue;
    if (!found.empty())
      throw UsageError("--config given twice ('" + found + "', '" + path +
                       "'); expected one file of settings");
    found = path;
  }
  if (found.empty()) return {};
  const std::string kind = file_kind(found);
  if (kind != "a regular file")
    throw UsageError("--config expects a TOML file of settings, got '" + found + "' (" + kind +
                     ")");
  try {
    return {found, read_file(found, "--config", kMaxConfigBytes)};
  } catch (const Error& e) {  // replaced since the check, too large, unreadable
    throw UsageError(e.what());
  }
}
}  // namespace

TrainCommand parse_train_command(CLI::App& app, int argc, char** argv, bool distill) {
  const auto [config_file, config_text] = read_config_file(argc, argv);
  TrainCommand cmd;
  cmd.config_file = config_file;
  cmd.distill = distill;
  cmd.cfg = default_config(distill);
  add_setting_options(app, distill, cmd.cfg);
  app.add_option("--resume", cmd.resume,
                 "continue the run in DIR from its last checkpoint, with its saved settings (only "
                 "--epochs, "
                 "--device, --data, --log-every, --dump-batch may change)")
      ->option_text("DIR")
      ->group("run")
      ->configurable(false);
  app.add_flag("--print-config", cmd.print_config,
               "print the resolved settings as TOML, each with its source (command line, config "
               "file, the "
               "paper's defaults), then exit")
      ->group("run")
      ->configurable(false);
  if (distill)
    app.add_option("--preset", cmd.preset,
                   "quick: the short end-to-end demo on 10 classes (a teacher; CE, KD and KD+LS "
                   "students; evaluation)")
        ->option_text("NAME")
        ->group("run")
        ->configurable(false);
  app.add_flag("--list-models", cmd.list_models, "print the model names and exit")
      ->group("model")
      ->configurable(false);
  app.add_flag("--summary", cmd.summary,
               "print the model's layers, output shape, parameters and MACs, then exit")
      ->group("model")
      ->configurable(false);
  parse(app, argc, argv, kRenamed);
  if (!config_file.empty()) apply_config_text(app, config_text);
  cmd.sources = read_setting_options(app, distill, cmd.cfg);
  if (!distill) cmd.cfg.method = Method{MethodFamily::CE, false};
  if (cmd.list_models) return cmd;
  if (!cmd.preset.empty()) {
    check_preset(cmd);
    return cmd;
  }
  if (!cmd.resume.empty()) {
    merge_resume(cmd);
    return cmd;
  }
  check_given_apply(cmd);
  TrainConfig& c = cmd.cfg;
  if (distill &&
      !c.teacher_checkpoint.empty()) {  // model and classes from the checkpoint unless given
    TeacherChoice t = choose_teacher(c.teacher_checkpoint, c.teacher_pick,
                                     given(cmd.sources, "teacher_model") ? c.teacher_model : "",
                                     given(cmd.sources, "num_classes") ? c.num_classes : 0);
    c.teacher_checkpoint = t.checkpoint;
    if (!t.model.empty() && !given(cmd.sources, "teacher_model")) {
      c.teacher_model = t.model;
      cmd.sources["teacher_model"] = "the teacher's checkpoint";
    }
    if (!given(cmd.sources, "num_classes") && t.num_classes != c.num_classes)
      cmd.sources["num_classes"] = "the teacher's checkpoint";
    c.num_classes = t.num_classes;
  }
  if (c.distills() && c.teacher_cache == kAutoTeacherCache && !c.teacher_checkpoint.empty()) {
    // The default file beside the teacher's checkpoint (a path in config.toml and sweep.json).
    c.teacher_cache = default_cache_path(c.teacher_checkpoint, c.num_classes, c.train_per_class);
    cmd.sources["teacher_cache"] = "auto: beside the teacher's checkpoint";
    cmd.auto_cache = true;
  }
  apply_paper_defaults(cmd.cfg, cmd.sources);
  if (cmd.cfg.out.empty()) {
    cmd.cfg.out = default_out_dir(cmd.cfg);
    cmd.sources["out"] = "default";
  }
  return cmd;
}

std::string describe_settings(const TrainConfig& c, const Sources& sources) {
  auto n = [&](const char* key) { return setting(key).toml(c); };
  std::string out = c.method.name();
  if (c.distills()) {
    out += ", T " + n("temperature") + ", lambda_ce " + n("lambda_ce") + ", kd_weight " +
           n("kd_weight");
    if (c.method.family == MethodFamily::DKD) {
      char ab[96];
      std::snprintf(ab, sizeof ab, " (alpha %g, beta %g), warm-up %lld epochs", c.kd_weight,
                    c.dkd_beta * c.kd_weight, static_cast<long long>(c.dkd_warmup_epochs));
      out += ", dkd_beta " + n("dkd_beta") + ab;
    }
  }
  out += ", lr " + n("lr");
  // The paper's values, grouped by source.
  std::vector<std::pair<std::string, std::vector<std::string>>> by_source;
  for (const Setting& s : settings()) {
    auto it = sources.find(s.key);
    if (it == sources.end() || it->second.rfind("paper", 0) != 0) continue;
    auto g = std::find_if(by_source.begin(), by_source.end(),
                          [&](const auto& p) { return p.first == it->second; });
    if (g == by_source.end()) g = by_source.insert(by_source.end(), {it->second, {}});
    g->second.push_back(s.key + " " + s.toml(c));
  }
  for (const auto& [source, keys] : by_source) out += "\n  " + join(keys, ", ") + ": " + source;
  return out;
}

int run_train_command(const TrainCommand& cmd) {
  const TrainConfig& cfg = cmd.cfg;
  apply_threads(cfg.threads);
  if (cmd.list_models) {
    for (const auto& name : nets::names()) std::printf("%s\n", name.c_str());
    return 0;
  }
  if (!cmd.preset.empty()) {
    std::string out = given(cmd.sources, "out") ? cfg.out : "runs/quick";
    check_out_dir(out);
    return run_quick_preset(cfg, out);
  }
  if (cmd.print_config) {
    std::printf("# %s %s: resolved settings%s\n%s", program_name().c_str(), version().c_str(),
                cmd.resume.empty() ? "" : (" of the run in " + cmd.resume).c_str(),
                config_to_toml(cfg, &cmd.sources).c_str());
    return 0;
  }
  if (cmd.summary) {
    Generator gen(cfg.seed);
    auto model = nets::create(cfg.model, gen, cfg.num_classes);
    std::printf("%s", nets::summarize(*model, {1, 3, 32, 32}).c_str());
    return 0;
  }
  if (cmd.distill && cmd.resume.empty() && cfg.teacher_checkpoint.empty())
    throw UsageError(
        "--teacher PATH is required (a zkd-train run directory, e.g. runs/ce-resnet32x4-seed0, or "
        "a checkpoint file)");
  check_out_dir(cfg.out);
  // Outputs that would replace an input, a checkpoint or a device: refused before any work.
  const std::vector<std::string> inputs = run_inputs(cfg, cmd.config_file, cmd.resume);
  if (cmd.resume.empty()) prepare_fresh_run_dir(cfg, inputs);
  check_output_path(cfg.dump_batch, "--dump-batch", inputs, cfg.out);
  if (cmd.auto_cache) build_missing_teacher_cache(cfg);  // before the run: same file, same code
  if (!cmd.resume.empty())
    std::printf("%s: resuming %s with its saved settings%s\n", program_name().c_str(),
                cmd.resume.c_str(),
                cmd.changed.empty() ? "" : ("; changed: " + join(cmd.changed, ", ")).c_str());
  std::printf("%s: %s\n", program_name().c_str(), describe_settings(cfg, cmd.sources).c_str());
  std::fflush(stdout);
  TrainOutcome r = run_training(cfg, cmd.resume);
  return r.interrupted ? kExitInterrupted : 0;
}

}  // namespace zkd::app
