// Sweep plans and sweep.json (see plan.h).
#include "apps/sweep/plan.h"

#include <filesystem>

#include "apps/config/cli.h"
#include "apps/run/train_command.h"
#include "apps/sweep/json_read.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/json_limits.h"

namespace zkd::app::sweep {

std::vector<std::string> member_args(const std::vector<std::string>& shared_args, const Member& m,
                                     const std::string& out) {
  std::vector<std::string> a = shared_args;
  for (const auto& [flag, value] : m.settings) a.push_back("--" + flag + "=" + value);
  a.push_back("--out=" + out);
  return a;
}

Plan make_plan(const std::string& mode, const std::vector<std::string>& shared_args,
               const std::vector<Axis>& axes, const std::string& dir) {
  ZKD_CHECK(mode == "train" || mode == "distill", "sweep",
            "expected the mode train or distill, got '", mode, "'");
  const bool distill = mode == "distill";
  Plan p{mode, shared_args, axes, expand(axes), {}, {}};
  for (const Member& m : p.members) {
    std::vector<std::string> args = member_args(shared_args, m, dir + "/" + m.name);
    args.insert(args.begin(), "zkd-sweep");
    std::vector<char*> argv;
    for (std::string& s : args) argv.push_back(s.data());
    // Exactly as zkd-train / zkd-distill resolve their settings (paper defaults per member).
    auto app = make_app("A sweep member: the zkd-" + mode + " flags.", "");
    TrainCommand cmd =
        parse_train_command(*app, static_cast<int>(argv.size()), argv.data(), distill);
    if (!cmd.resume.empty() || !cmd.preset.empty() || cmd.print_config)
      throw UsageError(
          "--resume, --preset and --print-config are not member flags; use zkd-sweep --resume DIR");
    if (cmd.list_models || cmd.summary)
      throw UsageError("--list-models / --summary: use zkd-train");
    if (given(cmd.sources, "dump_batch"))
      throw UsageError("--dump-batch is not a member flag in a sweep");
    if (distill && cmd.cfg.teacher_checkpoint.empty())
      throw UsageError("--teacher PATH is required (a zkd-train run directory or checkpoint file)");
    p.configs.push_back(cmd.cfg);
    p.auto_cache.push_back(cmd.auto_cache);
  }
  return p;
}

void write_plan(const Plan& plan, const std::string& dir) {
  ojson j = {{"format", "zkd-sweep-1"}, {"mode", plan.mode}, {"args", plan.shared_args}};
  ojson axes = ojson::array();
  for (const Axis& a : plan.axes) axes.push_back({{"setting", a.flag}, {"values", a.values}});
  j["axes"] = axes;
  ojson members = ojson::array();
  for (size_t i = 0; i < plan.members.size(); ++i) {
    const Member& m = plan.members[i];
    ojson settings = ojson::object();
    for (const auto& [flag, value] : m.settings) settings[flag] = value;
    members.push_back({{"index", m.index},
                       {"name", m.name},
                       {"group", m.group},
                       {"settings", settings},
                       {"config", parse_json(plan.configs[i].to_json(), "config")}});
  }
  j["members"] = members;
  std::filesystem::create_directories(dir);
  write_file_atomic(dir + "/sweep.json", dump_json(j) + "\n");
}

Plan read_plan(const std::string& dir) {
  const std::string path = dir + "/sweep.json";
  ZKD_CHECK(std::filesystem::exists(path), "sweep",
            "expected a sweep directory with sweep.json, got '", dir, "' without one");
  ojson j = parse_json(read_file(path, "sweep", kMaxSweepJsonBytes), path);
  ZKD_CHECK(json_string(json_at(j, "format", path), path + ": format") == "zkd-sweep-1", "sweep",
            "expected ", path, " in format zkd-sweep-1, got another");
  std::vector<std::string> args;
  for (const ojson& a : json_array(json_at(j, "args", path), path + ": args"))
    args.push_back(json_string(a, path + ": args"));
  std::vector<Axis> axes;
  for (const ojson& a : json_array(json_at(j, "axes", path), path + ": axes")) {
    Axis ax;
    ax.flag = json_string(json_at(a, "setting", path + ": axes"), path + ": setting");
    for (const ojson& v : json_array(json_at(a, "values", path + ": axes"), path + ": values"))
      ax.values.push_back(json_string(v, path + ": values"));
    axes.push_back(ax);
  }
  Plan p = make_plan(json_string(json_at(j, "mode", path), path + ": mode"), args, axes, dir);
  const ojson& stored = json_array(json_at(j, "members", path), path + ": members");
  ZKD_CHECK(stored.size() == p.members.size(), "sweep", "expected ", p.members.size(),
            " members in ", path, ", got ", stored.size());
  for (size_t i = 0; i < stored.size(); ++i) {
    ZKD_CHECK(json_string(json_at(stored[i], "name", path + ": members"), path + ": name") ==
                  p.members[i].name,
              "sweep", "expected member ", i, " of ", path, " to be '", p.members[i].name,
              "', got another");
    // The settings each member was planned with: flags added to "args" by hand would change an
    // unfinished member (zkd-train --resume refuses that too). The folder may be named another
    // way (--resume ./DIR).
    ojson was = json_at(stored[i], "config", path + ": members");
    ojson now = parse_json(p.configs[i].to_json(), "config");
    if (was.is_object()) was.erase("out");
    now.erase("out");
    std::string diff;
    for (auto it = now.begin(); it != now.end(); ++it) {
      auto w = was.is_object() ? was.find(it.key()) : was.end();
      if (w == was.end() || *w != it.value())
        diff += (diff.empty() ? "" : ", ") + it.key() + " " +
                (w == was.end() ? "(none)" : json_brief(*w)) + " -> " + json_brief(it.value());
    }
    if (was.is_object())
      for (auto it = was.begin(); it != was.end(); ++it)
        if (!now.contains(it.key()))
          diff += (diff.empty() ? "" : ", ") + brief_text(it.key()) + " -> (none)";
    ZKD_CHECK(diff.empty(), "sweep", "expected ", path,
              " to give each member the settings it was planned with, got member '",
              p.members[i].name, "' changed: ", brief_text(diff, 300),
              " (sweep.json edited by hand? start a new sweep for new settings)");
  }
  return p;
}

}  // namespace zkd::app::sweep
