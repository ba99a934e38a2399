// apps/reproduce.py end to end on the CPU with its smoke rows (resnet20, 3 epochs, 4 classes of
// a tiny synthetic CIFAR-100-format set): --dry-run prints the commands and runs nothing; a
// budget of 0.002 minutes stops the teacher cleanly after its first step (listed in progress,
// not recorded); the same command resumes it, and SIGINT to the runner stops it cleanly again;
// the same command then resumes it to the end and records it once
// (reproduction.json, the generated table of reproduction.md, the kept log.jsonl); a third
// call skips it; the student row distills from the teacher's last checkpoint; a student row
// whose teacher is not complete is refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/e2e/e2e_util.h"

namespace zkd {
namespace {

namespace fs = std::filesystem;
using e2e::RunResult;

struct Sandbox {
  std::string root = e2e::fresh_dir("reproduce");
  std::string data = e2e::write_synthetic_cifar(root + "/data", 4, 8, 4);
  std::string runs = root + "/runs", docs = root + "/docs";

  // interrupt_after: SIGINT to the runner once its output shows this text.
  RunResult reproduce(const std::string& row, const std::vector<std::string>& extra = {},
                      const std::string& interrupt_after = "") {
    std::vector<std::string> argv = {"/usr/bin/python3",
                                     ZKD_REPRODUCE_SCRIPT,
                                     row,
                                     "--runs",
                                     runs,
                                     "--docs",
                                     docs,
                                     "--bin",
                                     ZKD_APPS_DIR,
                                     "--data",
                                     data,
                                     "--device",
                                     "cpu"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return e2e::run(argv, interrupt_after);
  }
  std::string read(const std::string& rel) const {
    std::ifstream in(docs + "/" + rel);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::vector<nlohmann::json> records() const {
    std::string text = read("reproduction.json");
    return text.empty() ? std::vector<nlohmann::json>{}
                        : nlohmann::json::parse(text).get<std::vector<nlohmann::json>>();
  }
};

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

TEST(Reproduce, DryRunPrintsTheCommandsAndRunsNothing) {
  Sandbox s;
  RunResult r = s.reproduce("smoke-teacher", {"--dry-run", "--seeds", "0,1"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "zkd-train --model resnet20 --seed 0 --out")) << r.output;
  EXPECT_TRUE(contains(r.output, "--seed 1 --out")) << r.output;
  EXPECT_TRUE(contains(r.output, "--epochs 3")) << r.output;
  EXPECT_FALSE(fs::exists(s.runs));
  EXPECT_FALSE(fs::exists(s.docs));
}

TEST(Reproduce, StudentRowRefusesAnIncompleteTeacher) {
  Sandbox s;
  RunResult r = s.reproduce("smoke-kdls");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "is not complete")) << r.output;
  EXPECT_TRUE(contains(r.output, "apps/reproduce.py smoke-teacher --seeds 0")) << r.output;
}

TEST(Reproduce, SmokeRowsStopResumeSkipAndRecord) {
  Sandbox s;
  const std::string run = s.runs + "/smoke-teacher/seed0";
  // 1. A budget that ends at once: the trainer is stopped after its first step, cleanly.
  RunResult stopped = s.reproduce("smoke-teacher", {"--max-minutes", "0.002"});
  EXPECT_EQ(stopped.status, 3) << stopped.output;
  EXPECT_TRUE(contains(stopped.output, "stopped by --max-minutes")) << stopped.output;
  EXPECT_TRUE(contains(stopped.output, "checkpoint written")) << stopped.output;
  ASSERT_TRUE(fs::exists(run + "/last.safetensors"));
  EXPECT_TRUE(s.records().empty());
  EXPECT_TRUE(contains(s.read("reproduction.md"), "smoke-teacher seed 0: in progress"))
      << s.read("reproduction.md");

  // 2. The same command continues the run; SIGINT to the runner stops it cleanly again.
  RunResult signalled = s.reproduce("smoke-teacher", {}, "img/s");
  EXPECT_EQ(signalled.status, 3) << signalled.output;
  EXPECT_TRUE(contains(signalled.output, "zkd-train --resume " + run)) << signalled.output;
  EXPECT_TRUE(contains(signalled.output, "stopped by a signal")) << signalled.output;
  EXPECT_TRUE(contains(signalled.output, "checkpoint written")) << signalled.output;
  EXPECT_TRUE(s.records().empty());

  // 3. The same command continues the run from its checkpoint to the end and records it.
  RunResult resumed = s.reproduce("smoke-teacher");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_TRUE(contains(resumed.output, "zkd-train --resume " + run)) << resumed.output;
  std::vector<nlohmann::json> recs = s.records();
  ASSERT_EQ(recs.size(), 1u) << s.read("reproduction.json");
  const nlohmann::json& t = recs[0];
  EXPECT_EQ(t.at("row"), "smoke-teacher");
  EXPECT_EQ(t.at("student"), "resnet20");
  EXPECT_EQ(t.at("method"), "ce");
  EXPECT_EQ(t.at("seed").get<int64_t>(), 0);
  EXPECT_EQ(t.at("epochs").get<int64_t>(), 3);
  EXPECT_GE(t.at("best_top1").get<double>(), t.at("last_top1").get<double>());
  EXPECT_EQ(t.at("card"), "cpu");
  EXPECT_EQ(t.at("precision"), "fp32");
  EXPECT_FALSE(t.at("commit").get<std::string>().empty());
  EXPECT_EQ(e2e::read_lines(s.docs + "/reproduction/smoke-teacher/seed0/log.jsonl").size(), 3u);
  std::string md = s.read("reproduction.md");
  EXPECT_TRUE(contains(md, "| smoke-teacher | resnet20 | ce | - |")) << md;
  EXPECT_TRUE(contains(md, "In progress:\n\nnone.")) << md;

  // 4. Once complete, a run is skipped and recorded only once.
  RunResult again = s.reproduce("smoke-teacher");
  EXPECT_EQ(again.status, 0) << again.output;
  EXPECT_TRUE(contains(again.output, "seed 0 is complete")) << again.output;
  EXPECT_EQ(s.records().size(), 1u);

  // 5. The student row distills from the teacher's last checkpoint.
  RunResult student = s.reproduce("smoke-kdls");
  ASSERT_EQ(student.status, 0) << student.output;
  EXPECT_TRUE(
      contains(student.output, "--teacher " + run + "/last.safetensors --teacher-model resnet20"))
      << student.output;
  recs = s.records();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].at("teacher"), "resnet20");
  EXPECT_EQ(recs[1].at("method"), "kd+ls");
}

