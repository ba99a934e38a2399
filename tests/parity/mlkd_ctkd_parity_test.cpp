// K = 3 training steps of MLKD, MLKD+LS, CTKD and CTKD+LS in float64 on the CPU, through the
// trainer's own step (apps/methods/step.h), against a PyTorch twin written from the official
// code (mlkd_ctkd_twin.py, Debian's /usr/bin/python3 with python3-torch; skipped visibly without
// it). Same initial weights (resnet20 student and teacher, different random inits), the same
// batches (the Loader's augmented weak and strong views, passed as files), the same SGD settings;
// after every step the loss and every parameter (CTKD: its temperature parameter too) must agree to
// a relative error <= 1e-8 (max |a - b| / max |b| per tensor; float64 on both sides, so only
// summation orders differ).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <regex>

#include <unistd.h>

#include "apps/config/recipes.h"
#include "apps/methods/step.h"
#include "datasets/loader.h"
#include "engine/io/safetensors.h"
#include "engine/nn/state_dict.h"
#include "nets/registry.h"
#include "tests/common/python_torch.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

constexpr int kSteps = 3;
constexpr int64_t kClasses = 10, kImages = 12, kBatch = 6;
constexpr double kLr = 0.05;
constexpr double kTol = 1e-8;

void to_f64(Module& m) {
  for (auto& [name, v] : m.named_parameters()) v.data() = v.data().to(DType::F64);
  for (auto& [name, v] : m.named_buffers())
    if (v.data().dtype() == DType::F32) v.data() = v.data().to(DType::F64);
}

data::ImageSet random_images(uint64_t seed) {
  data::ImageSet s;
  Generator gen(seed);
  s.images = uniform({kImages, 3, 32, 32}, 0, 255, gen).to(DType::U8);
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < kImages; ++i) labels.push_back((i * 7) % kClasses);
  s.labels = from_vector(labels, {kImages});
  for (int64_t c = 0; c < kClasses; ++c) s.class_names.push_back("c" + std::to_string(c));
  return s;
}

class MlkdCtkdParity : public ::testing::TestWithParam<std::string> {};

TEST_P(MlkdCtkdParity, ThreeStepsMatchThePyTorchTwin) {
  ZKD_REQUIRE_PYTHON("torch, numpy", "the MLKD/CTKD parity check");
  const std::string method = GetParam();
  std::string tag = method;
  for (char& c : tag)
    if (c == '+') c = '_';
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("zkd-parity-" + tag + "-" + std::to_string(getpid())))
                              .string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  Generator gs(21), gt(22);
  auto student = nets::create("resnet20", gs, kClasses);
  auto teacher = nets::create("resnet20", gt, kClasses);
  to_f64(*student);
  to_f64(*teacher);
  teacher->eval();
  student->train();
  save_module(*student, dir + "/student0.safetensors");
  save_module(*teacher, dir + "/teacher.safetensors");

  app::TrainConfig cfg;
  cfg.method = app::Method::parse(method);
  app::use_loss_defaults(cfg, app::paper_defaults(cfg.method, "resnet32x4", "resnet8x4"));
  auto d = app::make_distiller(cfg, Device::cpu(), DType::F64);
  SgdArgs sa;
  sa.lr = static_cast<float>(kLr);
  sa.momentum = 0.9f;
  sa.weight_decay = 5e-4f;
  SGD opt(student->parameters(), sa);
  std::vector<Variable> dparams;
  for (auto& p : d->parameters()) dparams.push_back(p.second);
  std::unique_ptr<SGD> dopt = dparams.empty() ? nullptr : std::make_unique<SGD>(dparams, sa);

  data::Loader loader(random_images(5), Device::cpu(), kBatch, 3, true);
  if (d->needs_strong_view()) loader.enable_strong_view();
  const int64_t nb = loader.num_batches();
  for (int step = 0; step < kSteps; ++step) {
    const int64_t epoch = step / nb + 1;
    loader.start_epoch(epoch - 1);
    d->start_epoch(epoch);
    data::Batch b = loader.batch(step % nb);
    Tensor weak = b.images.to(DType::F64);
    Tensor strong = b.strong_images.defined() ? b.strong_images.to(DType::F64) : weak;
    save_safetensors(dir + "/batch" + std::to_string(step) + ".safetensors",
                     {{"weak", weak},
                      {"strong", strong},
                      {"labels", b.labels.clone()},
                      {"epoch", full({}, static_cast<double>(epoch), DType::F64)}},
                     {});
    app::StepResult r =
        app::train_step(*student, teacher.get(), *d, opt, dopt.get(), weak, strong, b.labels);
    NamedTensors after = {{"loss", r.loss.loss.data().clone()}};
    for (auto& [name, v] : student->named_parameters())
      after.emplace_back("student." + name, v.data().clone());
    for (auto& [name, v] : d->parameters())
      after.emplace_back("distiller." + name, v.data().clone());
    save_safetensors(dir + "/step" + std::to_string(step) + ".safetensors", after, {});
  }

  char cmd[2048];
  std::snprintf(
      cmd, sizeof cmd,
      "/usr/bin/python3 %s --dir %s --method %s --steps %d --lr %.17g --momentum %.17g "
      "--weight-decay %.17g --classes %lld --temperature %.17g --ce-weight %.17g "
      "--kd-weight %.17g --t-start %.17g --t-end %.17g",
      ZKD_PARITY_TWIN, dir.c_str(), method.c_str(), kSteps, static_cast<double>(sa.lr),
      static_cast<double>(sa.momentum), static_cast<double>(sa.weight_decay),
      static_cast<long long>(kClasses), static_cast<double>(static_cast<float>(cfg.temperature)),
      static_cast<double>(static_cast<float>(cfg.lambda_ce)),
      static_cast<double>(static_cast<float>(cfg.kd_weight)), cfg.ctkd_t_start, cfg.ctkd_t_end);
  std::string out;
  int status = test::run_command(cmd, out);
  std::printf("%s", out.c_str());
  ASSERT_EQ(status, 0) << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex("max_rel_err=([-+0-9.eE]+|nan|inf)"))) << out;
  const double err = std::stod(m[1].str());
  EXPECT_LE(err, kTol) << out;
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Methods, MlkdCtkdParity,
                         ::testing::Values("mlkd", "mlkd+ls", "ctkd", "ctkd+ls"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s)
                             if (c == '+') c = '_';
                           return s;
                         });

}  // namespace
}  // namespace zkd
