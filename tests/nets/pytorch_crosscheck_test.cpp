// PyTorch cross-check of the zoo: zkd exports a net's weights (random BN affine parameters and
// warmed-up running statistics, so eval mode is meaningful), an input batch and its logits in
// eval and training mode and the state after that training forward; pytorch_crosscheck.py
// (Debian's /usr/bin/python3 with python3-torch) rebuilds the net from the specification, loads
// the weights with strict names and shapes, and reports the differences. Skips, visibly, when
// `/usr/bin/python3 -c 'import torch'` fails.
//
// Tolerances, from measurement (float32 on both sides, different summation orders; seed 2024,
// batch 5, logits of magnitude 0.25 .. 4.6): eval-mode logits differ by at most 2.8e-5 (resnet110,
// ResNet50; 3.6e-7 for resnet8x4, 3.1e-6 resnet32x4, 4.2e-6 ShuffleV2), training-mode logits by
// at most 3.5e-5 (ResNet50); both are held to the 1e-4. Running statistics after the
// training forward differ by at most 2.7e-6 in |a - b| / (1 + |b|) (ResNet50); held to 1e-5. A
// structural slip is far outside these: the WRN shortcut taken from the raw instead of the
// activated input gives 3.6 on the logits, one missing WRN double update 7e-3 on the statistics.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <vector>

#include <unistd.h>

#include "engine/autograd/grad_mode.h"
#include "engine/nn/init.h"
#include "engine/nn/layers.h"
#include "engine/nn/state_dict.h"
#include "nets/common.h"
#include "nets/registry.h"
#include "tests/common/python_torch.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

constexpr double kLogitTol = 1e-4;
constexpr double kBufferTol = 1e-5;

double field(const std::string& out, const std::string& key) {
  std::smatch m;
  if (std::regex_search(out, m, std::regex(key + "=([-+0-9.eE]+|nan|inf)")))
    return std::stod(m[1].str());
  ADD_FAILURE() << "no '" << key << "=' in the script output:\n" << out;
  return 1e30;
}

class CrossCheck : public ::testing::TestWithParam<std::string> {};

TEST_P(CrossCheck, PyTorchGivesTheSameLogitsAndStatistics) {
  ZKD_REQUIRE_PYTHON("torch", "the PyTorch cross-check");
  const std::string name = GetParam();
  Generator gen(2024);
  auto net = nets::create(name, gen);
  // BN affine parameters away from 1 / 0; running statistics set to one training batch's
  // statistics (momentum 1), then mixed with a second batch's (momentum 0.1), so eval-mode
  // activations keep a sane scale through the deep nets.
  std::vector<BatchNorm2d*> bns;
  nets::for_each_module(*net, [&](Module& m) {
    if (auto* bn = dynamic_cast<BatchNorm2d*>(&m)) bns.push_back(bn);
  });
  for (BatchNorm2d* bn : bns) {
    init::uniform(bn->weight, 0.5, 1.5, gen);
    init::uniform(bn->bias, -0.3, 0.3, gen);
  }
  NoGradGuard no_grad;
  net->train();
  for (double momentum : {1.0, 0.1}) {
    for (BatchNorm2d* bn : bns) bn->args.momentum = momentum;
    (*net)(Variable(normal({8, 3, 32, 32}, 0.0, 1.0, gen)));
  }

  namespace fs = std::filesystem;
  fs::path dir =
      fs::temp_directory_path() / ("zkd_crosscheck_" + name + "_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string weights = (dir / "weights.safetensors").string();
  const std::string data = (dir / "data.safetensors").string();
  const std::string after = (dir / "after.safetensors").string();
  save_module(*net, weights);
  Variable x(normal({5, 3, 32, 32}, 0.0, 1.0, gen));
  net->eval();
  Tensor eval_logits = (*net)(x).data();
  net->train();
  Tensor train_logits = (*net)(x).data();
  save_module(*net, after);
  save_safetensors(
      data, {{"input", x.data()}, {"eval_logits", eval_logits}, {"train_logits", train_logits}});

  std::string out;
  int status =
      test::run_command("/usr/bin/python3 '" ZKD_CROSSCHECK_SCRIPT "' --model " + name +
                            " --weights " + weights + " --data " + data + " --after " + after,
                        out);
  std::printf("[crosscheck] %s", out.c_str());
  fs::remove_all(dir);
  ASSERT_EQ(status, 0) << out;
  EXPECT_LT(field(out, "eval_max_abs_err"), kLogitTol);
  EXPECT_LT(field(out, "train_max_abs_err"), kLogitTol);
  EXPECT_LT(field(out, "buffers_max_err"), kBufferTol);
  EXPECT_EQ(field(out, "tracked_equal"), 1.0);
  EXPECT_EQ(field(out, "params"), static_cast<double>(net->num_parameters()));
  EXPECT_GT(field(out, "logit_max_abs"), 1e-2);  // a non-degenerate comparison
}

INSTANTIATE_TEST_SUITE_P(Zoo, CrossCheck, ::testing::ValuesIn(nets::names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace zkd
