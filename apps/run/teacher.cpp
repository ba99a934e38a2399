// Teacher resolution and loading (see teacher.h).
#include "apps/run/teacher.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/run/checkpoint.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "nets/registry.h"

namespace zkd::app {

namespace fs = std::filesystem;

namespace {
// For a training checkpoint (last.safetensors) of a run that has not finished: what is missing.
std::string unfinished_run(const SafetensorsFile& f) {
  auto get = [&](const char* k) {
    auto it = f.metadata.find(k);
    return it == f.metadata.end() ? std::string() : it->second;
  };
  if (!get("step").empty() && get("step") != get("steps_per_epoch"))
    return "checkpoint was written in the middle of epoch " + get("epoch") +
           " (an interrupted run)";
  const nlohmann::json c = config_metadata(f);
  if (c.is_object() && c.contains("epochs") && c["epochs"].is_number_integer() &&
      std::to_string(c["epochs"].get<int64_t>()) != get("epoch"))
    return "run stopped at epoch " + get("epoch") + " of " +
           std::to_string(c["epochs"].get<int64_t>()) + " (continue it with --resume)";
  return "";
}
}  // namespace

const SafetensorsFile& teacher_file(const std::string& path) {
  struct Entry {
    uintmax_t size = 0;
    fs::file_time_type modified;
    std::shared_ptr<SafetensorsFile> file;
  };
  static std::map<std::string, Entry> cache;
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  const fs::file_time_type modified = fs::last_write_time(path, ec);
  Entry& e = cache[path];
  if (!e.file || e.size != size || e.modified != modified) {
    e.file = std::make_shared<SafetensorsFile>(load_safetensors(path));
    e.size = size;
    e.modified = modified;
  }
  return *e.file;
}

std::string teacher_checkpoint_path(const std::string& path, const std::string& pick) {
  ZKD_CHECK(pick == "last" || pick == "best", "teacher",
            "expected --teacher-pick last or best, got '", pick, "'");
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::string file = (fs::path(path) / (pick + ".safetensors")).string();
    ZKD_CHECK(fs::is_regular_file(file, ec), "teacher", "expected the teacher run '", path,
              "' to hold ", pick, ".safetensors, got none (is it a zkd-train run directory?)");
    return file;
  }
  ZKD_CHECK(fs::is_regular_file(path, ec), "teacher",
            "expected --teacher to name a run directory or "
            "a checkpoint file, got '",
            path, "' (", file_kind(path), ")");
  return path;
}

TeacherChoice choose_teacher(const std::string& path, const std::string& pick,
                             const std::string& model_flag, int64_t classes_flag) {
  TeacherChoice t;
  t.checkpoint = teacher_checkpoint_path(path, pick);
  CheckpointInfo info = checkpoint_info(teacher_file(t.checkpoint), t.checkpoint);
  ModelChoice m =
      choose_model(info, t.checkpoint, model_flag, "teacher-model", classes_flag, "num-classes");
  t.model = m.model;
  t.num_classes = m.num_classes;
  return t;
}

std::shared_ptr<Module> load_teacher(const TrainConfig& cfg, Device device) {
  const std::string& path = cfg.teacher_checkpoint;
  const SafetensorsFile& f = teacher_file(path);
  CheckpointInfo info = checkpoint_info(f, path);
  // cfg may come from a saved run or a sweep plan: its model and classes checked again (no I/O).
  choose_model(info, path, cfg.teacher_model, "teacher-model", cfg.num_classes, "num-classes");
  Generator gen(cfg.seed + 1);
  std::shared_ptr<Module> teacher = nets::create(cfg.teacher_model, gen, cfg.num_classes);
  load_weights(f, path, *teacher);
  teacher->to(device);
  teacher->eval();
  std::string what =
      info.epoch > 0 ? "epoch " + std::to_string(info.epoch) : std::string("epoch unknown");
  if (info.top1 >= 0) {
    char buf[48];
    std::snprintf(buf, sizeof buf, ", test top-1 %.2f%%", info.top1);
    what += buf;
  }
  std::printf("zkd: teacher %s from %s (%s)\n", cfg.teacher_model.c_str(), path.c_str(),
              what.c_str());
  std::string unfinished = unfinished_run(f);
  if (!unfinished.empty()) std::printf("zkd: warning: the teacher %s\n", unfinished.c_str());
  return teacher;
}

}  // namespace zkd::app
