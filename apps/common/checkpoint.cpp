// Checkpoint save / load (see checkpoint.h).
#include "apps/common/checkpoint.h"

#include "engine/io/json.h"
#include "engine/nn/state_dict.h"

namespace zkd::app {

namespace {
// Momentum views of the flat buffer, one per parameter, in parameter order.
std::vector<std::pair<std::string, Tensor>> momentum_views(const Module& model, SGD& opt) {
  auto params = model.named_parameters();
  ZKD_CHECK(params.size() == opt.flat().params().size(), "checkpoint", "expected the optimizer to "
            "hold the model's ", params.size(), " parameters, got ", opt.flat().params().size());
  std::vector<std::pair<std::string, Tensor>> out;
  int64_t off = 0;
  for (auto& [name, v] : params) {
    out.emplace_back(std::string(kOptimizerPrefix) + "momentum." + name,
                     opt.momentum_buffer().view_at(off, v.shape()));
    off += v.data().numel();
  }
  return out;
}

std::string str(int64_t v) { return std::to_string(v); }
std::string str(uint64_t v) { return std::to_string(v); }

int64_t meta_int(const SafetensorsFile& f, const std::string& key, const std::string& path) {
  auto it = f.metadata.find(key);
  ZKD_CHECK(it != f.metadata.end(), "checkpoint '" + path + "'",
            "expected training metadata '", key, "', got none (is this a weights-only file?)");
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    ZKD_FAIL("checkpoint '" + path + "'", "expected an integer for '", key, "', got '", it->second, "'");
  }
}
}  // namespace

void save_checkpoint(const std::string& path, const Module& model, SGD& opt, const TrainState& s) {
  NamedTensors t = state_dict(model);
  for (auto& [name, view] : momentum_views(model, opt)) t.emplace_back(name, view.to(Device::cpu()).clone());
  char best[32];
  std::snprintf(best, sizeof best, "%.17g", s.best_top1);
  std::map<std::string, std::string> meta = {
      {"format", "zkd-checkpoint-1"}, {"epoch", str(s.epoch)}, {"step", str(s.step)},
      {"steps_per_epoch", str(s.steps_per_epoch)}, {"best_top1", best},
      {"best_epoch", str(s.best_epoch)}, {"seed", str(s.seed)}, {"rng_offset", str(s.rng_offset)},
      {"config", s.config_json}};
  save_safetensors(path, t, meta);
}

TrainState load_checkpoint(const std::string& path, Module& model, SGD* opt) {
  SafetensorsFile f = load_safetensors(path);
  NamedTensors model_part, optim_part;
  for (auto& e : f.tensors)
    (e.first.rfind(kOptimizerPrefix, 0) == 0 ? optim_part : model_part).push_back(e);
  load_state_dict(model, model_part, path);
  TrainState s;
  s.epoch = meta_int(f, "epoch", path);
  s.step = meta_int(f, "step", path);
  s.steps_per_epoch = meta_int(f, "steps_per_epoch", path);
  s.best_epoch = meta_int(f, "best_epoch", path);
  s.seed = static_cast<uint64_t>(meta_int(f, "seed", path));
  s.rng_offset = static_cast<uint64_t>(meta_int(f, "rng_offset", path));
  s.best_top1 = std::stod(f.metadata.count("best_top1") ? f.metadata["best_top1"] : "0");
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
    if (!missing.empty()) {
      std::string list;
      for (auto& m : missing) list += "\n  " + m;
      ZKD_FAIL("checkpoint '" + path + "'", "expected optimizer momentum for every parameter, "
               "missing or mis-shaped:", list);
    }
  }
  return s;
}

void load_weights(const std::string& path, Module& model) {
  SafetensorsFile f = load_safetensors(path);
  NamedTensors model_part;
  for (auto& e : f.tensors)
    if (e.first.rfind(kOptimizerPrefix, 0) != 0) model_part.push_back(e);
  load_state_dict(model, model_part, path);
}

}  // namespace zkd::app
