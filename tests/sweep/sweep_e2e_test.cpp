// End-to-end tests of zkd-sweep on the CPU with a tiny synthetic data set: a member equals the
// same run launched alone bit for bit (weights and log), members are ordinary runs (zkd-eval,
// summarize merges them with solo runs), Ctrl-C stops the sweep at a consistent point and
// --resume finishes every member exactly, a diverging member does not stop the others, and a
// job-array style --plan / --member run trains one member.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "apps/sweep/run_dir.h"
#include "engine/io/atomic_file.h"
#include "tests/common/same_tensors.h"
#include "tests/e2e/e2e_util.h"

namespace zkd::e2e {
namespace {

namespace fs = std::filesystem;

constexpr const char* kModel = "resnet20";

const std::string& data_dir() {
  static const std::string dir =
      write_synthetic_cifar(fresh_dir("data") + "/cifar-100-binary", 10, 16, 4);
  return dir;
}

std::vector<std::string> common(int epochs) {
  return {"--model",       kModel, "--device",     "cpu", "--data",   data_dir(),
          "--num-classes", "10",   "--batch-size", "16",  "--epochs", std::to_string(epochs),
          "--log-every",   "2"};
}

std::vector<std::string> cat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const std::string& teacher() {
  static const std::string path = [] {
    std::string d = fresh_dir("teacher");
    RunResult r = run(cat(cat({ZKD_TRAIN_BIN}, common(1)), {"--lr", "0.01", "--out", d}));
    EXPECT_EQ(r.status, 0) << r.output;
    return d + "/best.safetensors";
  }();
  return path;
}

// The log's values but the timings.
void expect_same_log(const std::string& a_dir, const std::string& b_dir) {
  std::vector<std::string> a = read_lines(a_dir + "/log.jsonl"),
                           b = read_lines(b_dir + "/log.jsonl");
  ASSERT_EQ(a.size(), b.size());
  ASSERT_FALSE(a.empty());
  for (size_t i = 0; i < a.size(); ++i)
    for (const char* k :
         {"epoch", "train_loss", "train_acc", "test_loss", "test_top1", "test_top5", "lr"})
      EXPECT_EQ(json_number(a[i], k), json_number(b[i], k)) << k << " epoch " << i + 1;
}

using nlohmann::json;

json summary(const std::string& dir) {
  return json::parse(read_file(dir + "/summary.json"));
}

const json& grid_point(const json& s, const std::string& label) {
  for (const json& g : s.at("grid_points"))
    if (g.at("grid_point") == label) return g;
  ADD_FAILURE() << "no grid point " << label << " in " << s.dump();
  static const json none = {{"finished", -1},
                            {"diverged", -1},
                            {"runs", json::array()},
                            {"best_top1", {{"n", -1}, {"std", -1}}}};
  return none;
}

TEST(SweepE2E, MemberEqualsTheSameRunLaunchedAloneAndMerges) {
  std::string sweep = fresh_dir("grid") + "/sweep";
  RunResult r = run(cat(
      cat({ZKD_SWEEP_BIN, "distill", "--teacher", teacher(), "--teacher-model", kModel}, common(2)),
      {"--lr", "0.01", "--seeds", "1", "--temperature", "2,3", "--out", sweep}));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("device memory estimate"), std::string::npos) << r.output;
  for (const char* m : {"T2-seed1", "T3-seed1"})
    EXPECT_TRUE(fs::exists(sweep + "/" + m + "/last.safetensors")) << m;
  for (const char* f : {"sweep.json", "summary.md", "summary.json", "summary.svg"})
    EXPECT_TRUE(fs::exists(sweep + "/" + f)) << f;

  std::string solo = fresh_dir("solo");
  RunResult s =
      run(cat(cat({ZKD_DISTILL_BIN, "--teacher", teacher(), "--teacher-model", kModel}, common(2)),
              {"--lr", "0.01", "--seed", "1", "--temperature", "3", "--out", solo}));
  ASSERT_EQ(s.status, 0) << s.output;
  EXPECT_TRUE(test::same_tensors(sweep + "/T3-seed1/last.safetensors", solo + "/last.safetensors"));
  EXPECT_TRUE(test::same_tensors(sweep + "/T3-seed1/best.safetensors", solo + "/best.safetensors"));
  expect_same_log(sweep + "/T3-seed1", solo);

  json sum = summary(sweep);
  const json& t3 = grid_point(sum, "T3");
  EXPECT_EQ(t3.at("finished"), 1);
  EXPECT_EQ(t3.at("best_top1").at("n"), 1);
  EXPECT_NE(read_file(sweep + "/summary.md").find("| T2 | 1 | 1/1 |"), std::string::npos);

