// Step parity against PyTorch: zkd trains K = 5 steps in float64 on the CPU (zkd_case.cpp: its
// nets, Loader, training step, losses and SGD; 14 random images in batches of 4, so step 4 is
// partial and step 5 opens epoch 2, where the LR drops x0.1 and DKD's warm-up factor grows);
// twin.py replays the same steps with the official mdistiller semantics from the same initial
// weights and batches, and reports the largest relative errors of the loss, the parameters (and
// their total update since the start), the running statistics and the teacher's state, and
// whether every num_batches_tracked matches. Skips, visibly, when
// `/usr/bin/python3 -c 'import torch'` fails.
//
// Tolerance: relative error <= 1e-8 (issue 13), written next to the measured errors (float64 on
// both sides, different summation orders; maxima over 5 steps, seed 7; docs/parity.md): loss
// 3.8e-13, parameters 2.3e-11, their updates 4.5e-11, running statistics 3.9e-12 (all from plain
// KD, whose large T = 4 loss amplifies step-1 round-off of 1e-15 most; KD+LS, DKD, DKD+LS and CE
// stay below 2e-12). The mutation tests run a deliberately wrong twin (no weight decay on
// batch-norm parameters; the teacher in training mode) and require the error to exceed 100x the
// tolerance; measured: parameter updates off by 0.17 .. 1.4, so this test can fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <regex>
#include <utility>

#include "apps/config/config.h"
#include "apps/config/recipes.h"
#include "tests/common/python_torch.h"
#include "tests/e2e/e2e_util.h"
#include "tests/parity/zkd_case.h"

namespace zkd::parity {
namespace {

constexpr double kTol = 1e-8;
// A mutated twin must be off by at least this much (100x the tolerance).
constexpr double kMutationFloor = 100 * kTol;
constexpr const char* kTeacher = "resnet32";
constexpr const char* kStudent = "resnet20";

app::TrainConfig config(const std::string& method) {
  app::TrainConfig c;
  c.method = app::Method::parse(method);
  c.model = c.distills() ? kStudent : kTeacher;
  if (c.distills()) {
    c.teacher_model = kTeacher;
    app::MethodDefaults d = app::paper_defaults(c.method, kTeacher, kStudent);
    app::use_loss_defaults(c, d);
    c.lr = d.lr;
  }
  c.batch_size = 4;
  c.milestones = {1};  // epoch 2 runs at 0.1x
  c.seed = 7;
  return c;
}

struct Errors {
  double loss = 1, param = 1, update = 1, buffer = 1, teacher = 1;
  bool tracked = false;
};

// The twin's relative-error fields (twin.py prints "case=... loss_rel_err=..." per case).
const std::pair<const char*, double Errors::*> kErrorFields[] = {
    {"loss_rel_err", &Errors::loss},
    {"param_rel_err", &Errors::param},
    {"update_rel_err", &Errors::update},
    {"buffer_rel_err", &Errors::buffer},
    {"teacher_rel_err", &Errors::teacher}};

double field(const std::string& line, const std::string& key) {
  std::smatch m;
  if (std::regex_search(line, m, std::regex(" " + key + "=([-+0-9.eE]+|nan|inf)")))
    return std::stod(m[1].str());
  ADD_FAILURE() << "no '" << key << "=' in the twin's line: " << line;
  return 1e30;
}

// Writes one zkd case folder per method, runs the twin over all of them, returns the errors by
// method. A twin that cannot compare fails the test.
std::map<std::string, Errors> compare(const std::vector<std::string>& methods,
                                      const std::string& mutate = "none") {
  // ZKD_PARITY_KEEP=DIR keeps the case folders there (to rerun twin.py by hand, e.g. --verbose).
  const char* keep = std::getenv("ZKD_PARITY_KEEP");
  std::string root = keep ? std::string(keep) + "/" + mutate : e2e::fresh_dir("parity_" + mutate);
  std::vector<std::string> argv = {"/usr/bin/python3", ZKD_PARITY_TWIN, "--mutate", mutate};
  std::map<std::string, std::string> folder_method;
  for (const std::string& m : methods) {
    ParityCase c{m, config(m)};
    std::string folder = m;  // "kd+ls" -> "kd_ls"
    std::replace(folder.begin(), folder.end(), '+', '_');
    argv.push_back(write_zkd_case(c, root + "/" + folder));
    folder_method[folder] = m;
  }
  e2e::RunResult r = e2e::run(argv);
  std::printf("[parity] %s", r.output.c_str());
  EXPECT_EQ(r.status, 0) << r.output;
  std::map<std::string, Errors> out;
  std::regex line_re("case=(\\S+) mutate=\\S+ steps=5 .*");
  for (std::sregex_iterator it(r.output.begin(), r.output.end(), line_re), end; it != end; ++it) {
    std::string line = it->str();
    Errors e;
    for (const auto& [key, member] : kErrorFields) e.*member = field(line, key);
    e.tracked = field(line, "tracked_equal") == 1.0;
    out[folder_method[(*it)[1].str()]] = e;
  }
  EXPECT_EQ(out.size(), methods.size()) << r.output;
  return out;
}

void expect_parity(const std::string& method, const Errors& e) {
  SCOPED_TRACE(method);
  EXPECT_LE(e.loss, kTol);
  EXPECT_LE(e.param, kTol);
  EXPECT_LE(e.update, kTol);
  EXPECT_LE(e.buffer, kTol);
  EXPECT_LE(e.teacher, kTol);
  EXPECT_TRUE(e.tracked);
}

TEST(Parity, TeacherCrossEntropyStepsMatchPyTorch) {
  ZKD_REQUIRE_PYTHON("torch", "the step-parity test");
  auto errs = compare({"ce"});
  ASSERT_EQ(errs.count("ce"), 1u);
  expect_parity("ce", errs["ce"]);
}

TEST(Parity, DistillationStepsMatchPyTorch) {
  ZKD_REQUIRE_PYTHON("torch", "the step-parity test");
  const std::vector<std::string> methods = {"kd", "kd+ls", "dkd", "dkd+ls"};
  auto errs = compare(methods);
  for (const std::string& m : methods) {
    ASSERT_EQ(errs.count(m), 1u) << m;
    expect_parity(m, errs[m]);
  }
}

// The test can fail: a twin without weight decay on the batch-norm weights and biases drifts
// from zkd's parameters (and their updates) far beyond the tolerance.
TEST(Parity, TwinWithoutBatchNormWeightDecayDisagrees) {
  ZKD_REQUIRE_PYTHON("torch", "the step-parity test");
  auto errs = compare({"ce", "kd+ls"}, "bn-no-wd");
  for (const char* m : {"ce", "kd+ls"}) {
    ASSERT_EQ(errs.count(m), 1u) << m;
    EXPECT_GT(errs[m].update, kMutationFloor) << m;
  }
}

// ... and a twin whose teacher runs in training mode (batch statistics, running statistics
// updated) gives other losses, other student parameters and another teacher state.
TEST(Parity, TwinWithTeacherInTrainModeDisagrees) {
  ZKD_REQUIRE_PYTHON("torch", "the step-parity test");
  auto errs = compare({"kd+ls", "dkd+ls"}, "teacher-train");
  for (const char* m : {"kd+ls", "dkd+ls"}) {
    ASSERT_EQ(errs.count(m), 1u) << m;
    EXPECT_GT(errs[m].loss, kMutationFloor) << m;
    EXPECT_GT(errs[m].update, kMutationFloor) << m;
    EXPECT_GT(errs[m].teacher, kMutationFloor) << m;
  }
}

}  // namespace
}  // namespace zkd::parity
