// Sweep plans and sweep.json (see plan.h).
#include "apps/sweep/plan.h"

#include <filesystem>

#include "apps/common/cli.h"
#include "apps/common/train_flags.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/json.h"

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
  ZKD_CHECK(mode == "train" || mode == "distill", "sweep", "expected the mode train or distill, got '",
            mode, "'");
  const bool distill = mode == "distill";
  Plan p{mode, shared_args, axes, expand(axes), {}};
  for (const Member& m : p.members) {
    std::vector<std::string> args = member_args(shared_args, m, dir + "/" + m.name);
    args.insert(args.begin(), "zkd-sweep");
    std::vector<char*> argv;
    for (std::string& s : args) argv.push_back(s.data());
    // Exactly as zkd-train / zkd-distill resolve their settings (paper defaults per member).
    auto app = make_app("A sweep member: the zkd-" + mode + " flags.", "");
    TrainCommand cmd = parse_train_command(*app, static_cast<int>(argv.size()), argv.data(), distill);
    if (!cmd.resume.empty() || !cmd.preset.empty() || cmd.print_config)
      throw UsageError("--resume, --preset and --print-config are not member flags; use zkd-sweep --resume DIR");
    if (cmd.list_models || cmd.summary) throw UsageError("--list-models / --summary: use zkd-train");
    if (given(cmd.sources, "dump_batch")) throw UsageError("--dump-batch is not a member flag in a sweep");
    if (distill && cmd.cfg.teacher_checkpoint.empty())
      throw UsageError("--teacher PATH is required (a zkd-train run directory or checkpoint file)");
    p.configs.push_back(cmd.cfg);
  }
  return p;
}

void write_plan(const Plan& plan, const std::string& dir) {
  Json j = Json::object();
  j.set("format", Json("zkd-sweep-1"));
  j.set("mode", Json(plan.mode));
  Json args = Json::array();
  for (const std::string& a : plan.shared_args) args.push(Json(a));
  j.set("args", args);
  Json axes = Json::array();
  for (const Axis& a : plan.axes) {
    Json ax = Json::object(), vals = Json::array();
    ax.set("setting", Json(a.flag));
    for (const std::string& v : a.values) vals.push(Json(v));
    ax.set("values", vals);
    axes.push(ax);
  }
  j.set("axes", axes);
  Json members = Json::array();
  for (size_t i = 0; i < plan.members.size(); ++i) {
    const Member& m = plan.members[i];
    Json mj = Json::object(), settings = Json::object();
    mj.set("index", Json(m.index));
    mj.set("name", Json(m.name));
    mj.set("group", Json(m.group));
    for (const auto& [flag, value] : m.settings) settings.set(flag, Json(value));
    mj.set("settings", settings);
    mj.set("config", Json::parse(plan.configs[i].to_json(), "config"));
    members.push(mj);
  }
  j.set("members", members);
  std::filesystem::create_directories(dir);
  write_file_atomic(dir + "/sweep.json", j.dump() + "\n");
}

Plan read_plan(const std::string& dir) {
  const std::string path = dir + "/sweep.json";
  ZKD_CHECK(std::filesystem::exists(path), "sweep", "expected a sweep directory with sweep.json, got '",
            dir, "' without one");
  Json j = Json::parse(read_file(path, "sweep"), path);
  const Json* format = j.find("format");
  ZKD_CHECK(format && format->as_string(path) == "zkd-sweep-1", "sweep", "expected ", path,
            " in format zkd-sweep-1, got another");
  auto need = [&](const char* key) -> const Json& {
    const Json* v = j.find(key);
    ZKD_CHECK(v, "sweep", "expected '", key, "' in ", path, ", got none");
    return *v;
  };
  std::vector<std::string> args;
  for (const Json& a : need("args").items(path + ": args")) args.push_back(a.as_string(path + ": args"));
  std::vector<Axis> axes;
  for (const Json& a : need("axes").items(path + ": axes")) {
    Axis ax;
    ax.flag = a.find("setting") ? a.find("setting")->as_string(path + ": setting") : "";
    if (const Json* vals = a.find("values"))
      for (const Json& v : vals->items(path + ": values")) ax.values.push_back(v.as_string(path + ": values"));
    axes.push_back(ax);
  }
  Plan p = make_plan(need("mode").as_string(path + ": mode"), args, axes, dir);
  const auto& stored = need("members").items(path + ": members");
  ZKD_CHECK(stored.size() == p.members.size(), "sweep", "expected ", p.members.size(), " members in ",
            path, ", got ", stored.size());
  for (size_t i = 0; i < stored.size(); ++i) {
    const Json* name = stored[i].find("name");
    ZKD_CHECK(name && name->as_string(path) == p.members[i].name, "sweep", "expected member ", i,
              " of ", path, " to be '", p.members[i].name, "', got another");
  }
  return p;
}

}  // namespace zkd::app::sweep