  // A member is an ordinary run: zkd-eval reads its best weights.
  RunResult e =
      run({ZKD_EVAL_BIN, "--model", kModel, "--checkpoint", sweep + "/T2-seed1/best.safetensors",
           "--device", "cpu", "--data", data_dir(), "--num-classes", "10"});
  EXPECT_EQ(e.status, 0) << e.output;

  // Resuming a finished sweep trains nothing.
  RunResult again = run({ZKD_SWEEP_BIN, "--resume", sweep});
  EXPECT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("T3-seed1: finished, skipped"), std::string::npos) << again.output;
  EXPECT_EQ(again.output.find("epoch 1/2"), std::string::npos) << again.output;

  // Merge: the solo run joins the sweep's T3 grid point (same config but seed and folder).
  std::string merged = fresh_dir("merged");
  RunResult m = run({ZKD_SWEEP_BIN, "summarize", sweep, solo, "--out", merged});
  ASSERT_EQ(m.status, 0) << m.output;
  json ms = summary(merged);
  EXPECT_EQ(grid_point(ms, "T3").at("runs").size(), 2u) << ms.dump();
  EXPECT_EQ(grid_point(ms, "T2").at("runs").size(), 1u) << ms.dump();
  EXPECT_EQ(grid_point(ms, "T3").at("best_top1").at("std"), 0.0) << "equal runs";
}

TEST(SweepE2E, InterruptStopsAtAConsistentPointAndResumeFinishesEveryMemberExactly) {
  std::string sweep = fresh_dir("interrupt") + "/sweep";
  std::vector<std::string> args = cat(cat({ZKD_SWEEP_BIN, "train"}, common(1)),
                                      {"--lr", "0.01", "--seeds", "0-2", "--out", sweep});
  RunResult r = run(args, "member 2/3 seed1: starting");
  ASSERT_EQ(r.status, 130) << r.output;
  EXPECT_NE(r.output.find("continue with: zkd-sweep --resume " + sweep), std::string::npos)
      << r.output;
  using app::sweep::RunState;
  EXPECT_EQ(app::sweep::run_state(sweep + "/seed0"), RunState::Finished);
  EXPECT_EQ(app::sweep::run_state(sweep + "/seed1"), RunState::Partial)
      << "the member's checkpoint";
  EXPECT_EQ(app::sweep::run_state(sweep + "/seed2"), RunState::NotStarted);
  EXPECT_NE(read_file(sweep + "/summary.md").find("| seed1 | all | running |"), std::string::npos);

  RunResult resumed = run({ZKD_SWEEP_BIN, "--resume", sweep});
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("seed0: finished, skipped"), std::string::npos) << resumed.output;
  EXPECT_NE(resumed.output.find("seed1: resuming"), std::string::npos) << resumed.output;
  EXPECT_NE(resumed.output.find("seed2: starting"), std::string::npos) << resumed.output;
  EXPECT_EQ(summary(sweep).at("grid_points").at(0).at("finished"), 3);

  // The interrupted and resumed member equals its run launched alone, uninterrupted.
  std::string solo = fresh_dir("interrupt_solo");
  RunResult s =
      run(cat(cat({ZKD_TRAIN_BIN}, common(1)), {"--lr", "0.01", "--seed", "1", "--out", solo}));
  ASSERT_EQ(s.status, 0) << s.output;
  EXPECT_TRUE(test::same_tensors(sweep + "/seed1/last.safetensors", solo + "/last.safetensors"));
  expect_same_log(sweep + "/seed1", solo);
}

TEST(SweepE2E, ADivergingMemberIsReportedAndTheOthersGoOn) {
  std::string sweep = fresh_dir("diverge") + "/sweep";
  RunResult r =
      run(cat(cat({ZKD_SWEEP_BIN, "train"}, common(1)), {"--lr", "1000,0.01", "--out", sweep}));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("lr1000-seed0 diverged, the others go on"), std::string::npos)
      << r.output;
  json s = summary(sweep);
  const json& bad = grid_point(s, "lr1000");
  EXPECT_EQ(bad.at("diverged"), 1);
  EXPECT_EQ(grid_point(s, "lr0.01").at("finished"), 1);
  std::string md = read_file(sweep + "/summary.md");
  // The trainer's divergence error: a non-finite loss or weight, whichever its checks see first.
  EXPECT_NE(md.find("- lr1000-seed0: train: expected a finite "), std::string::npos) << md;
  RunResult again = run({ZKD_SWEEP_BIN, "--resume", sweep});
  EXPECT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("lr1000-seed0: diverged, skipped"), std::string::npos)
      << again.output;
}

