// End-to-end runs of the MLKD(+LS) and CTKD(+LS) recipes of zkd-distill on the CPU with a tiny
// synthetic data set: the paper's pair resnet32x4 -> resnet8x4 with MLKD+LS runs (the teacher is
// a randomly initialized resnet32x4 saved by the test) and logs its per-term losses; CTKD+LS logs
// its temperature every epoch and resumes bit for bit, its temperature and momentum included.
#include <gtest/gtest.h>

#include "engine/io/safetensors.h"
#include "tests/common/same_tensors.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/tiny_distill.h"

namespace zkd::e2e {
namespace {

TEST(E2EDistillMethods, MlkdLsResnet32x4ToResnet8x4LogsItsTerms) {
  std::string out = fresh_dir("mlkd");
  RunResult r = run(distill_args("mlkd+ls", random_teacher("resnet32x4", 3, "resnet32x4"), out,
                                 {"resnet32x4", "resnet8x4", 2, 8}));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("mlkd+ls, T 2, lambda_ce 0.1, kd_weight 9"), std::string::npos)
      << r.output;
  std::vector<std::string> log = read_lines(out + "/log.jsonl");
  ASSERT_EQ(log.size(), 2u);
  for (const std::string& l : log) {
    double sum = 0;
    for (const char* k : {"loss_ce", "loss_kd", "loss_cc", "loss_bc"}) {
      ASSERT_NE(l.find(std::string("\"") + k + "\""), std::string::npos) << k << " missing: " << l;
      EXPECT_GE(json_number(l, k), 0.0) << k;
      sum += json_number(l, k);
    }
    EXPECT_NEAR(sum, json_number(l, "train_loss"), 1e-4 * sum) << "the terms add up: " << l;
  }
}

TEST(E2EDistillMethods, CtkdLsLogsTheTemperatureAndResumesExactly) {
  const std::string teacher = random_teacher("resnet20", 3);
  std::string full = fresh_dir("ctkd-full"), part = fresh_dir("ctkd-part");
  ASSERT_EQ(run(distill_args("ctkd+ls", teacher, full, {"resnet20", "resnet20", 2, 8})).status, 0);
  ASSERT_EQ(run(distill_args("ctkd+ls", teacher, part, {"resnet20", "resnet20", 1, 8})).status, 0);
  RunResult r = run({ZKD_DISTILL_BIN, "--resume", part, "--epochs", "2"});
  ASSERT_EQ(r.status, 0) << r.output;
  std::vector<std::string> log = read_lines(full + "/log.jsonl");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NEAR(json_number(log[0], "grl_lambda"), -0.0245, 5e-5);
  const double t1 = json_number(log[0], "temperature");
  EXPECT_GT(t1, 2.0);
  EXPECT_LT(t1, 32.0);
  EXPECT_NE(log[1].find("\"temperature\""), std::string::npos);
  EXPECT_TRUE(test::same_tensors(full + "/last.safetensors", part + "/last.safetensors"));
  bool have_t = false;
  for (const auto& [name, tensor] : load_safetensors(full + "/last.safetensors").tensors)
    have_t |= name == "distiller.global_t";
  EXPECT_TRUE(have_t) << "the checkpoint holds the temperature parameter";
  std::vector<std::string> resumed = read_lines(part + "/log.jsonl");
  ASSERT_EQ(resumed.size(), 2u);
  for (size_t e = 0; e < 2; ++e)
    for (const char* k :
         {"train_loss", "test_loss", "loss_ce", "loss_kd", "temperature", "grl_lambda"})
      EXPECT_EQ(json_number(resumed[e], k), json_number(log[e], k)) << k << " of epoch " << e + 1;
}

}  // namespace
}  // namespace zkd::e2e
