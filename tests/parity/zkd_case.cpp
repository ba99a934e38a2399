// The zkd side of the step-parity test (see zkd_case.h).
#include "tests/parity/zkd_case.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/methods/step.h"
#include "datasets/loader.h"
#include "engine/nn/init.h"
#include "engine/nn/layers.h"
#include "engine/nn/state_dict.h"
#include "nets/common.h"
#include "nets/registry.h"

namespace zkd::parity {

namespace {

// Every floating parameter and buffer in float64 (num_batches_tracked stays int64).
void to_float64(Module& m) {
  for (auto& [name, v] : m.named_parameters()) v.data() = v.data().to(DType::F64);
  for (auto& [name, v] : m.named_buffers())
    if (v.data().dtype() == DType::F32) v.data() = v.data().to(DType::F64);
}

// A teacher whose eval mode differs clearly from its training mode: batch-norm affine
// parameters away from 1 / 0 and running statistics away from 0 / 1.
void randomize_batch_norms(Module& net, Generator& gen) {
  nets::for_each_module(net, [&](Module& m) {
    if (auto* bn = dynamic_cast<BatchNorm2d*>(&m)) {
      init::uniform(bn->weight, 0.5, 1.5, gen);
      init::uniform(bn->bias, -0.3, 0.3, gen);
      init::uniform(bn->running_mean, -0.3, 0.3, gen);
      init::uniform(bn->running_var, 0.5, 2.0, gen);
    }
  });
}

// n random images (uint8 [n, 3, 32, 32]) with random labels in [0, classes).
data::ImageSet random_images(int64_t n, int64_t classes, Generator& gen) {
  data::ImageSet s = data::make_image_set(n, false);
  uint8_t* px = s.images.data<uint8_t>();
  for (int64_t i = 0; i < s.images.numel(); ++i) px[i] = static_cast<uint8_t>(gen.uniform_int(256));
  for (int64_t i = 0; i < n; ++i)
    s.labels.data<int64_t>()[i] =
        static_cast<int64_t>(gen.uniform_int(static_cast<uint64_t>(classes)));
  for (int64_t k = 0; k < classes; ++k) s.class_names.push_back("class" + std::to_string(k));
  return s;
}

}  // namespace

std::string write_zkd_case(const ParityCase& c, const std::string& dir) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  const app::TrainConfig& cfg = c.cfg;
  Generator gen(cfg.seed);
  std::shared_ptr<Module> student = nets::create(cfg.model, gen, cfg.num_classes);
  to_float64(*student);
  save_module(*student, dir + "/init_student.safetensors");
  std::shared_ptr<Module> teacher;
  if (cfg.distills()) {
    Generator tgen(cfg.seed + 1);
    teacher = nets::create(cfg.teacher_model, tgen, cfg.num_classes);
    randomize_batch_norms(*teacher, tgen);
    to_float64(*teacher);
    save_module(*teacher, dir + "/init_teacher.safetensors");
    teacher->eval();  // as run_training sets it
  }
  SgdArgs sa;  // as run_training fills it
  sa.lr = static_cast<float>(cfg.lr);
  sa.momentum = static_cast<float>(cfg.momentum);
  sa.weight_decay = static_cast<float>(cfg.weight_decay);
  SGD opt(student->parameters(), sa);

  Generator dgen(cfg.seed + 2);
  data::ImageSet set = random_images(c.images, cfg.num_classes, dgen);
  data::Loader loader(set, Device::cpu(), cfg.batch_size, cfg.seed, true);
  std::unique_ptr<app::Distiller> distiller = app::make_distiller(cfg, Device::cpu(), DType::F64);
  NamedTensors batches;
  std::vector<double> losses;
  std::vector<int64_t> epochs;
  for (int64_t k = 0; k < c.steps; ++k) {
    const int64_t epoch = 1 + k / loader.num_batches(), i = k % loader.num_batches();
    if (i == 0) {  // the start of an epoch, as in run_training
      opt.set_lr(multistep_lr(static_cast<float>(cfg.lr), static_cast<int>(epoch), cfg.milestones,
                              static_cast<float>(cfg.gamma)));
      distiller->start_epoch(epoch);
      student->train();
      loader.start_epoch(epoch - 1);
    }
    data::Batch b = loader.batch(i);
    b.images = b.images.to(DType::F64);  // [B, 3, 32, 32]: the float32 batch, exactly
    b.labels = b.labels.clone();         // [B]
    batches.emplace_back("images." + std::to_string(k), b.images);
    batches.emplace_back("labels." + std::to_string(k), b.labels);
    app::StepResult r = app::train_step(*student, teacher.get(), *distiller, opt, nullptr, b.images,
                                        Tensor(), b.labels);
    losses.push_back(r.loss.loss.data().item_double());
    save_module(*student, dir + "/student_step" + std::to_string(k + 1) + ".safetensors");
    epochs.push_back(epoch);
  }
  if (teacher) save_module(*teacher, dir + "/teacher_after.safetensors");
  save_safetensors(dir + "/batches.safetensors", batches);
  save_safetensors(dir + "/zkd.safetensors",
                   {{"loss", from_vector(losses, {static_cast<int64_t>(losses.size())})}});
  nlohmann::json run = {{"config", nlohmann::json::parse(cfg.to_json())}, {"epochs", epochs}};
  std::ofstream(dir + "/run.json") << run.dump() << "\n";
  return dir;
}

}  // namespace zkd::parity
