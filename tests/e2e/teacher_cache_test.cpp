// The teacher-logit cache (docs/teacher-cache.md) on a tiny synthetic set with a random teacher:
// cached logits equal the teacher's forward on the same augmented training batches (the loader's
// crop and flip draws map to the right rows), in fp32 and with the teacher in float64;
// zkd-distill with --teacher-cache reproduces the run without it (KD+LS, DKD+LS, CTKD+LS,
// MLKD+LS); an interrupted build resumes from its chunks; corrupt, truncated and mismatched files
// are refused in one line naming what differs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "apps/run/teacher.h"
#include "apps/run/teacher_cache.h"
#include "apps/run/trainer.h"
#include "engine/autograd/grad_mode.h"
#include "engine/core/rng.h"
#include "engine/io/atomic_file.h"
#include "engine/nn/state_dict.h"
#include "nets/registry.h"
#include "tests/common/to_float64.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/teacher_cache_util.h"

namespace zkd::e2e {
namespace {

namespace fs = std::filesystem;

constexpr int kClasses = kTinyClasses;
using Built = BuiltCache;
const Built& built() {
  return built_cache();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

// Cached rows vs the teacher's forward on the loader's own augmented batches, several epochs.
TEST(TeacherCache, EqualsTheTeacherOnTrainingBatches) {
  const Built& b = built();
  app::TrainConfig c = cache_config(b.teacher);
  data::Cifar100 d = app::load_run_data(c);
  std::shared_ptr<Module> teacher = app::load_teacher(c, Device::cpu());
  app::TeacherCache cache(b.cache, app::cache_binding(c, d.train), Device::cpu());
  data::Loader loader(d.train, Device::cpu(), 4, 11, true);
  Tensor buf = Tensor::empty({4, kClasses});
  std::vector<data::Loader::SampleDraw> draws;
  NoGradGuard no_grad;
  double worst = 0, scale = 0;
  int distinct_views = 0;
  for (int64_t e = 0; e < 6; ++e) {
    loader.start_epoch(e);
    for (int64_t i = 0; i < loader.num_batches(); ++i) {
      data::Batch batch = loader.batch(i);
      loader.batch_draws(i, draws);
      std::vector<float> want = (*teacher)(Variable(batch.images)).data().to_vector<float>();
      std::vector<float> got = cache.gather(draws, buf).contiguous().to_vector<float>();
      ASSERT_EQ(want.size(), got.size());
      for (size_t j = 0; j < want.size(); ++j) {
        worst = std::max(worst, std::fabs(static_cast<double>(want[j]) - got[j]));
        scale = std::max(scale, std::fabs(static_cast<double>(want[j])));
      }
      for (auto& s : draws) distinct_views += s.draw.dx != 4 || s.draw.dy != 4 || s.draw.flip;
    }
  }
  ASSERT_GT(distinct_views, 20);  // the draws cover more than the centred, unflipped view
  // Eval mode makes each row a function of its image alone; what remains is the conv library's
  // batch-composition rounding (a batch of 4 here vs 486 views per forward in the build).
  // Measured on the 2-core dev CPU (fp32): 0, bit for bit (docs/teacher-cache.md). The bound, 8
  // fp32 ulps of the largest logit (1e-6 relative), leaves room for a CPU whose conv kernels
  // change with the batch size and stays far below the distance between two views' logits
  // (> 1e-4, NeighbouringViewsDiffer), so a wrong (offset, flip) row cannot pass.
  EXPECT_LE(worst, 1e-6 * std::max(scale, 1.0)) << "largest |logit| " << scale;
  std::printf("teacher cache vs forward: max |diff| %.3g, max |logit| %.3g\n", worst, scale);
}

// The same in float64 (the teacher converted, its inputs the float32 views made exact): the rows
// the build's own routine computes (teacher_view_logits, 3 images x 162 views per forward), read
// through the run's gather, vs the float64 teacher's forward on the loader's training batches.
// Also measured: the float32 cache file vs that float64 forward (the float32 teacher's rounding,
// which the forward in a run without the cache has too).
TEST(TeacherCache, EqualsTheTeacherOnTrainingBatchesInFloat64) {
  const Built& b = built();
  app::TrainConfig c = cache_config(b.teacher);
  data::Cifar100 d = app::load_run_data(c);
  std::shared_ptr<Module> teacher = app::load_teacher(c, Device::cpu());
  test::to_float64(*teacher);
  Tensor table = app::teacher_view_logits(*teacher, d.train, 0, d.train.size(), 3, Device::cpu(),
                                          DType::F64);  // [15 * 162, 5] float64
  ASSERT_EQ(table.dtype(), DType::F64);
  app::TeacherCache cache(b.cache, app::cache_binding(c, d.train), Device::cpu());
  data::Loader loader(d.train, Device::cpu(), 4, 11, true);
  Tensor buf = Tensor::empty({4, kClasses}, DType::F64), buf32 = Tensor::empty({4, kClasses}),
         unused;
  std::vector<data::Loader::SampleDraw> draws;
  NoGradGuard no_grad;
  double worst = 0, worst32 = 0, scale = 0;
  for (int64_t e = 0; e < 6; ++e) {
    loader.start_epoch(e);
    for (int64_t i = 0; i < loader.num_batches(); ++i) {
      data::Batch batch = loader.batch(i);
      loader.batch_draws(i, draws);
      std::vector<double> want =
          (*teacher)(Variable(batch.images.to(DType::F64))).data().to_vector<double>();
      std::vector<double> got =
          app::gather_cache_rows(table, draws, buf, unused).contiguous().to_vector<double>();
      std::vector<float> got32 = cache.gather(draws, buf32).contiguous().to_vector<float>();
      ASSERT_EQ(want.size(), got.size());
      ASSERT_EQ(want.size(), got32.size());
      for (size_t j = 0; j < want.size(); ++j) {
        worst = std::max(worst, std::fabs(want[j] - got[j]));
        worst32 = std::max(worst32, std::fabs(want[j] - got32[j]));
        scale = std::max(scale, std::fabs(want[j]));
      }
    }
  }
  // Measured on the 2-core dev CPU: max |diff| 2.66e-15 with the largest |logit| 7.49, i.e.
  // 3.6e-16 of it (3 float64 ulps). Inputs and weights are the same floats on both sides, only
  // the batch differs (486 views vs 4): the float64 kernels' batch-composition rounding (fp32
  // showed 0 above). The bound, 1e-14 of the largest logit (28x the measured), leaves room for
  // other CPUs' blocking and is nine orders below the distance between two views' logits
  // (> 1e-4, NeighbouringViewsDiffer), so a wrong (offset, flip) row cannot pass.
  EXPECT_LE(worst, 1e-14 * std::max(scale, 1.0)) << "largest |logit| " << scale;
  // The float32 file vs the float64 teacher: measured max |diff| 2.4e-6 (3.2e-7 of the largest
  // logit), the float32 forward's own rounding, which a run without the cache has as well. The
  // bound, 1e-5 of the largest logit (30x the measured), is for other CPUs' float32 kernels.
  EXPECT_LE(worst32, 1e-5 * std::max(scale, 1.0)) << "largest |logit| " << scale;
  std::printf(
      "float64: cache vs forward max |diff| %.3g; float32 cache vs float64 forward %.3g; "
      "max |logit| %.3g\n",
      worst, worst32, scale);
}

// A wrong (offset, flip) would be noticed: neighbouring views differ by far more than the bound.
TEST(TeacherCache, NeighbouringViewsDiffer) {
  const Built& b = built();
  app::TrainConfig c = cache_config(b.teacher);
  data::Cifar100 d = app::load_run_data(c);
  app::TeacherCache cache(b.cache, app::cache_binding(c, d.train), Device::cpu());
  std::vector<float> t = cache.table().to_vector<float>();
  double least = 1e30;
  for (int64_t row = 0; row + 1 < 162; ++row) {  // image 0: each view vs the next
    double diff = 0;
    for (int k = 0; k < kClasses; ++k)
      diff = std::max(diff, std::fabs(static_cast<double>(t[row * kClasses + k]) -
                                      t[(row + 1) * kClasses + k]));
    least = std::min(least, diff);
  }
  EXPECT_GT(least, 1e-4);
}

// zkd-distill with the cache vs without, same seed: the same losses and accuracies.
void expect_same_run(const std::string& method) {
  const Built& b = built();
  std::string plain = fresh_dir("plain-" + method), cached = fresh_dir("cached-" + method);
  std::vector<std::string> a1 = distill_args(method, b.teacher, plain),
                           a2 = distill_args(method, b.teacher, cached);
  a2.push_back("--teacher-cache");
  a2.push_back(b.cache);
  RunResult r1 = run(a1), r2 = run(a2);
  ASSERT_EQ(r1.status, 0) << r1.output;
  ASSERT_EQ(r2.status, 0) << r2.output;
  EXPECT_NE(r2.output.find("teacher logits from the cache"), std::string::npos) << r2.output;
  std::vector<std::string> l1 = read_lines(plain + "/log.jsonl"),
                           l2 = read_lines(cached + "/log.jsonl");
  ASSERT_EQ(l1.size(), 1u);
  ASSERT_EQ(l2.size(), 1u);
  for (size_t e = 0; e < 1; ++e)
    for (const char* k : {"train_loss", "train_acc", "test_loss", "test_top1"}) {
      double x = json_number(l1[e], k), y = json_number(l2[e], k);
      ASSERT_FALSE(std::isnan(x)) << k << " missing: " << l1[e];
      // The cached logits equal the forward's to within 1e-6 relative (measured: bit for bit on
      // the CPU, EqualsTheTeacherOnTrainingBatches), so the run is the same to within that
      // error carried through one epoch: measured bit for bit here; 1e-6 relative allowed.
      EXPECT_NEAR(x, y, 1e-6 * std::max(1.0, std::fabs(x)))
          << method << " " << k << " epoch " << e + 1;
    }
}

TEST(TeacherCache, KdLsRunMatchesTheRunWithoutIt) {
  expect_same_run("kd+ls");
}
TEST(TeacherCache, DkdLsRunMatchesTheRunWithoutIt) {
  expect_same_run("dkd+ls");
}
TEST(TeacherCache, CtkdLsRunMatchesTheRunWithoutIt) {
  expect_same_run("ctkd+ls");
}
TEST(TeacherCache, MlkdLsRunMatchesTheRunWithoutIt) {
  expect_same_run("mlkd+ls");
}

TEST(TeacherCache, ZkdDataBuildsTheSameFile) {
  const Built& b = built();
  std::string out = fresh_dir("cli") + "/t.bin";
  RunResult r = run({ZKD_DATA_BIN, "teacher-logits", "--teacher", b.teacher, "--teacher-model",
                     "resnet20", "--data", tiny_data(), "--num-classes", "5", "--train-per-class",
                     "3", "--device", "cpu", "--out", out});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("15 / 15 images"), std::string::npos) << r.output;
  // Another forward batch size, the same floats to within the batch-composition bound; the
  // header is the same byte for byte.
  std::string x = read_file(out), y = read_file(b.cache);
  ASSERT_EQ(x.size(), y.size());
  EXPECT_EQ(x.substr(0, 64), y.substr(0, 64));
}

// A build stopped after a chunk resumes: the chunk on disk is used as it is (here planted).
TEST(TeacherCache, InterruptedBuildResumesFromItsChunks) {
  const Built& b = built();
  std::string whole = read_file(b.cache);
  const uint64_t data = whole.size() - 15 * 162 * kClasses * 4;
  std::string out = fresh_dir("resume") + "/logits.bin";
  fs::create_directories(out + ".partial");
  write_file_atomic(out + ".partial/header", whole.substr(0, data));
  std::string planted(whole.size() - data, '\x3f');  // 0x3f3f3f3f = 0.747 as float32
  write_file_atomic(out + ".partial/chunk-0.bin", planted);
  app::TrainConfig c = cache_config(b.teacher);
  app::build_teacher_cache(c, app::load_run_data(c).train, out, 3);
  EXPECT_EQ(read_file(out), whole.substr(0, data) + planted);
  EXPECT_FALSE(fs::exists(out + ".partial"));
}

TEST(TeacherCache, BadFilesAreRefusedInOneLine) {
  const Built& b = built();
  app::TrainConfig c = cache_config(b.teacher);
  data::Cifar100 d = app::load_run_data(c);
  const app::CacheBinding want = app::cache_binding(c, d.train);
  const std::string whole = read_file(b.cache), dir = fresh_dir("bad");
  auto refused = [&](const std::string& bytes, const app::CacheBinding& expect) {
    write_file_atomic(dir + "/f.bin", bytes);
    return error_of([&] { app::TeacherCache(dir + "/f.bin", expect, Device::cpu()); });
  };
  auto has = [](const std::string& msg, const std::string& part) {
    EXPECT_NE(msg.find(part), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  };
  has(refused(whole.substr(0, whole.size() - 4), want), "(truncated)");
  has(refused(whole + "x", want), "(trailing bytes)");
  has(refused(whole.substr(0, 10), want), "another file");
  has(refused("NOTACACHE" + whole.substr(9), want), "another file");
  std::string version = whole;
  version.replace(version.find("\"version\":1"), 11, "\"version\":7");
  has(refused(version, want), "expected version 1");
  std::string pad = whole;
  pad.replace(pad.find("\"pad\":4"), 7, "\"pad\":2");
  has(refused(pad, want), "expected augmentation pad 4");
  std::string header = whole;
  header[20] = '[';
  has(refused(header, want), "teacher cache");
  // Mismatches: another teacher, another subset.
  app::TrainConfig other = cache_config(random_teacher("b", 5));
  has(refused(whole, app::cache_binding(other, d.train)), "teacher checkpoint sha256");
  app::TrainConfig fewer = c;
  fewer.train_per_class = 2;
  has(refused(whole, app::cache_binding(fewer, app::load_run_data(fewer).train)),
      "expected training images 10, got 15");
  // The one-line refusal reaches the command line.
  std::vector<std::string> args =
      distill_args("kd+ls", other.teacher_checkpoint, fresh_dir("refused"));
  args.insert(args.end(), {"--teacher-cache", b.cache});
  RunResult r = run(args);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("expected teacher checkpoint sha256"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace zkd::e2e
