// End-to-end tests of zkd-train, zkd-distill, zkd-eval and zkd-bench on the CPU with a tiny
// synthetic data set: learning happens, distillation runs, resume is exact, a diverging run stops
// and keeps its last good checkpoint, SIGINT writes a loadable checkpoint, logits are saved as
// .npy, and the benchmark prints its table and writes its rows as JSON.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "apps/config/config.h"
#include "apps/run/checkpoint.h"
#include "engine/io/atomic_file.h"
#include "engine/io/safetensors.h"
#include "nets/registry.h"
#include "tests/common/same_tensors.h"
#include "tests/e2e/e2e_util.h"

namespace zkd::e2e {
namespace {

namespace fs = std::filesystem;

constexpr const char* kModel = "resnet20";

// The synthetic data set, written once: 10 classes, 24 train and 10 test images each.
const std::string& data_dir() {
  static const std::string dir =
      write_synthetic_cifar(fresh_dir("data") + "/cifar-100-binary", 10, 24, 10);
  return dir;
}

std::vector<std::string> train_args(const std::string& out, int epochs) {
  return {ZKD_TRAIN_BIN,
          "--model",
          kModel,
          "--device",
          "cpu",
          "--data",
          data_dir(),
          "--num-classes",
          "10",
          "--batch-size",
          "16",
          "--epochs",
          std::to_string(epochs),
          "--lr",
          "0.01",
          "--out",
          out,
          "--log-every",
          "2"};
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& more) {
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

// a with flag's value replaced (a flag is given once: a repeat is refused).
std::vector<std::string> set_flag(std::vector<std::string> a, const std::string& flag,
                                  const std::string& value) {
  auto it = std::find(a.begin(), a.end(), flag);
  EXPECT_TRUE(it != a.end() && it + 1 != a.end()) << flag;
  if (it != a.end() && it + 1 != a.end()) *(it + 1) = value;
  return a;
}

// The last line of the output that starts with `prefix` (after "# ": a value --print-config
// comments out), or "".
std::string line_with(const std::string& output, const std::string& prefix) {
  size_t at = 0, found = std::string::npos;
  while ((at = output.find(prefix, at)) != std::string::npos) {
    size_t start = at >= 2 && output.compare(at - 2, 2, "# ") == 0 ? at - 2 : at;
    if (start == 0 || output[start - 1] == '\n') found = start;
    ++at;
  }
  return found == std::string::npos ? "" : output.substr(found, output.find('\n', found) - found);
}

// Trains a teacher once for the tests that need one.
const std::string& teacher_dir() {
  static const std::string dir = [] {
    std::string d = fresh_dir("teacher");
    RunResult r = run(with(train_args(d, 4), {"--dump-batch", d + "/batch.png"}));
    EXPECT_EQ(r.status, 0) << r.output;
    return d;
  }();
  return dir;
}

TEST(E2E, TrainLossFallsAndAccuracyBeatsChance) {
  std::vector<std::string> log = read_lines(teacher_dir() + "/log.jsonl");
  ASSERT_EQ(log.size(), 4u);
  double first = json_number(log.front(), "train_loss"),
         last = json_number(log.back(), "train_loss");
  EXPECT_LT(last, first * 0.8) << "train loss " << first << " -> " << last;
  double best = 0;
  for (const std::string& l : log) best = std::max(best, json_number(l, "test_top1"));
  EXPECT_GT(best, 30.0) << "chance is 10%";
  for (const char* f : {"last.safetensors", "best.safetensors", "curves.svg"})
    EXPECT_TRUE(fs::exists(teacher_dir() + "/" + f)) << f;
  std::string png = read_file(teacher_dir() + "/batch.png");
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n") << "--dump-batch writes a PNG";
  std::string svg = read_file(teacher_dir() + "/curves.svg");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("polyline"), std::string::npos);
}

TEST(E2E, DistillKdLsRunsAndItsLossFalls) {
  std::string out = fresh_dir("student");
  RunResult r = run({ZKD_DISTILL_BIN,
                     "--method",
                     "kd+ls",
                     "--teacher",
                     teacher_dir() + "/best.safetensors",
                     "--teacher-model",
                     kModel,
                     "--model",
                     kModel,
                     "--device",
                     "cpu",
                     "--data",
                     data_dir(),
                     "--num-classes",
                     "10",
                     "--batch-size",
                     "16",
                     "--epochs",
                     "3",
                     "--lr",
                     "0.01",
                     "--seed",
                     "5",
                     "--out",
                     out});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("kd+ls, T 2, lambda_ce 0.1, kd_weight 9"), std::string::npos) << r.output;
  std::vector<std::string> log = read_lines(out + "/log.jsonl");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_LT(json_number(log.back(), "train_loss"), json_number(log.front(), "train_loss"));
}

// A flag that contradicts the checkpoint's description is one line, not a list of shape mismatches.
TEST(E2E, WrongTeacherModelIsOneLine) {
  RunResult r = run({ZKD_DISTILL_BIN, "--teacher", teacher_dir(), "--teacher-model", "resnet8x4",
                     "--model", kModel, "--device", "cpu", "--data", data_dir(), "--epochs", "1",
                     "--out", fresh_dir("wrong_teacher")});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.output,
            "zkd-distill: checkpoint " + teacher_dir() +
                "/last.safetensors is resnet20 with 10 classes; --teacher-model says resnet8x4 "
                "(leave the flag out to use the checkpoint's)\n");
  RunResult e = run({ZKD_EVAL_BIN, "--checkpoint", teacher_dir() + "/best.safetensors",
                     "--num-classes", "100", "--device", "cpu", "--data", data_dir()});
  EXPECT_EQ(e.status, 1);
  EXPECT_NE(e.output.find("best.safetensors is resnet20 with 10 classes; --num-classes says 100"),
            std::string::npos)
      << e.output;
  EXPECT_EQ(std::count(e.output.begin(), e.output.end(), '\n'), 1) << e.output;
}