TEST(SweepE2E, PlanThenOneMemberPerTask) {
  std::string sweep = fresh_dir("array") + "/sweep";
  RunResult p = run(
      cat(cat({ZKD_SWEEP_BIN, "train"}, common(1)), {"--seeds", "4-5", "--plan", "--out", sweep}));
  ASSERT_EQ(p.status, 0) << p.output;
  EXPECT_NE(p.output.find("  1  seed5"), std::string::npos) << p.output;
  EXPECT_FALSE(fs::exists(sweep + "/seed4"));
  RunResult t = run({ZKD_SWEEP_BIN, "--resume", sweep, "--member", "1"});
  ASSERT_EQ(t.status, 0) << t.output;
  EXPECT_TRUE(fs::exists(sweep + "/seed5/best.safetensors"));
  EXPECT_FALSE(fs::exists(sweep + "/seed4"));
  RunResult m = run({ZKD_SWEEP_BIN, "summarize", sweep});
  ASSERT_EQ(m.status, 0) << m.output;
  EXPECT_NE(m.output.find("| all | 1 | 1/2 |"), std::string::npos) << m.output;
  RunResult again =
      run(cat(cat({ZKD_SWEEP_BIN, "train"}, common(1)), {"--seeds", "4-5", "--out", sweep}));
  EXPECT_EQ(again.status, 2) << "refuses to start over an existing sweep";
  EXPECT_NE(again.output.find("zkd-sweep --resume " + sweep), std::string::npos) << again.output;
}

TEST(SweepE2E, BadListsAndUsage) {
  RunResult a = run({ZKD_SWEEP_BIN, "train", "--temperature", "2,,3", "--out", fresh_dir("bad")});
  EXPECT_EQ(a.status, 1);
  EXPECT_NE(a.output.find("an empty item"), std::string::npos) << a.output;
  RunResult b = run({ZKD_SWEEP_BIN, "train", "--seeds", "0-1"});
  EXPECT_EQ(b.status, 2);
  EXPECT_NE(b.output.find("--out DIR"), std::string::npos) << b.output;
  RunResult c =
      run({ZKD_SWEEP_BIN, "train", "--lr", "0.1,x", "--out", fresh_dir("bad2"), "--device", "cpu"});
  EXPECT_EQ(c.status, 2);
  EXPECT_NE(c.output.find("--lr expects a finite number > 0 and <= 1000, got 'x'"),
            std::string::npos)
      << c.output;
  // Issue 25: a grid past 64 bits wrapped to 0 members (--plan exited 0); now one line naming the
  // cap.
  const std::string many = "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22";
  RunResult d =
      run({ZKD_SWEEP_BIN, "train", "--temperature", many, "--kd-weight", many, "--lr",
           "0.01,0.02,0.03,0.04,0.05,0.06,0.07,0.08,0.09,0.1,0.11,0.12,0.13,0.14,0.15,0.16,"
           "0.17,0.18,0.19,0.2,0.21",
           "--out", fresh_dir("bad3"), "--plan"});
  EXPECT_EQ(d.status, 1) << d.output;
  EXPECT_NE(d.output.find("expected members (the product of the list lengths) of at most 10000"),
            std::string::npos)
      << d.output;
  // Issue 25: a list flag or a shared flag given twice is refused, not joined or overridden.
  RunResult e = run(
      {ZKD_SWEEP_BIN, "train", "--lr", "0.1", "--lr", "0.2", "--out", fresh_dir("bad4"), "--plan"});
  EXPECT_EQ(e.status, 2) << e.output;
  EXPECT_NE(e.output.find("--lr given twice"), std::string::npos) << e.output;
  RunResult f = run({ZKD_SWEEP_BIN, "train", "--epochs", "1", "--epochs", "2", "--out",
                     fresh_dir("bad5"), "--plan"});
  EXPECT_EQ(f.status, 2) << f.output;
  EXPECT_NE(f.output.find("--epochs given 2 times; expected it once"), std::string::npos)
      << f.output;
}

