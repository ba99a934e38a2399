// Checkpoint save / load and self-description (see checkpoint.h).
#include "apps/run/checkpoint.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "apps/config/settings.h"
#include "apps/config/version.h"
#include "engine/io/json_limits.h"
#include "engine/nn/state_dict.h"

namespace zkd::app {

namespace {
// Bounds of what a checkpoint may claim (far above any real run, far below overflow).
constexpr int64_t kMaxEpochs = 1'000'000'000;
constexpr int64_t kMaxSteps = int64_t(1) << 40;
constexpr int64_t kMaxImages = int64_t(1) << 50;

// Momentum views of the flat buffer, one per parameter, in parameter order.
std::vector<std::pair<std::string, Tensor>> momentum_views(const Module& model, SGD& opt) {
  auto params = model.named_parameters();
  ZKD_CHECK(params.size() == opt.flat().params().size(), "checkpoint",
            "expected the optimizer to "
            "hold the model's ",
            params.size(), " parameters, got ", opt.flat().params().size());
  std::vector<std::pair<std::string, Tensor>> out;
  int64_t off = 0;
  for (auto& [name, v] : params) {
    out.emplace_back(std::string(kOptimizerPrefix) + "momentum." + name,
                     opt.momentum_buffer().view_at(off, v.shape()));
    off += v.data().numel();
  }
  return out;
}

// Every floating tensor of a checkpoint finite (a NaN or inf weight is never loaded: it would score
// garbage or spread through a distillation); the first bad one is named.
void check_finite(const NamedTensors& tensors, const std::string& path) {
  for (const auto& [name, t] : tensors) {
    if (t.dtype() != DType::F32 && t.dtype() != DType::F64 && t.dtype() != DType::BF16 &&
        t.dtype() != DType::F16)
      continue;
    const std::vector<double> v = t.to(DType::F64).to_vector<double>();
    for (size_t i = 0; i < v.size(); ++i)
      ZKD_CHECK(std::isfinite(v[i]), "checkpoint '" + path + "'", "expected finite values, got ",
                v[i], " in '", name, "' at index ", i);
  }
}

// A file without a description whose classifier (the model's last 2-D parameter, [classes,
// features]) has another class count: say so, instead of a list of shape mismatches.
void check_class_count(const Module& model, const NamedTensors& file, const std::string& path) {
  auto params = model.named_parameters();
  auto last = std::find_if(params.rbegin(), params.rend(),
                           [](const auto& p) { return p.second.data().dim() == 2; });
  if (last == params.rend()) return;
  const Shape want = last->second.data().shape();
  auto got =
      std::find_if(file.begin(), file.end(), [&](const auto& e) { return e.first == last->first; });
  if (got == file.end() || got->second.dim() != 2 || got->second.size(1) != want[1] ||
      got->second.size(0) == want[0])
    return;
  ZKD_FAIL("checkpoint '" + path + "'", "expected a model with ", want[0], " classes ('",
           last->first, "' ", shape_str(want), "), got one with ", got->second.size(0),
           " classes (", shape_str(got->second.shape()), "); give --num-classes ",
           got->second.size(0));
}

// The shortest text that reads back as exactly v ("77.45", not "77.450000000000003").
std::string exact(double v) {
  return nlohmann::json(v).dump();
}

// The whole string as a number of type T (no exceptions; false on junk, overflow, trailing text).
template <typename T>
bool parse_all(const std::string& s, T* out) {
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && p == end && !s.empty();
}

// Reads metadata `key` of checkpoint `path` as a T in [lo, hi]. A missing key is an error when
// `required`, else gives `fallback`.
template <typename T>
T meta(const SafetensorsFile& f, const std::string& key, const std::string& path, T lo, T hi,
       bool required, T fallback = T()) {
  const std::string op = "checkpoint '" + path + "'";
  auto it = f.metadata.find(key);
  if (it == f.metadata.end()) {
    ZKD_CHECK(!required, op, "expected training metadata '", key,
              "', got none (is this a weights-only file? --resume needs a run's last.safetensors)");
    return fallback;
  }
  T v{};
  bool ok = parse_all(it->second, &v);
  if constexpr (std::is_floating_point_v<T>) ok = ok && std::isfinite(v);
  ZKD_CHECK(ok && v >= lo && v <= hi, op, "expected '", key, "' to be ",
            std::is_floating_point_v<T> ? "a number" : "an integer", " in [", lo, ", ", hi,
            "], got '", it->second, "'");
  return v;
}

std::map<std::string, std::string> info_metadata(const CheckpointInfo& i) {
  std::map<std::string, std::string> m = {{"model", i.model},
                                          {"num_classes", std::to_string(i.num_classes)},
                                          {"method", i.method},
                                          {"dataset", i.dataset},
                                          {"epoch", std::to_string(i.epoch)},
                                          {"top1", exact(i.top1)},
                                          {"zkd_version", i.zkd_version}};
  if (!i.teacher_model.empty()) {
    m["teacher_model"] = i.teacher_model;
    m["teacher_checkpoint"] = i.teacher_checkpoint;
  }
  return m;
}

// The metadata "format" tag (README.md, "Reading a run directory"). A training checkpoint
// (--resume) must carry zkd's; weights (--teacher, zkd-eval, zkd-predict) may carry zkd's, none
// (best.safetensors, safetensors.torch.save_file) or "pt" (PyTorch's tag in the files of
// transformers' save_pretrained): plain weights, read by parameter name. Any other tag is another
// format, refused.
void check_format(const SafetensorsFile& f, const std::string& path, bool training) {
  auto it = f.metadata.find("format");
  const std::string op = "checkpoint '" + path + "'";
  if (training)
    ZKD_CHECK(it != f.metadata.end() && it->second == kCheckpointFormat, op,
              "expected a zkd training checkpoint (metadata 'format' = '", kCheckpointFormat,
              "'), got ",
              it == f.metadata.end()
                  ? std::string("a file without it (plain weights, e.g. best.safetensors or "
                                "PyTorch's save_file); --resume continues from a run's "
                                "last.safetensors")
                  : "'format' = '" + brief_text(it->second) + "'");
  else
    ZKD_CHECK(it == f.metadata.end() || it->second == kCheckpointFormat || it->second == "pt", op,
              "expected model weights (metadata 'format' absent, 'pt' or '", kCheckpointFormat,
              "'), got 'format' = '", brief_text(it->second), "'");
}

std::string str_or(const SafetensorsFile& f, const std::string& key) {
  auto it = f.metadata.find(key);
  return it == f.metadata.end() ? std::string() : it->second;
}
}  // namespace

CheckpointInfo describe_run(const TrainConfig& cfg, int64_t epoch, double top1) {
  CheckpointInfo i;
  i.model = cfg.model;
  i.method = cfg.method.name();
  i.dataset = "cifar100";
  i.num_classes = cfg.num_classes;
  i.epoch = epoch;
  i.top1 = top1;
  i.zkd_version = version();
  if (cfg.distills()) {
    i.teacher_model = cfg.teacher_model;
    i.teacher_checkpoint = cfg.teacher_checkpoint;
  }
  return i;
}

nlohmann::json config_metadata(const SafetensorsFile& f) {
  auto it = f.metadata.find("config");
  if (it == f.metadata.end()) return nullptr;
  try {
    nlohmann::json c = parse_json_limited<nlohmann::json>(it->second, "config", kMaxConfigBytes);
    return c.is_object() ? c : nullptr;
  } catch (const Error&) {
    return nullptr;
  }
}

CheckpointInfo checkpoint_info(const SafetensorsFile& f, const std::string& path) {
  CheckpointInfo i;
  i.model = str_or(f, "model");
  i.method = str_or(f, "method");
  i.dataset = str_or(f, "dataset");
  i.teacher_model = str_or(f, "teacher_model");
  i.teacher_checkpoint = str_or(f, "teacher_checkpoint");
  i.zkd_version = str_or(f, "zkd_version");
  i.num_classes = meta<int64_t>(f, "num_classes", path, 2, 100, false, 0);  // as --num-classes
  i.epoch = meta<int64_t>(f, "epoch", path, 0, kMaxEpochs, false, 0);
  i.top1 = meta<double>(f, "top1", path, 0, 100, false, -1);
  // Training checkpoints written before the description: their config says model and classes.
  if (i.model.empty() || i.num_classes == 0) {
    nlohmann::json c = config_metadata(f);
    if (c.is_object()) {
      auto m = c.find("model"), n = c.find("num_classes"), me = c.find("method");
      if (i.model.empty() && m != c.end() && m->is_string()) i.model = m->get<std::string>();
      if (i.method.empty() && me != c.end() && me->is_string()) i.method = me->get<std::string>();
      if (i.num_classes == 0 && n != c.end() && n->is_number_integer() && n->get<int64_t>() >= 2 &&
          n->get<int64_t>() <= 100)
        i.num_classes = n->get<int64_t>();
    }
  }
  return i;
}

ModelChoice choose_model(const CheckpointInfo& info, const std::string& path,
                         const std::string& model_flag, const std::string& model_flag_name,
                         int64_t classes_flag, const std::string& classes_flag_name,
                         int64_t default_classes) {
  const bool model_clash = !model_flag.empty() && !info.model.empty() && model_flag != info.model;
  const bool classes_clash =
      classes_flag > 0 && info.num_classes > 0 && classes_flag != info.num_classes;
  if (model_clash || classes_clash) {
    std::string says = model_clash ? "--" + model_flag_name + " says " + model_flag : "";
    if (classes_clash)
      says += (says.empty() ? "" : ", ") +
              ("--" + classes_flag_name + " says " + std::to_string(classes_flag));
    throw Error(detail::concat(
        "checkpoint ", path, " is ", info.model.empty() ? "a model" : info.model,
        info.num_classes > 0 ? " with " + std::to_string(info.num_classes) + " classes" : "", "; ",
        says, " (leave the flag out to use the checkpoint's)"));
  }
  ModelChoice c;
  c.model = !model_flag.empty() ? model_flag : info.model;
  ZKD_CHECK(!c.model.empty(), "checkpoint '" + path + "'",
            "expected the file to say its model, got "
            "none (written by an older zkd or another tool); give --",
            model_flag_name);
  c.num_classes = classes_flag > 0       ? classes_flag
                  : info.num_classes > 0 ? info.num_classes
                                         : default_classes;
  return c;
}

void save_checkpoint(const std::string& path, const Module& model, SGD& opt, const TrainState& s,
                     const CheckpointInfo& info, const NamedTensors& extra) {
  NamedTensors t = state_dict(model);
  for (auto& [name, v] : extra) t.emplace_back(kExtraPrefix + name, v.to(Device::cpu()).clone());
  for (auto& [name, view] : momentum_views(model, opt))
    t.emplace_back(name, view.to(Device::cpu()).clone());
  std::map<std::string, std::string> meta = info_metadata(info);
  std::map<std::string, std::string> train = {
      {"format", kCheckpointFormat},
      {"epoch", std::to_string(s.epoch)},
      {"step", std::to_string(s.step)},
      {"steps_per_epoch", std::to_string(s.steps_per_epoch)},
      {"best_top1", exact(s.best_top1)},
      {"best_epoch", std::to_string(s.best_epoch)},
      {"seed", std::to_string(s.seed)},
      {"rng_offset", std::to_string(s.rng_offset)},
      {"epoch_loss_sum", exact(s.epoch_loss_sum)},
      {"epoch_top1", exact(s.epoch_top1)},
      {"epoch_top5", exact(s.epoch_top5)},
      {"epoch_images", std::to_string(s.epoch_images)},
      {"config", s.config_json}};
  for (auto& [k, v] : train) meta[k] = v;
  save_safetensors(path, t, meta);
}

void save_weights(const std::string& path, const Module& model, const CheckpointInfo& info) {
  save_module(model, path, info_metadata(info));
}

TrainState load_checkpoint(const std::string& path, Module& model, SGD* opt, NamedTensors* extra) {
  SafetensorsFile f = load_safetensors(path);
  check_format(f, path, /*training=*/true);
  check_finite(f.tensors, path);
  NamedTensors model_part, optim_part;
  const std::string xp = kExtraPrefix;
  for (auto& e : f.tensors) {
    if (e.first.rfind(xp, 0) == 0) {
      if (extra) extra->emplace_back(e.first.substr(xp.size()), e.second);
      continue;
    }
    (e.first.rfind(kOptimizerPrefix, 0) == 0 ? optim_part : model_part).push_back(e);
  }
  load_state_dict(model, model_part, path);
  TrainState s;
  const uint64_t u64max = std::numeric_limits<uint64_t>::max();
  s.steps_per_epoch = meta<int64_t>(f, "steps_per_epoch", path, 1, kMaxSteps, true);
  s.epoch = meta<int64_t>(f, "epoch", path, 1, kMaxEpochs, true);
  s.step = meta<int64_t>(f, "step", path, 0, s.steps_per_epoch, true);
  s.best_epoch = meta<int64_t>(f, "best_epoch", path, 0, s.epoch, true);
  s.seed = meta<uint64_t>(f, "seed", path, 0, u64max, true);
  s.rng_offset = meta<uint64_t>(f, "rng_offset", path, 0, u64max, true);
  s.best_top1 = meta<double>(f, "best_top1", path, 0, 100, false, 0);
  // Absent in checkpoints written before they were saved: the resumed epoch then logs only the
  // steps after the restart, as it used to.
  s.epoch_images = meta<int64_t>(f, "epoch_images", path, 0, kMaxImages, false, 0);
  const double images = static_cast<double>(s.epoch_images);
  s.epoch_loss_sum =
      meta<double>(f, "epoch_loss_sum", path, 0, std::numeric_limits<double>::max(), false, 0);
  s.epoch_top1 = meta<double>(f, "epoch_top1", path, 0, images, false, 0);
  s.epoch_top5 = meta<double>(f, "epoch_top5", path, s.epoch_top1, images, false, 0);
  s.config_json = f.metadata.count("config") ? f.metadata["config"] : "{}";
  if (opt) {
    std::map<std::string, const Tensor*> have;
    for (auto& e : optim_part) have[e.first] = &e.second;
    std::vector<std::string> missing;
    for (auto& [name, view] : momentum_views(model, *opt)) {
      auto it = have.find(name);
      if (it == have.end() || it->second->shape() != view.shape()) {
        missing.push_back(name);
        continue;
      }
      view.copy_from(*it->second);
    }
    ZKD_CHECK(missing.empty(), "checkpoint '" + path + "'",
              "expected optimizer momentum for every parameter, got ", missing.size(),
              " missing or mis-shaped: ", brief_list(missing));
  }
  return s;
}

void load_weights(const SafetensorsFile& f, const std::string& path, Module& model) {
  check_format(f, path, /*training=*/false);
  NamedTensors model_part;
  for (auto& e : f.tensors)
    if (e.first.rfind(kOptimizerPrefix, 0) != 0 && e.first.rfind(kExtraPrefix, 0) != 0)
      model_part.push_back(e);
  check_finite(model_part, path);
  check_class_count(model, model_part, path);
  load_state_dict(model, model_part, path);
}

void load_weights(const std::string& path, Module& model) {
  load_weights(load_safetensors(path), path, model);
}

}  // namespace zkd::app