TEST(E2E, ResumeEqualsAnUninterruptedRunBitForBit) {
  std::string full = fresh_dir("full"), part = fresh_dir("part");
  ASSERT_EQ(run(train_args(full, 2)).status, 0);
  ASSERT_EQ(run(train_args(part, 1)).status, 0);
  RunResult r = run({ZKD_TRAIN_BIN, "--resume", part, "--epochs", "2"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(test::same_tensors(full + "/last.safetensors", part + "/last.safetensors"));
  EXPECT_EQ(read_lines(part + "/log.jsonl").size(), 2u);
}

TEST(E2E, DivergenceStopsAndKeepsTheLastGoodCheckpoint) {
  // Epoch 1 at a sane LR, then x1e7 from epoch 2 on: loss or weights blow up during epoch 2.
  std::string out = fresh_dir("nan");
  RunResult r = run(with(train_args(out, 3), {"--milestones", "1", "--gamma", "1e7"}));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("expected a finite"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("at epoch 2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("last good checkpoint is kept"), std::string::npos) << r.output;
  Generator g(0);
  auto model = nets::create(kModel, g, 10);
  SGD opt(model->parameters(), SgdArgs{});
  app::TrainState s = app::load_checkpoint(out + "/last.safetensors", *model, &opt);
  EXPECT_EQ(s.epoch, 1);
  EXPECT_TRUE(s.complete());
  for (auto& [name, v] : model->named_parameters())
    for (float x : v.data().to_vector<float>()) ASSERT_TRUE(std::isfinite(x)) << name;
  app::load_weights(out + "/best.safetensors", *model);
  for (auto& [name, v] : model->named_parameters())
    for (float x : v.data().to_vector<float>()) ASSERT_TRUE(std::isfinite(x)) << "best: " << name;
}

// Epoch 1 at a sane LR, then an LR that overflows float (0.05 x 1e300) from epoch 2 on: the loss
// of epoch 2's first step (computed before the update) is finite, the weights after it are not.
// The run stops as diverged at that step; last and best stay epoch 1's finite weights.
TEST(E2E, NonFiniteWeightsStopTheRunAndBestStaysFinite) {
  std::string out = fresh_dir("inf_weights");
  RunResult r = run(with(set_flag(train_args(out, 3), "--log-every", "1"),
                         {"--milestones", "1", "--gamma", "1e300"}));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("expected a finite weight after the step"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("at epoch 2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("diverged"), std::string::npos) << r.output;
  Generator g(0);
  auto model = nets::create(kModel, g, 10);
  SGD opt(model->parameters(), SgdArgs{});
  EXPECT_EQ(app::load_checkpoint(out + "/last.safetensors", *model, &opt).epoch, 1);
  app::load_weights(out + "/best.safetensors", *model);
  for (auto& [name, v] : model->named_parameters())
    for (float x : v.data().to_vector<float>()) ASSERT_TRUE(std::isfinite(x)) << "best: " << name;
}

TEST(E2E, SigintWritesALoadableCheckpoint) {
  std::string out = fresh_dir("sigint");
  RunResult r = run(train_args(out, 50), "step 2/");
  EXPECT_EQ(r.status, 130) << r.output;
  EXPECT_NE(r.output.find("checkpoint written"), std::string::npos) << r.output;
  Generator g(0);
  auto model = nets::create(kModel, g, 10);
  SGD opt(model->parameters(), SgdArgs{});
  app::TrainState s = app::load_checkpoint(out + "/last.safetensors", *model, &opt);
  EXPECT_GE(s.epoch, 1);
  EXPECT_GT(s.step, 0);
  RunResult resumed = run({ZKD_TRAIN_BIN, "--resume", out, "--epochs", std::to_string(s.epoch)});
  EXPECT_EQ(resumed.status, 0) << resumed.output;
}

TEST(E2E, EvalSavesLogitsAsNpy) {
  std::string npy = fresh_dir("eval") + "/logits.npy";
  RunResult r =
      run({ZKD_EVAL_BIN, "--model", kModel, "--checkpoint", teacher_dir() + "/best.safetensors",
           "--device", "cpu", "--data", data_dir(), "--num-classes", "10", "--save-logits", npy});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("100 test images  top-1"), std::string::npos) << r.output;
  std::string bytes = read_file(npy);
  ASSERT_GT(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  size_t hlen = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  EXPECT_EQ((10 + hlen) % 64, 0u);
  std::string header = bytes.substr(10, hlen);
  EXPECT_NE(header.find("'descr': '<f4'"), std::string::npos) << header;
  EXPECT_NE(header.find("'shape': (100, 10)"), std::string::npos) << header;
  EXPECT_EQ(bytes.size(), 10 + hlen + 100 * 10 * 4);
}

TEST(E2E, BenchPrintsItsTableOnTheCpu) {
  RunResult r = run({ZKD_BENCH_BIN, "--device", "cpu", "--train", "resnet20", "--kd",
                     "resnet20:resnet20", "--infer", "resnet20", "--batch-size", "4", "--warmup",
                     "1", "--steps", "2", "--repeats", "1"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("| case  | model"), std::string::npos) << r.output;
  for (const char* row :
       {"| train | resnet20", "| kd+ls | resnet20:resnet20", "| infer | resnet20"})
    EXPECT_NE(r.output.find(row), std::string::npos) << row << "\n" << r.output;
}

// --json: one row per case with the run's fields, sweep rows with their member count; the
// throughput is members x batch / step time.
TEST(E2E, BenchWritesJsonRowsWithSweepMembers) {
  std::string json = fresh_dir("bench_json") + "/bench.json";
  RunResult r = run({ZKD_BENCH_BIN,
                     "--device",
                     "cpu",
                     "--train",
                     "",
                     "--kd",
                     "",
                     "--infer",
                     "resnet20",
                     "--sweep",
                     "1,2",
                     "--sweep-pair",
                     "resnet20:resnet20",
                     "--batch-size",
                     "4",
                     "--warmup",
                     "1",
                     "--steps",
                     "2",
                     "--repeats",
                     "2",
                     "--json",
                     json});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("| sweep | resnet20:resnet20 x2"), std::string::npos) << r.output;
  nlohmann::json doc = nlohmann::json::parse(read_file(json));
  EXPECT_EQ(doc["device"], "cpu");
  EXPECT_EQ(doc["repeats"], 2);
  ASSERT_EQ(doc["rows"].size(), 3u) << doc.dump(1);
  const char* names[] = {"infer resnet20", "sweep resnet20:resnet20 x1",
                         "sweep resnet20:resnet20 x2"};
  for (size_t i = 0; i < 3; ++i) {
    const nlohmann::json& row = doc["rows"][i];
    EXPECT_EQ(row["name"], names[i]);
    EXPECT_EQ(row["impl"], "zkd");
    EXPECT_EQ(row["precision"], "fp32");
    EXPECT_EQ(row["layout"], "NCHW");
    EXPECT_EQ(row["graph"], false);
    EXPECT_EQ(row["batch"], 4);
    EXPECT_EQ(row["members"], i == 0 ? 1 : static_cast<int>(i));
    EXPECT_EQ(row["version"], doc["version"]);
    double ms = row["ms_per_step"];
    ASSERT_GT(ms, 0.0);
    EXPECT_NEAR(row["images_per_s"].get<double>(), row["members"].get<double>() * 4 / (ms * 1e-3),
                1e-9 * row["images_per_s"].get<double>());
  }
}

// --precision bf16 on zkd-bench (its JSON rows say bf16) and zkd-eval (within a point of fp32's
// top-1 on the 100 test images: bf16 rounding moves logits by ~1e-3 relative; measured on a
// real-data resnet20 checkpoint: the same top-1 on 500 test images, loss 2.0708 vs 2.0703).
TEST(E2E, BenchAndEvalTakeThePrecision) {
  std::string json = fresh_dir("bench_bf16") + "/bench.json";
  RunResult r = run({ZKD_BENCH_BIN, "--device", "cpu",         "--train", "resnet20",
                     "--kd",        "",         "--infer",     "",        "--batch-size",
                     "4",           "--warmup", "1",           "--steps", "1",
                     "--repeats",   "1",        "--precision", "bf16",    "--json",
                     json});
  ASSERT_EQ(r.status, 0) << r.output;
  nlohmann::json doc = nlohmann::json::parse(read_file(json));
  EXPECT_EQ(doc["precision"], "bf16");
  ASSERT_EQ(doc["rows"].size(), 1u) << doc.dump(1);
  EXPECT_EQ(doc["rows"][0]["precision"], "bf16");

  const std::vector<std::string> eval = {
      ZKD_EVAL_BIN, "--checkpoint", teacher_dir() + "/best.safetensors", "--device", "cpu",
      "--data",     data_dir()};
  RunResult f = run(eval), h = run(with(eval, {"--precision", "bf16"}));
  ASSERT_EQ(f.status, 0) << f.output;
  ASSERT_EQ(h.status, 0) << h.output;
  EXPECT_NE(h.output.find("100 test images (bf16)  top-1"), std::string::npos) << h.output;
  auto top1 = [](const std::string& out) { return std::stod(out.substr(out.find("top-1 ") + 6)); };
  EXPECT_NEAR(top1(h.output), top1(f.output), 1.0) << f.output << h.output;
  RunResult bad = run(with(eval, {"--precision", "half"}));
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.output.find("--precision expects one of fp32, bf16, got 'half'"), std::string::npos)
      << bad.output;
}

TEST(E2E, BenchRefusesAJsonPathInAMissingFolderBeforeTiming) {
  RunResult r = run({ZKD_BENCH_BIN, "--device", "cpu", "--json", "/nonexistent-zkd/b.json"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--json expects a file in an existing folder"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("| case"), std::string::npos) << r.output;
}

TEST(E2E, MissingDataPrintsTheFetchCommand) {
  RunResult r = run({ZKD_TRAIN_BIN, "--device", "cpu", "--data", fresh_dir("empty"), "--epochs",
                     "1", "--out", fresh_dir("nodata")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("zkd-data fetch"), std::string::npos) << r.output;
}

// ---- what a run leaves behind ----

// A tiny run: 2 train and 2 test images per class, so a few steps per epoch.
std::vector<std::string> tiny_args(int epochs) {
  return {ZKD_TRAIN_BIN,
          "--model",
          kModel,
          "--device",
          "cpu",
          "--data",
          data_dir(),
          "--num-classes",
          "10",
          "--train-per-class",
          "2",
          "--test-per-class",
          "2",
          "--batch-size",
          "16",
          "--epochs",
          std::to_string(epochs),
          "--lr",
          "0.01"};
}

TEST(E2E, ARunIsNeverOverwrittenWithoutBeingAsked) {
  std::string out = fresh_dir("keep");
  ASSERT_EQ(run(with(tiny_args(1), {"--out", out})).status, 0);
  const std::string log = read_file(out + "/log.jsonl");
  RunResult again = run(with(tiny_args(1), {"--out", out, "--seed", "3"}));
  EXPECT_EQ(again.status, 1) << again.output;
  EXPECT_NE(again.output.find("zkd-train: out: '" + out +
                              "' already holds a run (best.safetensors, "
                              "last.safetensors, log.jsonl); continue it with --resume " +
                              out + ", replace it with --overwrite, or choose another --out\n"),
            std::string::npos)
      << again.output;
  EXPECT_EQ(read_file(out + "/log.jsonl"), log) << "the old run is untouched";
  std::ofstream(out + "/notes.txt") << "mine";
  RunResult replaced = run(with(tiny_args(1), {"--out", out, "--seed", "3", "--overwrite"}));
  EXPECT_EQ(replaced.status, 0) << replaced.output;
  EXPECT_EQ(read_lines(out + "/log.jsonl").size(), 1u);
  EXPECT_TRUE(fs::exists(out + "/notes.txt")) << "--overwrite removes the run's files only";
  // --out naming a file is a clear error before any work.
  RunResult file = run(with(tiny_args(1), {"--out", out + "/notes.txt"}));
  EXPECT_EQ(file.status, 1);
  EXPECT_NE(file.output.find("expected a directory, got the file"), std::string::npos)
      << file.output;
}

// --overwrite removes only the files a run writes, by name, and only after the inputs are read;
// an input in the way of the run's files is refused (issue 25: the teacher and unrelated
// *.safetensors were deleted before the run failed).
TEST(E2E, OverwriteNeverRemovesAnInputOrAnotherFile) {
  const std::string d = fresh_dir("overwrite_inputs");
  const std::string teacher = read_file(teacher_dir() + "/best.safetensors");
  write_file_atomic(d + "/teacher.safetensors", teacher);
  write_file_atomic(d + "/other.safetensors", "not zkd's");
  write_file_atomic(d + "/notes.txt", "mine");
  std::vector<std::string> distill = tiny_args(1);
  distill[0] = ZKD_DISTILL_BIN;
  RunResult r =
      run(with(distill, {"--teacher", d + "/teacher.safetensors", "--out", d, "--overwrite"}));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_file(d + "/teacher.safetensors"), teacher);
  EXPECT_EQ(read_file(d + "/other.safetensors"), "not zkd's");
  EXPECT_EQ(read_file(d + "/notes.txt"), "mine");
  EXPECT_TRUE(fs::exists(d + "/last.safetensors")) << r.output;
  // The teacher's own run as --out: refused, its checkpoints untouched.
  const std::string last = read_file(d + "/last.safetensors");
  RunResult same = run(with(distill, {"--teacher", d, "--out", d, "--overwrite"}));
  EXPECT_EQ(same.status, 1) << same.output;
  EXPECT_NE(same.output.find("out: expected --out '" + d +
                             "' apart from the run's inputs, got one it would replace: '" + d +
                             "/last.safetensors'; choose another --out\n"),
            std::string::npos)
      << same.output;
  EXPECT_EQ(read_file(d + "/last.safetensors"), last);
  // A run file that is not a regular file (a FIFO) is refused, not waited on or replaced.
  const std::string f = fresh_dir("overwrite_fifo");
  ASSERT_EQ(mkfifo((f + "/log.jsonl").c_str(), 0600), 0) << std::strerror(errno);
  RunResult fifo = run(with(tiny_args(1), {"--out", f, "--overwrite"}));
  EXPECT_EQ(fifo.status, 1) << fifo.output;
  EXPECT_NE(fifo.output.find("expected '" + f +
                             "/log.jsonl' to be a regular file the run may replace, got a FIFO"),
            std::string::npos)
      << fifo.output;
}

// Output flags never name a checkpoint, a file of a run, an input or a device (issue 25:
// --dump-batch R/best.safetensors replaced the best checkpoint with a PNG; as root,
// --save-logits /dev/null replaced /dev/null).
TEST(E2E, OutputPathsNeverReplaceACheckpointAnInputOrADevice) {
  const std::string d = fresh_dir("output_paths");
  ASSERT_EQ(run(with(tiny_args(1), {"--out", d})).status, 0);
  const std::string best = read_file(d + "/best.safetensors");
  const std::string toml = read_file(d + "/config.toml"), cmd = read_file(d + "/command.txt");
  for (const std::string& target :
       {d + "/best.safetensors", d + "/log.jsonl", d + "/config.toml", d + "/command.txt"}) {
    RunResult r = run(with(tiny_args(2), {"--out", d, "--resume", d, "--dump-batch", target}));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find("--dump-batch: expected a path "), std::string::npos) << r.output;
  }
  RunResult toml_out = run({ZKD_EVAL_BIN, "--checkpoint", d + "/best.safetensors", "--device",
                            "cpu", "--data", data_dir(), "--save-logits", d + "/config.toml"});
  EXPECT_EQ(toml_out.status, 1) << toml_out.output;
  EXPECT_NE(toml_out.output.find("--save-logits: expected a path outside the run files of"),
            std::string::npos)
      << toml_out.output;
  EXPECT_EQ(read_file(d + "/best.safetensors"), best);
  EXPECT_EQ(read_lines(d + "/log.jsonl").size(), 1u);
  EXPECT_EQ(read_file(d + "/config.toml"), toml);
  EXPECT_EQ(read_file(d + "/command.txt"), cmd);
  RunResult dev = run({ZKD_EVAL_BIN, "--checkpoint", d + "/best.safetensors", "--device", "cpu",
                       "--data", data_dir(), "--save-logits", "/dev/null"});
  EXPECT_EQ(dev.status, 1) << dev.output;
  EXPECT_NE(dev.output.find("--save-logits: expected a new or regular file to write, got "
                            "'/dev/null' (a device)"),
            std::string::npos)
      << dev.output;
  write_file_atomic(d + "/weights.bin", best);
  RunResult input = run({ZKD_EVAL_BIN, "--checkpoint", d + "/weights.bin", "--device", "cpu",
                         "--data", data_dir(), "--save-logits", d + "/./weights.bin"});
  EXPECT_EQ(input.status, 1) << input.output;
  EXPECT_NE(input.output.find("--save-logits: expected a path apart from the run's inputs"),
            std::string::npos)
      << input.output;
  EXPECT_EQ(read_file(d + "/weights.bin"), best);
}

TEST(E2E, DefaultOutDependsOnModelMethodTeacherAndSeed) {
  std::string cwd = fresh_dir("default_out");
  ASSERT_EQ(run(tiny_args(1), "", cwd).status, 0);
  ASSERT_EQ(run(with(tiny_args(1), {"--seed", "1"}), "", cwd).status, 0);
  EXPECT_EQ(read_lines(cwd + "/runs/ce-resnet20-seed0/log.jsonl").size(), 1u);
  EXPECT_EQ(read_lines(cwd + "/runs/ce-resnet20-seed1/log.jsonl").size(), 1u);
  RunResult d = run({ZKD_DISTILL_BIN, "--teacher", cwd + "/runs/ce-resnet20-seed0", "--model",
                     kModel, "--device", "cpu", "--data", data_dir(), "--train-per-class", "2",
                     "--test-per-class", "2", "--epochs", "1"},
                    "", cwd);
  ASSERT_EQ(d.status, 0) << d.output;
  EXPECT_EQ(read_lines(cwd + "/runs/kd+ls-resnet20-resnet20-seed0/log.jsonl").size(), 1u)
      << d.output;
}

TEST(E2E, CheckpointsDescribeThemselves) {
  for (const char* f : {"best.safetensors", "last.safetensors"}) {
    SafetensorsFile st = load_safetensors(teacher_dir() + "/" + f);
    EXPECT_EQ(st.metadata["model"], kModel) << f;
    EXPECT_EQ(st.metadata["num_classes"], "10") << f;
    EXPECT_EQ(st.metadata["method"], "ce") << f;
    EXPECT_EQ(st.metadata["dataset"], "cifar100") << f;
    EXPECT_FALSE(st.metadata["zkd_version"].empty()) << f;
    EXPECT_GE(std::stod(st.metadata["top1"]), 0.0) << f;
    EXPECT_GE(std::stoi(st.metadata["epoch"]), 1) << f;
  }
  EXPECT_EQ(load_safetensors(teacher_dir() + "/last.safetensors").metadata["epoch"], "4");
}

TEST(E2E, EvalNeedsNoModelOrClassFlags) {
  RunResult r = run({ZKD_EVAL_BIN, "--checkpoint", teacher_dir() + "/best.safetensors", "--device",
                     "cpu", "--data", data_dir()});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(
      r.output.find("resnet20 " + teacher_dir() + "/best.safetensors: 100 test images  top-1"),
      std::string::npos)
      << r.output;
  // A file without a description (an older zkd, another tool): the flags say what it is.
  std::string bare = fresh_dir("bare") + "/weights.safetensors";
  save_safetensors(bare, load_safetensors(teacher_dir() + "/best.safetensors").tensors);
  RunResult no_flags =
      run({ZKD_EVAL_BIN, "--checkpoint", bare, "--device", "cpu", "--data", data_dir()});
  EXPECT_EQ(no_flags.status, 1);
  EXPECT_NE(no_flags.output.find("expected the file to say its model, got none"), std::string::npos)
      << no_flags.output;
  RunResult flags = run({ZKD_EVAL_BIN, "--checkpoint", bare, "--model", kModel, "--num-classes",
                         "10", "--device", "cpu", "--data", data_dir()});
  EXPECT_EQ(flags.status, 0) << flags.output;
  EXPECT_NE(flags.output.find("100 test images  top-1"), std::string::npos) << flags.output;
}

// A file without a description: a wrong class count is named with the flag that fixes it, and a
// non-finite weight is refused before anything is evaluated.
TEST(E2E, BareCheckpointClassCountAndNonFiniteWeights) {
  NamedTensors t = load_safetensors(teacher_dir() + "/best.safetensors").tensors;
  std::string bare = fresh_dir("bare_classes") + "/weights.safetensors";
  save_safetensors(bare, t);
  RunResult classes = run({ZKD_EVAL_BIN, "--checkpoint", bare, "--model", kModel, "--device", "cpu",
                           "--data", data_dir()});
  EXPECT_EQ(classes.status, 1) << classes.output;
  EXPECT_NE(classes.output.find("got one with 10 classes ([10, 64]); give --num-classes 10"),
            std::string::npos)
      << classes.output;
  EXPECT_EQ(std::count(classes.output.begin(), classes.output.end(), '\n'), 1) << classes.output;
  for (auto& [name, v] : t)
    if (name == "fc.bias") v = full(v.shape(), std::nan(""), v.dtype());
  save_safetensors(bare, t);
  RunResult nan = run({ZKD_EVAL_BIN, "--checkpoint", bare, "--model", kModel, "--num-classes", "10",
                       "--device", "cpu", "--data", data_dir()});
  EXPECT_EQ(nan.status, 1) << nan.output;
  EXPECT_NE(nan.output.find("expected finite values, got nan in 'fc.bias' at index 0"),
            std::string::npos)
      << nan.output;
}

// The README's --print-config -> --config example: derived values (out, the paper's weights) are
// commented out, so another seed gets its own run directory.
TEST(E2E, PrintConfigReadsBackForAnotherSeed) {
  std::string file = fresh_dir("print_config") + "/dkd.toml";
  RunResult p =
      run({ZKD_DISTILL_BIN, "--method", "dkd+ls", "--model", "resnet8x4", "--print-config"});
  ASSERT_EQ(p.status, 0) << p.output;
  write_file_atomic(file, p.output);
  EXPECT_NE(p.output.find("\nmethod = \"dkd+ls\""), std::string::npos) << p.output;
  EXPECT_NE(p.output.find("\n# out = \"runs/dkd+ls-resnet32x4-resnet8x4-seed0\""),
            std::string::npos)
      << p.output;
  EXPECT_NE(p.output.find("\n# kd_weight = 9"), std::string::npos) << p.output;
  RunResult q = run({ZKD_DISTILL_BIN, "--config", file, "--seed", "1", "--print-config"});
  ASSERT_EQ(q.status, 0) << q.output;
  EXPECT_NE(q.output.find("\n# out = \"runs/dkd+ls-resnet32x4-resnet8x4-seed1\""),
            std::string::npos)
      << q.output;
  EXPECT_NE(line_with(q.output, "dkd_beta = 8").find("paper: DKD+LS"), std::string::npos)
      << q.output;
}

TEST(E2E, ConfigMustBeARegularFile) {
  std::string fifo = fresh_dir("config_fifo") + "/settings.toml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  RunResult r = run({ZKD_TRAIN_BIN, "--config", fifo, "--print-config"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--config expects a TOML file of settings, got '" + fifo + "' (a FIFO)"),
            std::string::npos)
      << r.output;
}

// Issue 25: a config file's [section] was dropped (epochs = 3 under [optimization] trained 240
// epochs) and --lr 0x10 was read as 16.
TEST(E2E, ConfigSectionsAndHexNumbersAreRefused) {
  const std::string toml = fresh_dir("config_section") + "/settings.toml";
  write_file_atomic(toml, "[optimization]\nepochs = 3\n");
  RunResult r = run({ZKD_TRAIN_BIN, "--config", toml, "--print-config"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--config: expected top-level settings (no [sections] or dotted keys), "
                          "got the section [optimization]"),
            std::string::npos)
      << r.output;
  RunResult hex = run({ZKD_TRAIN_BIN, "--lr", "0x10", "--print-config"});
  EXPECT_EQ(hex.status, 2) << hex.output;
  EXPECT_NE(hex.output.find("--lr expects a finite number"), std::string::npos) << hex.output;
}

// Issue 25: a hand edit of config.toml was ignored and overwritten on --resume.
TEST(E2E, ResumeRefusesAHandEditedConfigToml) {
  const std::string d = fresh_dir("edited_config");
  ASSERT_EQ(run(with(tiny_args(1), {"--out", d})).status, 0);
  std::string toml = read_file(d + "/config.toml");
  const size_t at = toml.find("\nmomentum = ");
  ASSERT_NE(at, std::string::npos) << toml;
  toml.replace(at, toml.find('\n', at + 1) - at, "\nmomentum = 0.5");
  write_file_atomic(d + "/config.toml", toml);
  RunResult r = run({ZKD_TRAIN_BIN, "--resume", d, "--epochs", "2"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--resume " + d + ": expected " + d +
                          "/config.toml to hold the checkpoint's settings, got momentum = 0.5 "
                          "(the checkpoint has 0.9)"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(read_file(d + "/config.toml"), toml) << "not overwritten";
}

TEST(E2E, ResumingAFinishedRunSaysHowToExtendIt) {
  std::string out = fresh_dir("finished");
  ASSERT_EQ(run(with(train_args(out, 1), {"--train-per-class", "4"})).status, 0);
  std::string before = read_file(out + "/config.toml");
  RunResult r = run({ZKD_TRAIN_BIN, "--resume", out});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(
      r.output.find("that has finished 1 epochs and --epochs 1; to train it longer: --resume " +
                    out + " --epochs 2"),
      std::string::npos)
      << r.output;
  EXPECT_EQ(read_file(out + "/config.toml"), before) << "a refused resume rewrites nothing";
}

// Issue 25: a run directory left without last.safetensors (a full disk or a kill before the
// first checkpoint: best.safetensors, log.jsonl and config.toml remain) is one line naming what
// is missing and the command that starts it again, which works; nothing is changed meanwhile.
TEST(E2E, ResumeWithoutTheLastCheckpointSaysHowToStartAgain) {
  const std::string d = fresh_dir("no_last");
  ASSERT_EQ(run(with(tiny_args(1), {"--out", d})).status, 0);
  ASSERT_TRUE(fs::remove(d + "/last.safetensors"));
  const std::string best = read_file(d + "/best.safetensors"), log = read_file(d + "/log.jsonl");
  for (const char* bin : {ZKD_TRAIN_BIN, ZKD_DISTILL_BIN}) {
    RunResult r = run({bin, "--resume", d});
    const std::string prog = fs::path(bin).filename().string();
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find(prog + ": --resume " + d + ": expected " + d +
                            "/last.safetensors (the run's last checkpoint), got none: the run "
                            "stopped before its first checkpoint and there is nothing to resume; "
                            "start it again with " +
                            prog + " --config " + d + "/config.toml --out " + d + " --overwrite"),
              std::string::npos)
        << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one line: " << r.output;
  }
  EXPECT_EQ(read_file(d + "/best.safetensors"), best);
  EXPECT_EQ(read_file(d + "/log.jsonl"), log);
  RunResult again = run({ZKD_TRAIN_BIN, "--config", d + "/config.toml", "--out", d, "--overwrite"});
  EXPECT_EQ(again.status, 0) << "the suggested command: " << again.output;
  EXPECT_TRUE(fs::exists(d + "/last.safetensors"));
  EXPECT_EQ(read_lines(d + "/log.jsonl").size(), 1u);

  fs::remove(d + "/last.safetensors");
  fs::remove(d + "/config.toml");
  RunResult none = run({ZKD_TRAIN_BIN, "--resume", d});
  EXPECT_EQ(none.status, 1) << none.output;
  EXPECT_NE(none.output.find("got a directory without it or config.toml (not a zkd run)"),
            std::string::npos)
      << none.output;
  RunResult file = run({ZKD_TRAIN_BIN, "--resume", d + "/log.jsonl"});
  EXPECT_NE(file.output.find("expected a run directory holding last.safetensors, got a regular "
                             "file"),
            std::string::npos)
      << file.output;
}

// Issue 25: the checkpoint format tag. --resume needs zkd's tag (a file without it is plain
// weights); zkd-eval reads plain weights by parameter name.
TEST(E2E, ResumeNeedsTheFormatTagAndEvalTakesPlainWeights) {
  const std::string d = fresh_dir("format_tag");
  ASSERT_EQ(run(with(tiny_args(1), {"--out", d})).status, 0);
  SafetensorsFile f = load_safetensors(d + "/last.safetensors");
  f.metadata.erase("format");
  save_safetensors(d + "/last.safetensors", f.tensors, f.metadata);
  RunResult r = run({ZKD_TRAIN_BIN, "--resume", d, "--epochs", "2"});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("checkpoint '" + d +
                          "/last.safetensors': expected a zkd training "
                          "checkpoint (metadata 'format' = 'zkd-checkpoint-1'), got a file "
                          "without it"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(read_lines(d + "/log.jsonl").size(), 1u) << "nothing written";
  RunResult e = run({ZKD_EVAL_BIN, "--checkpoint", d + "/last.safetensors", "--device", "cpu",
                     "--data", data_dir(), "--test-per-class", "2"});
  EXPECT_EQ(e.status, 0) << "plain weights, by parameter name: " << e.output;
}

// Issue 25: --config is read once through the one input reader; a directory or /dev/zero is one
// line at once (never read, never waited on), given twice is refused.
TEST(E2E, ConfigThatIsADirectoryOrADeviceOrGivenTwiceIsOneLine) {
  const std::string dir = fresh_dir("config_kinds");
  for (const auto& [path, kind] : std::vector<std::pair<std::string, std::string>>{
           {dir, "a directory"}, {"/dev/zero", "a device"}}) {
    RunResult r = run({ZKD_TRAIN_BIN, "--config", path, "--print-config"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("--config expects a TOML file of settings, got '" + path + "' (" +
                            kind + ")"),
              std::string::npos)
        << r.output;
  }
  const std::string toml = dir + "/a.toml";
  write_file_atomic(toml, "epochs = 2\n");
  RunResult twice = run({ZKD_TRAIN_BIN, "--config", toml, "--config=" + toml, "--print-config"});
  EXPECT_EQ(twice.status, 2) << twice.output;
  EXPECT_NE(twice.output.find("--config given twice"), std::string::npos) << twice.output;
}

// Issue 25: a list setting repeated in a config file was joined ([1, 2] then [3] -> [1, 2, 3])
// and a flag repeated on the command line joined (lists) or kept its last value; both refused.
TEST(E2E, RepeatedSettingsInAConfigFileOrOnTheCommandLineAreRefused) {
  const std::string toml = fresh_dir("config_repeat") + "/settings.toml";
  write_file_atomic(toml, "milestones = [1, 2]\nmilestones = [3]\n");
  RunResult r = run({ZKD_TRAIN_BIN, "--config", toml, "--print-config"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(
      r.output.find("--config: expected each setting once, got 'milestones' on lines 1 and 2"),
      std::string::npos)
      << r.output;
  RunResult list = run({ZKD_TRAIN_BIN, "--milestones", "1", "--milestones", "2", "--print-config"});
  EXPECT_EQ(list.status, 2) << list.output;
  EXPECT_NE(list.output.find("--milestones given 2 times; expected it once (a list is one "
                             "comma-separated value, e.g. --milestones 150,180,210)"),
            std::string::npos)
      << list.output;
  RunResult lr = run({ZKD_TRAIN_BIN, "--lr", "0.1", "--lr=0.2", "--print-config"});
  EXPECT_EQ(lr.status, 2) << lr.output;
  EXPECT_NE(lr.output.find("--lr given 2 times; expected it once"), std::string::npos) << lr.output;
}

TEST(E2E, TeacherDirectoryMeansItsLastEpoch) {
  std::string out = fresh_dir("from_last"), out_best = fresh_dir("from_best");
  std::vector<std::string> args = {ZKD_DISTILL_BIN,
                                   "--teacher",
                                   teacher_dir(),
                                   "--model",
                                   kModel,
                                   "--device",
                                   "cpu",
                                   "--data",
                                   data_dir(),
                                   "--train-per-class",
                                   "2",
                                   "--test-per-class",
                                   "2",
                                   "--epochs",
                                   "1"};
  RunResult r = run(with(args, {"--out", out}));
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string last = teacher_dir() + "/last.safetensors";
  EXPECT_NE(r.output.find("teacher resnet20 from " + last + " (epoch 4, test top-1"),
            std::string::npos)
      << r.output;
  SafetensorsFile st = load_safetensors(out + "/last.safetensors");
  EXPECT_EQ(st.metadata["teacher_checkpoint"], last);
  EXPECT_EQ(st.metadata["teacher_model"], kModel);
  EXPECT_EQ(st.metadata["num_classes"], "10") << "the class count comes from the teacher";
  EXPECT_NE(st.metadata["config"].find("\"teacher\":\"" + last + "\""), std::string::npos)
      << st.metadata["config"];
  RunResult b = run(with(args, {"--out", out_best, "--teacher-pick", "best"}));
  ASSERT_EQ(b.status, 0) << b.output;
  EXPECT_EQ(load_safetensors(out_best + "/best.safetensors").metadata["teacher_checkpoint"],
            teacher_dir() + "/best.safetensors");
}

// A small run (15 steps of batch 4 per epoch, 2 epochs) into out, with `more` flags (the later
// --batch-size wins).
std::vector<std::string> small_run_args(const std::string& out,
                                        const std::vector<std::string>& more = {}) {
  return with(with(set_flag(train_args(out, 2), "--batch-size", "4"),
                   {"--train-per-class", "6", "--test-per-class", "2"}),
              more);
}

// Every number of every log line of run a equals run b's.
void expect_same_logs(const std::string& a_dir, const std::string& b_dir) {
  std::vector<std::string> a = read_lines(a_dir + "/log.jsonl"),
                           b = read_lines(b_dir + "/log.jsonl");
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  for (size_t i = 0; i < a.size(); ++i)
    for (const char* k :
         {"epoch", "train_loss", "train_acc", "test_loss", "test_top1", "test_top5", "lr"})
      EXPECT_EQ(json_number(a[i], k), json_number(b[i], k)) << k << " of epoch " << i + 1;
}

// Interrupted mid-epoch in `full`'s settings and resumed into `part`: the same logs and weights.
void expect_exact_resume(const std::string& full, const std::string& part,
                         const std::vector<std::string>& more) {
  RunResult cut = run(small_run_args(part, more), "step 2/");
  ASSERT_EQ(cut.status, 130) << cut.output;
  SafetensorsFile mid = load_safetensors(part + "/last.safetensors");
  ASSERT_EQ(mid.metadata["epoch"], "1");
  ASSERT_NE(mid.metadata["step"], mid.metadata["steps_per_epoch"])
      << "the interruption is mid-epoch";
  ASSERT_NE(mid.metadata["epoch_images"], "0");
  RunResult resumed = run({ZKD_TRAIN_BIN, "--resume", part});
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  expect_same_logs(full, part);
  EXPECT_TRUE(test::same_tensors(full + "/last.safetensors", part + "/last.safetensors"));
}

// Interrupted mid-epoch and resumed: every log line equals the uninterrupted run's (the running
// sums of the epoch travel in the checkpoint), and so do the weights.
TEST(E2E, ResumedEpochLogsAsTheUninterruptedRun) {
  std::string full = fresh_dir("sums_full"), part = fresh_dir("sums_part");
  ASSERT_EQ(run(small_run_args(full)).status, 0);
  expect_exact_resume(full, part, {});
}

// --precision bf16 (docs/precision.md): recorded in config.toml and the checkpoint's config; an
// interrupted and resumed bf16 run equals the uninterrupted one bit for bit, which also shows that
// the same seed and thread count give the same bf16 run (the two processes computed the steps
// before the interruption independently); and the numbers differ from fp32's (the setting applies).
TEST(E2E, Bf16RunIsRepeatableResumesExactlyAndIsRecorded) {
  const std::vector<std::string> bf16 = {"--precision", "bf16"};  // threads: all cores, each run
  std::string a = fresh_dir("bf16_a"), part = fresh_dir("bf16_part"), f32 = fresh_dir("bf16_fp32");
  RunResult ra = run(small_run_args(a, bf16));
  ASSERT_EQ(ra.status, 0) << ra.output;
  EXPECT_NE(ra.output.find(" in bf16:"), std::string::npos) << ra.output;
  EXPECT_NE(read_file(a + "/config.toml").find("precision = \"bf16\""), std::string::npos);
  EXPECT_EQ(app::TrainConfig::from_json(
                load_safetensors(a + "/last.safetensors").metadata["config"], "checkpoint")
                .precision,
            "bf16");
  expect_exact_resume(a, part, bf16);

  ASSERT_EQ(run(small_run_args(f32)).status, 0);
  EXPECT_NE(json_number(read_lines(a + "/log.jsonl")[0], "train_loss"),
            json_number(read_lines(f32 + "/log.jsonl")[0], "train_loss"))
      << "bf16 gave fp32's numbers: the setting did not apply";
  EXPECT_NE(read_file(f32 + "/config.toml").find("precision = \"fp32\""), std::string::npos);
  // The checkpoints hold float32 master weights: a bf16 run may continue in fp32 (resumable).
  RunResult p =
      run({ZKD_TRAIN_BIN, "--resume", a, "--epochs", "3", "--precision", "fp32", "--print-config"});
  ASSERT_EQ(p.status, 0) << p.output;
  EXPECT_NE(line_with(p.output, "precision = \"fp32\"").find("changed on resume"),
            std::string::npos)
      << p.output;
  RunResult bad = run(small_run_args(fresh_dir("bf16_bad"), {"--precision", "fp16"}));
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.output.find("--precision expects one of fp32, bf16, got 'fp16'"), std::string::npos)
      << bad.output;
}

TEST(E2E, LogCsvHasTheLogsColumns) {
  std::vector<std::string> csv = read_lines(teacher_dir() + "/log.csv");
  std::vector<std::string> jsonl = read_lines(teacher_dir() + "/log.jsonl");
  ASSERT_EQ(csv.size(), 5u);
  EXPECT_EQ(csv[0],
            "epoch,train_loss,train_acc,test_loss,test_top1,test_top5,lr,seconds,images_per_s,"
            "rss_mb");
  for (size_t i = 1; i < csv.size(); ++i) {
    std::vector<double> v;
    std::stringstream ss(csv[i]);
    for (std::string cell; std::getline(ss, cell, ',');) v.push_back(std::stod(cell));
    ASSERT_EQ(v.size(), 10u) << csv[i];
    EXPECT_EQ(v[9], json_number(jsonl[i - 1], "rss_mb")) << "memory per epoch (docs/memory.md)";
    EXPECT_EQ(v[0], static_cast<double>(i));
    EXPECT_EQ(v[1], json_number(jsonl[i - 1], "train_loss"))
        << "the same number, to the last digit";
    EXPECT_EQ(v[4], json_number(jsonl[i - 1], "test_top1"));
  }
  std::string png = read_file(teacher_dir() + "/curves.png");
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
}

TEST(E2E, ProgressIsPlainLinesWhenNotATerminal) {
  RunResult r = run(with(tiny_args(1), {"--out", fresh_dir("plain"), "--log-every", "1"}));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.find('\r'), std::string::npos);
  EXPECT_NE(r.output.find("evaluating on 20 test images"), std::string::npos) << r.output;
  std::stringstream ss(r.output);
  for (std::string line; std::getline(ss, line);)
    if (line.rfind("epoch ", 0) == 0) {
      EXPECT_LE(line.size(), 80u) << line;
    }
}

// --- The command line and settings (issue 14 items 3-4, issue 16 item 3) ---

TEST(E2E, UsageErrorIsOneLineAndExit2) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--epochs", "99999999999999999999"},
        {"--epochs", "0"},
        {"--seed", "-1"},
        {"--lr", "inf"},
        {"--batch-size", "1e3"},
        {"--no-such-flag"},
        {"stray"}}) {
    args.insert(args.begin(), ZKD_TRAIN_BIN);
    RunResult r = run(args);
    EXPECT_EQ(r.status, 2) << args[1] << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_EQ(r.output.rfind("zkd-train: ", 0), 0u) << r.output;
    EXPECT_NE(r.output.find("; see " + std::string(ZKD_TRAIN_BIN) + " --help"), std::string::npos)
        << r.output;
  }
  EXPECT_NE(
      run({ZKD_TRAIN_BIN, "--epochs", "99999999999999999999"})
          .output.find("--epochs expects an integer in [1, 100000], got '99999999999999999999'"),
      std::string::npos);
}

TEST(E2E, HelpAndVersion) {
  RunResult h = run({ZKD_DISTILL_BIN, "-h"});
  EXPECT_EQ(h.status, 0);
  for (const char* want :
       {"--epochs EPOCHS", "--kd-weight FLOAT", "distillation:", "optimization:", "data:",
        "output:", "device:", "Examples:", "./build/apps/zkd-distill --preset quick"})
    EXPECT_NE(h.output.find(want), std::string::npos) << want << "\n" << h.output;
  RunResult v = run({ZKD_TRAIN_BIN, "--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.output.rfind("zkd 0.", 0), 0u) << v.output;
}

TEST(E2E, DidYouMeanForAFlagAndAModelName) {
  RunResult flag = run({ZKD_TRAIN_BIN, "--modle", "resnet8x4"});
  EXPECT_EQ(flag.status, 2);
  EXPECT_NE(flag.output.find("unknown flag --modle (did you mean --model?)"), std::string::npos)
      << flag.output;
  RunResult model = run({ZKD_TRAIN_BIN, "--model", "shufflev3"});
  EXPECT_EQ(model.status, 2);
  EXPECT_NE(model.output.find("got 'shufflev3' (did you mean ShuffleV2?)"), std::string::npos)
      << model.output;
  RunResult any_case = run({ZKD_TRAIN_BIN, "--model", "shufflev2", "--print-config"});
  EXPECT_EQ(any_case.status, 0) << any_case.output;
  EXPECT_NE(any_case.output.find("model = \"ShuffleV2\""), std::string::npos) << any_case.output;
  EXPECT_NE(
      line_with(any_case.output, "lr = 0.01").find("paper: LR 0.01 for MobileNetV2 / ShuffleNet"),
      std::string::npos)
      << any_case.output;
  RunResult renamed = run({ZKD_DISTILL_BIN, "--method", "dkd", "--lambda-kd", "2"});
  EXPECT_EQ(renamed.status, 2);
  EXPECT_NE(renamed.output.find("--lambda-kd was replaced: use --kd-weight"), std::string::npos)
      << renamed.output;
}

TEST(E2E, DkdFlagsFollowTheOfficialKdWeightSemantics) {
  // The paper's DKD+LS defaults for resnet32x4 -> resnet8x4: T 2, kd_weight 9, BETA 8 -> alpha 9,
  // beta 72.
  RunResult d = run({ZKD_DISTILL_BIN, "--method", "dkd+ls", "--teacher-model", "resnet32x4",
                     "--model", "resnet8x4", "--print-config"});
  ASSERT_EQ(d.status, 0) << d.output;
  EXPECT_NE(line_with(d.output, "kd_weight = 9")
                .find("paper: DKD+LS, appendix A.2 for resnet32x4 -> resnet8x4"),
            std::string::npos)
      << d.output;
  EXPECT_NE(line_with(d.output, "dkd_beta = 8").find("paper: DKD+LS"), std::string::npos)
      << d.output;
  EXPECT_NE(d.output.find("alpha = kd_weight = 9, beta = dkd_beta x kd_weight = 72"),
            std::string::npos)
      << d.output;
  // Given on the command line: alpha = kd_weight, beta = dkd_beta x kd_weight.
  RunResult g = run({ZKD_DISTILL_BIN, "--method", "dkd+ls", "--kd-weight", "2", "--dkd-beta", "3",
                     "--print-config"});
  ASSERT_EQ(g.status, 0) << g.output;
  EXPECT_NE(line_with(g.output, "kd_weight = 2").find("command line"), std::string::npos)
      << g.output;
  EXPECT_NE(g.output.find("alpha = kd_weight = 2, beta = dkd_beta x kd_weight = 6"),
            std::string::npos)
      << g.output;
  // What the trainer uses.
  app::TrainConfig c = app::default_config(true);
  c.method = app::Method::parse("dkd+ls"), c.kd_weight = 2, c.dkd_beta = 3,
  c.dkd_warmup_epochs = 20;
  KdLossArgs a = app::loss_args_at(c, 5);
  EXPECT_EQ(a.alpha, 2.0f);
  EXPECT_EQ(a.beta, 6.0f);
  EXPECT_EQ(a.warmup, 0.25f);
  c.method = app::Method::parse("kd+ls");
  EXPECT_EQ(app::loss_args_at(c, 5).lambda_kd, 2.0f);
  // DKD-only flags are refused for KD methods instead of being ignored.
  RunResult k = run({ZKD_DISTILL_BIN, "--method", "kd+ls", "--dkd-beta", "3", "--print-config"});
  EXPECT_EQ(k.status, 2);
  EXPECT_NE(k.output.find("--dkd-beta applies to --method dkd and dkd+ls only"), std::string::npos)
      << k.output;
}

TEST(E2E, ConfigFileWithACommandLineOverride) {
  std::string dir = fresh_dir("config"), out = dir + "/run", toml = dir + "/settings.toml";
  write_file_atomic(
      toml,
      "# a config file\nmodel = \"resnet20\"\nepochs = 3\nbatch_size = 16\nlr = 0.01\n"
      "num_classes = 10\ndevice = \"cpu\"\ndata = \"" +
          data_dir() + "\"\nout = \"" + out + "\"\n");
  RunResult p = run({ZKD_TRAIN_BIN, "--config", toml, "--epochs", "1", "--print-config"});
  ASSERT_EQ(p.status, 0) << p.output;
  EXPECT_NE(line_with(p.output, "epochs = 1").find("command line"), std::string::npos) << p.output;
  EXPECT_NE(line_with(p.output, "lr = 0.01").find("config file " + toml), std::string::npos)
      << p.output;
  EXPECT_NE(line_with(p.output, "momentum = 0.9").find("default"), std::string::npos) << p.output;

  RunResult r = run({ZKD_TRAIN_BIN, "--config", toml, "--epochs", "1"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_lines(out + "/log.jsonl").size(), 1u) << "the command line's --epochs 1 wins";
  // The run directory records the resolved settings (readable as --config), command line and
  // version.
  std::string saved = read_file(out + "/config.toml");
  EXPECT_NE(saved.find("\nepochs = 1\n"), std::string::npos) << saved;
  EXPECT_NE(saved.find("\nlr = 0.01\n"), std::string::npos) << saved;
  std::string cmd = read_file(out + "/command.txt");
  EXPECT_NE(cmd.find("zkd 0."), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("--config " + toml + " --epochs 1"), std::string::npos) << cmd;
  RunResult again = run({ZKD_TRAIN_BIN, "--config", out + "/config.toml", "--print-config"});
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_NE(line_with(again.output, "lr = 0.01").find("config file"), std::string::npos)
      << again.output;

  // A misspelt key is an error with a suggestion, not ignored.
  write_file_atomic(toml, "epohcs = 3\n");
  RunResult bad = run({ZKD_TRAIN_BIN, "--config", toml});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.output.find("unknown setting 'epohcs' in the config file (did you mean epochs?)"),
            std::string::npos)
      << bad.output;
}

TEST(E2E, ResumeRefusesAConflictingFlagAndAppliesEpochs) {
  std::string out = fresh_dir("resume_flags");
  ASSERT_EQ(run(train_args(out, 1)).status, 0);
  RunResult conflict = run({ZKD_TRAIN_BIN, "--resume", out, "--lr", "0.1", "--epochs", "2"});
  EXPECT_EQ(conflict.status, 2) << conflict.output;
  EXPECT_NE(conflict.output.find("refusing to change --lr 0.1 (the run has 0.01)"),
            std::string::npos)
      << conflict.output;
  EXPECT_EQ(read_lines(out + "/log.jsonl").size(), 1u) << "nothing ran";
  RunResult same =
      run({ZKD_TRAIN_BIN, "--resume", out, "--lr", "0.01", "--epochs", "2", "--print-config"});
  ASSERT_EQ(same.status, 0) << same.output;
  EXPECT_NE(line_with(same.output, "epochs = 2").find("changed on resume"), std::string::npos)
      << same.output;
  RunResult r = run({ZKD_TRAIN_BIN, "--resume", out, "--epochs", "2"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("changed: --epochs 1 -> 2"), std::string::npos) << r.output;
  EXPECT_EQ(read_lines(out + "/log.jsonl").size(), 2u);
}

TEST(E2E, PresetQuickRefusesFlagsItWouldIgnore) {
  RunResult r = run({ZKD_DISTILL_BIN, "--preset", "quick", "--model", "resnet8x4"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(
      r.output.find(
          "takes only --out, --device, --data, --seed, --threads and --overwrite, got --model"),
      std::string::npos)
      << r.output;
}

TEST(E2E, OutUnderAFileIsOneLineAndExit1) {
  std::string file = fresh_dir("outfile") + "/file";
  write_file_atomic(file, "x");
  for (const std::string& out : {file + "/run", file}) {
    RunResult r = run(with(train_args(out, 1), {}));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_EQ(r.output.rfind("zkd-train: --out: ", 0), 0u) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
}

// Trial of issue 16: a FIFO as --classes made zkd-predict wait forever, and a folder was "an empty
// file" (with the program name twice). Both are one line now, before any image is read.
TEST(E2E, PredictClassesMustBeARegularFile) {
  std::string dir = fresh_dir("predict_classes"), fifo = dir + "/names.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  for (const std::string& classes : {fifo, dir}) {
    RunResult r = run({ZKD_PREDICT_BIN, "--checkpoint", teacher_dir() + "/best.safetensors",
                       "--device", "cpu", "--classes", classes, dir + "/cat.png"});
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_EQ(
        r.output.rfind(
            "zkd-predict: --classes: expected a regular file at '" + classes + "', got a ", 0),
        0u)
        << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
}

TEST(E2E, SavedConfigOutOfRangeIsAClearError) {
  for (const char* bad :
       {R"({"milestones": [1e300]})", R"({"epochs": 1e999})", R"({"seed": "abc"})",
        R"({"epochs": 99999999999999999999})", R"({"lr": -1})", R"({"no_such": 1})", "{"})
    EXPECT_THROW(app::TrainConfig::from_json(bad, "test"), Error) << bad;
  // Through --resume: a checkpoint whose saved seed is "abc".
  std::string out = fresh_dir("bad_meta");
  ASSERT_EQ(run(train_args(out, 1)).status, 0);
  SafetensorsFile f = load_safetensors(out + "/last.safetensors");
  std::string cfg = f.metadata["config"];
  size_t at = cfg.find("\"seed\":");
  ASSERT_NE(at, std::string::npos) << cfg;
  cfg = cfg.substr(0, at) + "\"seed\":\"abc\"" + cfg.substr(cfg.find_first_of(",}", at));
  f.metadata["config"] = cfg;
  save_safetensors(out + "/last.safetensors", f.tensors, f.metadata);
  RunResult r = run({ZKD_TRAIN_BIN, "--resume", out});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("expected 'seed' as an integer in [0, 2^64 - 1], got \"abc\""),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace zkd::e2e