// Issue 25: summarize hung on a FIFO, /dev/zero or /dev/urandom in a run directory; each is now
// a one-line refusal naming the file and its kind (run under timeout so that a hang fails).
TEST(SweepE2E, SummarizeRefusesAFifoOrADeviceInsteadOfHanging) {
  const std::string dir = fresh_dir("summarize_kinds") + "/run";
  RunResult r = run(cat(cat({ZKD_TRAIN_BIN}, common(1)), {"--lr", "0.01", "--out", dir}));
  ASSERT_EQ(r.status, 0) << r.output;
  struct Case {
    const char* file;
    const char* kind;  // mkfifo when "a FIFO", else a symbolic link to this device
    const char* device;
  };
  for (Case c : {Case{"last.safetensors", "a FIFO", ""},
                 {"config.toml", "a FIFO", ""},
                 {"log.jsonl", "a FIFO", ""},
                 {"config.toml", "a device", "/dev/zero"},
                 {"log.jsonl", "a device", "/dev/urandom"}}) {
    const std::string copy = fresh_dir(std::string("summarize_") + c.file + c.device);
    fs::copy(dir, copy, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    const std::string path = copy + "/" + c.file;
    fs::remove(path);
    if (std::string(c.kind) == "a FIFO")
      ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
    else
      fs::create_symlink(c.device, path);
    if (std::string(c.file) == "config.toml") fs::remove(copy + "/last.safetensors");
    RunResult s = run({"/usr/bin/timeout", "30", ZKD_SWEEP_BIN, "summarize", copy});
    EXPECT_EQ(s.status, 1) << c.file << " " << c.kind << ": " << s.output;
    EXPECT_NE(s.output.find(std::string("got ") + c.kind), std::string::npos)
        << c.file << ": " << s.output;
  }
  // A run reached by two paths counts once; an impossible top-1 is refused.
  const std::string out = fresh_dir("summarize_once");
  RunResult twice = run({ZKD_SWEEP_BIN, "summarize", dir, dir + "/.", "--out", out});
  ASSERT_EQ(twice.status, 0) << twice.output;
  EXPECT_EQ(summary(out).at("runs").size(), 1u) << twice.output;
  std::string log = read_file(dir + "/log.jsonl");
  const size_t at = log.find("\"test_top1\":");
  ASSERT_NE(at, std::string::npos) << log;
  log.insert(at + 12, "250");
  log.erase(at + 15, log.find_first_of(",}", at + 15) - (at + 15));
  write_file_atomic(dir + "/log.jsonl", log);
  RunResult bad = run({ZKD_SWEEP_BIN, "summarize", dir});
  EXPECT_EQ(bad.status, 1) << bad.output;
  EXPECT_NE(bad.output.find("expected test_top1 in [0, 100] on line 1"), std::string::npos)
      << bad.output;
}

// Issue 25: flags added to sweep.json by hand changed an unfinished member; a member left with
// best.safetensors and log.jsonl but no last.safetensors (a full disk) made every --resume fail.
TEST(SweepE2E, ResumeRefusesAnEditedPlanAndRestartsAMemberWithNothingToResume) {
  const std::string sweep = fresh_dir("resume_checks") + "/sweep";
  RunResult p = run(cat(cat({ZKD_SWEEP_BIN, "train"}, common(1)),
                        {"--lr", "0.01", "--seeds", "3", "--plan", "--out", sweep}));
  ASSERT_EQ(p.status, 0) << p.output;
  const std::string plan = read_file(sweep + "/sweep.json");
  std::string edited = plan;
  const size_t args = edited.find("\"args\":[");
  ASSERT_NE(args, std::string::npos) << plan;
  edited.insert(args + 8, "\"--momentum=0.5\",");
  write_file_atomic(sweep + "/sweep.json", edited);
  RunResult r = run({ZKD_SWEEP_BIN, "--resume", sweep});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("got member 'seed3' changed: momentum 0.9 -> 0.5"), std::string::npos)
      << r.output;
  write_file_atomic(sweep + "/sweep.json", plan);
  // What a fault before the first last.safetensors leaves.
  fs::create_directories(sweep + "/seed3");
  fs::copy_file(teacher(), sweep + "/seed3/best.safetensors");
  write_file_atomic(sweep + "/seed3/log.jsonl", "");
  write_file_atomic(sweep + "/seed3/notes.txt", "mine");
  RunResult again = run({ZKD_SWEEP_BIN, "--resume", sweep});
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("restarting (no last.safetensors to resume from)"), std::string::npos)
      << again.output;
  EXPECT_TRUE(fs::exists(sweep + "/seed3/last.safetensors"));
  EXPECT_EQ(read_lines(sweep + "/seed3/log.jsonl").size(), 1u);
  EXPECT_EQ(read_file(sweep + "/seed3/notes.txt"), "mine");
}

}  // namespace
}  // namespace zkd::e2e