// The runner's contract with the trainer: a stop at any step leaves a log with every finished
// epoch. SIGINT once step 3 of 4 is reported lands in the epoch's last step (or its
// evaluation); the resumed run must still log epochs 1, 2 and 3.
TEST(Reproduce, TrainerStoppedInTheLastStepOfAnEpochStillLogsIt) {
  Sandbox s;
  const std::string run = s.root + "/run";
  RunResult stopped = e2e::run({ZKD_APPS_DIR "/zkd-train",
                                "--model",
                                "resnet20",
                                "--epochs",
                                "3",
                                "--num-classes",
                                "4",
                                "--train-per-class",
                                "8",
                                "--test-per-class",
                                "4",
                                "--batch-size",
                                "8",
                                "--log-every",
                                "1",
                                "--device",
                                "cpu",
                                "--data",
                                s.data,
                                "--out",
                                run},
                               "step 3/4");
  EXPECT_EQ(stopped.status, 130) << stopped.output;
  RunResult resumed = e2e::run({ZKD_APPS_DIR "/zkd-train", "--resume", run});
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  std::vector<std::string> log = e2e::read_lines(run + "/log.jsonl");
  ASSERT_EQ(log.size(), 3u) << stopped.output << resumed.output;
  for (size_t i = 0; i < log.size(); ++i)
    EXPECT_EQ(e2e::json_number(log[i], "epoch"), static_cast<double>(i + 1)) << log[i];
}

}  // namespace
}  // namespace zkd
