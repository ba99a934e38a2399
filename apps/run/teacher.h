// The teacher of a distillation run. `--teacher` names a zkd-train run directory (its last epoch's
// weights by default, as mdistiller's teachers are the last epoch's, not the best epoch's; or its
// best with --teacher-pick best) or a checkpoint file. Model and class count come from the
// checkpoint's description when the flags do not give them; a contradiction is one line.
#pragma once
#include <memory>
#include <string>

#include "apps/config/config.h"
#include "engine/io/safetensors.h"
#include "engine/nn/module.h"

namespace zkd::app {

// A run directory -> DIR/<pick>.safetensors ("last" or "best"); a file -> itself. An error when
// it is missing.
std::string teacher_checkpoint_path(const std::string& path, const std::string& pick);

struct TeacherChoice {
  std::string checkpoint, model;
  int64_t num_classes = 0;
};
// Resolves --teacher PATH with --teacher-pick; model_flag / classes_flag are the flags' values
// when given on the command line ("" / 0 when not).
TeacherChoice choose_teacher(const std::string& path, const std::string& pick,
                             const std::string& model_flag, int64_t classes_flag);

// The teacher's checkpoint file, read once per process and path: resolving the teacher, loading
// it and a sweep's members share one read (read again only when the file's size or time changed).
const SafetensorsFile& teacher_file(const std::string& path);

// Builds cfg's teacher, loads cfg.teacher_checkpoint into it (checked against the checkpoint's
// description first), moves it to `device` in eval mode and prints which file it came from.
std::shared_ptr<Module> load_teacher(const TrainConfig& cfg, Device device);

}  // namespace zkd::app
