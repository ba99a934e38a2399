// End-to-end tests of zkd-train, zkd-distill, zkd-eval and zkd-bench on the CPU with a tiny
// synthetic data set: learning happens, distillation runs, resume is exact, a diverging run stops
// and keeps its last good checkpoint, SIGINT writes a loadable checkpoint, logits are saved as
// .npy, and the benchmark prints its table.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "apps/common/checkpoint.h"
#include "engine/io/atomic_file.h"
#include "engine/io/safetensors.h"
#include "nets/registry.h"
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
  return {ZKD_TRAIN_BIN, "--model", kModel, "--device", "cpu", "--data", data_dir(),
          "--num-classes", "10", "--batch-size", "16", "--epochs", std::to_string(epochs),
          "--lr", "0.01", "--out", out, "--log-every", "2"};
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& more) {
  a.insert(a.end(), more.begin(), more.end());
  return a;
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
  double first = json_number(log.front(), "train_loss"), last = json_number(log.back(), "train_loss");
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
  RunResult r = run({ZKD_DISTILL_BIN, "--method", "kd+ls", "--teacher", teacher_dir() + "/best.safetensors",
                     "--teacher-model", kModel, "--model", kModel, "--device", "cpu", "--data", data_dir(),
                     "--num-classes", "10", "--batch-size", "16", "--epochs", "3", "--lr", "0.01",
                     "--seed", "5", "--out", out});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("kd+ls, T 2, lambda_ce 0.1, lambda_kd 9"), std::string::npos) << r.output;
  std::vector<std::string> log = read_lines(out + "/log.jsonl");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_LT(json_number(log.back(), "train_loss"), json_number(log.front(), "train_loss"));
}

TEST(E2E, WrongTeacherModelListsTheMismatches) {
  RunResult r = run({ZKD_DISTILL_BIN, "--teacher", teacher_dir() + "/best.safetensors", "--teacher-model",
                     "resnet8x4", "--model", kModel, "--device", "cpu", "--data", data_dir(),
                     "--num-classes", "10", "--epochs", "1", "--out", fresh_dir("wrong_teacher")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("mismatch(es)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("missing 'layer1.0.downsample.0.weight'"), std::string::npos) << r.output;
}

TEST(E2E, ResumeEqualsAnUninterruptedRunBitForBit) {
  std::string full = fresh_dir("full"), part = fresh_dir("part");
  ASSERT_EQ(run(train_args(full, 2)).status, 0);
  ASSERT_EQ(run(train_args(part, 1)).status, 0);
  RunResult r = run({ZKD_TRAIN_BIN, "--resume", part, "--epochs", "2"});
  ASSERT_EQ(r.status, 0) << r.output;
  SafetensorsFile a = load_safetensors(full + "/last.safetensors");
  SafetensorsFile b = load_safetensors(part + "/last.safetensors");
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    ASSERT_EQ(a.tensors[i].first, b.tensors[i].first);
    const Tensor& x = a.tensors[i].second;
    const Tensor& y = b.tensors[i].second;
    ASSERT_EQ(x.nbytes(), y.nbytes());
    EXPECT_EQ(std::memcmp(x.raw(), y.raw(), x.nbytes()), 0) << a.tensors[i].first << " differs";
  }
  EXPECT_EQ(read_lines(part + "/log.jsonl").size(), 2u);
}

TEST(E2E, DivergenceStopsAndKeepsTheLastGoodCheckpoint) {
  // Epoch 1 at a sane LR, then x1e7 from epoch 2 on: the loss blows up during epoch 2.
  std::string out = fresh_dir("nan");
  RunResult r = run(with(train_args(out, 3), {"--milestones", "1", "--gamma", "1e7"}));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("expected a finite loss"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("last good checkpoint is kept"), std::string::npos) << r.output;
  Generator g(0);
  auto model = nets::create(kModel, g, 10);
  SGD opt(model->parameters(), SgdArgs{});
  app::TrainState s = app::load_checkpoint(out + "/last.safetensors", *model, &opt);
  EXPECT_EQ(s.epoch, 1);
  EXPECT_TRUE(s.complete());
  for (auto& [name, v] : model->named_parameters())
    for (float x : v.data().to_vector<float>()) ASSERT_TRUE(std::isfinite(x)) << name;
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
  RunResult r = run({ZKD_EVAL_BIN, "--model", kModel, "--checkpoint", teacher_dir() + "/best.safetensors",
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
  RunResult r = run({ZKD_BENCH_BIN, "--device", "cpu", "--train", "resnet20", "--kd", "resnet20:resnet20",
                     "--infer", "resnet20", "--batch-size", "4", "--warmup", "1", "--steps", "2",
                     "--repeats", "1"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("| case  | model"), std::string::npos) << r.output;
  for (const char* row : {"| train | resnet20", "| kd+ls | resnet20:resnet20", "| infer | resnet20"})
    EXPECT_NE(r.output.find(row), std::string::npos) << row << "\n" << r.output;
}

TEST(E2E, BadFlagPrintsUsage) {
  RunResult r = run({ZKD_TRAIN_BIN, "--no-such-flag"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("unknown flag --no-such-flag"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("usage: zkd-train"), std::string::npos) << r.output;
}

TEST(E2E, MissingDataPrintsTheFetchCommand) {
  RunResult r = run({ZKD_TRAIN_BIN, "--device", "cpu", "--data", fresh_dir("empty"), "--epochs", "1",
                     "--out", fresh_dir("nodata")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("zkd-data fetch"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace zkd::e2e
