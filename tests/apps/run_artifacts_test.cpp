// What a training run leaves behind, unit by unit: default run directories and the refusal to
// overwrite, checkpoint descriptions and the checks on their metadata (malformed or out-of-range
// values are clear errors), log.csv, the plot's round ticks, SVG escaping and PNG, and the
// progress line's width and plain form.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <sstream>

#include "apps/config/settings.h"
#include "apps/report/progress.h"
#include "apps/report/run_log.h"
#include "apps/run/checkpoint.h"
#include "apps/run/run_dir.h"
#include "engine/io/atomic_file.h"
#include "engine/nn/layers.h"
#include "engine/nn/state_dict.h"
#include "stb_image.h"  // implemented in datasets/stb_impl.cpp

namespace zkd::app {
namespace {

namespace fs = std::filesystem;

std::string temp_dir(const std::string& name) {
  fs::path p = fs::path(::testing::TempDir()) /
               ("zkd_run_artifacts_" + std::to_string(getpid()) + "_" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(RunDir, DefaultOutNamesMethodTeacherModelAndSeed) {
  TrainConfig t = default_config(false);
  t.model = "resnet32x4";
  EXPECT_EQ(default_out_dir(t), "runs/ce-resnet32x4-seed0");
  TrainConfig s = default_config(true);
  s.method = Method::parse("kd+ls");
  s.teacher_model = "resnet32x4";
  s.model = "resnet8x4";
  s.seed = 0;
  EXPECT_EQ(default_out_dir(s), "runs/kd+ls-resnet32x4-resnet8x4-seed0");
  s.seed = 1;
  EXPECT_EQ(default_out_dir(s), "runs/kd+ls-resnet32x4-resnet8x4-seed1");
  s.model = "a/b c";  // never a path separator or a space
  EXPECT_EQ(default_out_dir(s), "runs/kd+ls-resnet32x4-a_b_c-seed1");
}

TEST(RunDir, RefusesARunUnlessOverwriteAndThenRemovesOnlyTheRunsFiles) {
  std::string dir = temp_dir("refuse");
  TrainConfig c = default_config(false);
  c.out = dir;
  prepare_fresh_run_dir(c);  // empty: fine
  write_file_atomic(dir + "/log.jsonl", "{}\n");
  write_file_atomic(dir + "/curves.svg", "<svg/>");
  write_file_atomic(dir + "/mine.txt", "keep");
  EXPECT_EQ(run_files_in(dir), "log.jsonl");
  std::string e = error_of([&] { prepare_fresh_run_dir(c); });
  EXPECT_NE(e.find("already holds a run (log.jsonl); continue it with --resume " + dir +
                   ", replace it with --overwrite"),
            std::string::npos)
      << e;
  c.overwrite = true;
  write_file_atomic(dir + "/teacher.safetensors", "an input");
  write_file_atomic(dir + "/config.toml", "epochs = 3\n");
  prepare_fresh_run_dir(c);
  EXPECT_TRUE(fs::exists(dir + "/log.jsonl")) << "nothing is removed before the inputs are read";
  // An input the run would write over: refused, with --overwrite too.
  for (const std::string& in : {dir + "/log.jsonl", dir + "/./last.safetensors"})
    EXPECT_NE(error_of([&] {
                prepare_fresh_run_dir(c, {in});
              }).find("apart from the run's inputs, got one it would replace: '" + in + "'"),
              std::string::npos)
        << in;
  prepare_fresh_run_dir(c, {dir + "/teacher.safetensors", dir + "/config.toml"});
  remove_old_run(c);
  EXPECT_FALSE(fs::exists(dir + "/log.jsonl"));
  EXPECT_FALSE(fs::exists(dir + "/curves.svg"));
  EXPECT_TRUE(fs::exists(dir + "/mine.txt"));
  EXPECT_EQ(read_file(dir + "/teacher.safetensors"), "an input") << "removed by name only";
  EXPECT_TRUE(fs::exists(dir + "/config.toml"));
  c.out = dir + "/mine.txt";
  EXPECT_NE(error_of([&] { prepare_fresh_run_dir(c); }).find("got the existing file"),
            std::string::npos);
  c.out = dir + "/mine.txt/under";
  EXPECT_NE(
      error_of([&] { prepare_fresh_run_dir(c); }).find("expected to create the run directory"),
      std::string::npos);
}

TEST(RunDir, OutputPathsNeverNameACheckpointARunFileAnInputOrADevice) {
  const std::string dir = temp_dir("outputs");
  write_file_atomic(dir + "/log.jsonl", "{}\n");
  write_file_atomic(dir + "/input.bin", "x");
  check_output_path(dir + "/batch.png", "--dump-batch", {dir + "/input.bin"});  // fine
  check_output_path("", "--dump-batch", {});                                    // not given
  auto refused = [&](const std::string& path, const std::string& why) {
    const std::string e =
        error_of([&] { check_output_path(path, "--flag", {dir + "/input.bin"}); });
    EXPECT_NE(e.find("--flag: expected " + why), std::string::npos) << path << ": " << e;
  };
  refused("/dev/null", "a new or regular file to write, got '/dev/null' (a device)");
  refused(dir, "a new or regular file to write, got '" + dir + "' (a directory)");
  refused(dir + "/new.safetensors", "a path that is not a checkpoint");
  refused(dir + "/best.safetensors", "a path that is not a checkpoint");
  refused(dir + "/log.csv", "a path outside the run files of '" + dir + "'");
  refused(dir + "/../" + fs::path(dir).filename().string() + "/input.bin",
          "a path apart from the run's inputs");
  refused(dir + "/config.toml", "a path outside the run files of '" + dir + "'");
  refused(dir + "/command.txt", "a path outside the run files of '" + dir + "'");
  // The folder a fresh run is about to write holds no run yet: its files are refused all the same.
  const std::string fresh = temp_dir("outputs_fresh");
  check_output_path(fresh + "/config.toml", "--dump-batch", {});  // no run there, none coming
  for (const char* name : {"config.toml", "log.jsonl", "command.txt", "curves.png"}) {
    const std::string e =
        error_of([&] { check_output_path(fresh + "/" + name, "--dump-batch", {}, fresh + "/."); });
    EXPECT_NE(e.find("--dump-batch: expected a path outside the run files of '" + fresh + "'"),
              std::string::npos)
        << name << ": " << e;
  }
  check_output_path(fresh + "/batch.png", "--dump-batch", {}, fresh);
}

// ---- checkpoints ----

struct Tiny {
  Generator gen{7};
  Linear model{3, 2, gen};
  SGD opt{model.parameters(), SgdArgs{}};
};

std::string saved_checkpoint(const std::string& name, const TrainState& s) {
  Tiny t;
  TrainConfig c = default_config(false);
  c.model = "resnet20";
  c.num_classes = 2;
  std::string path = temp_dir("ckpt") + "/" + name;
  save_checkpoint(path, t.model, t.opt, s, describe_run(c, s.epoch, 12.5));
  return path;
}

// The checkpoint at path with metadata key set to value.
std::string with_meta(const std::string& path, const std::string& key, const std::string& value) {
  SafetensorsFile f = load_safetensors(path);
  f.metadata[key] = value;
  std::string out = path + "." + key + ".safetensors";
  save_safetensors(out, f.tensors, f.metadata);
  return out;
}

TrainState mid_epoch_state() {
  TrainState s;
  s.epoch = 3;
  s.step = 2;
  s.steps_per_epoch = 5;
  s.best_epoch = 2;
  s.best_top1 = 41.25;
  s.seed = 9;
  s.epoch_loss_sum = 1.0f / 3.0f;  // a float that needs all digits
  s.epoch_top1 = 7;
  s.epoch_top5 = 19;
  s.epoch_images = 32;
  return s;
}

TEST(Checkpoint, RoundTripsTheStateAndTheRunningSumsExactly) {
  std::string path = saved_checkpoint("a.safetensors", mid_epoch_state());
  Tiny t;
  TrainState s = load_checkpoint(path, t.model, &t.opt);
  EXPECT_EQ(s.epoch, 3);
  EXPECT_EQ(s.step, 2);
  EXPECT_EQ(s.best_top1, 41.25);
  EXPECT_EQ(static_cast<float>(s.epoch_loss_sum), 1.0f / 3.0f);
  EXPECT_EQ(s.epoch_top1, 7);
  EXPECT_EQ(s.epoch_top5, 19);
  EXPECT_EQ(s.epoch_images, 32);
  CheckpointInfo i = checkpoint_info(load_safetensors(path), path);
  EXPECT_EQ(i.model, "resnet20");
  EXPECT_EQ(i.num_classes, 2);
  EXPECT_EQ(i.method, "ce");
  EXPECT_EQ(i.dataset, "cifar100");
  EXPECT_EQ(i.epoch, 3);
  EXPECT_EQ(i.top1, 12.5);
  EXPECT_FALSE(i.zkd_version.empty());
}

TEST(Checkpoint, MalformedOrOutOfRangeMetadataIsAClearError) {
  std::string path = saved_checkpoint("b.safetensors", mid_epoch_state());
  struct Case {
    const char *key, *value;
  };
  for (Case c : {Case{"best_top1", "abc"},
                 {"best_top1", "1e999"},
                 {"best_top1", "nan"},
                 {"best_top1", "101"},
                 {"seed", "abc"},
                 {"seed", "-1"},
                 {"seed", "18446744073709551616"},
                 {"epoch", "9223372036854775807"},
                 {"epoch", "0"},
                 {"epoch", "3x"},
                 {"step", "6"},
                 {"steps_per_epoch", ""},
                 {"best_epoch", "4"},
                 {"rng_offset", "1.5"},
                 {"epoch_top1", "33"},
                 {"epoch_loss_sum", "inf"}}) {
    std::string bad = with_meta(path, c.key, c.value);
    Tiny t;
    std::string e = error_of([&] { load_checkpoint(bad, t.model, &t.opt); });
    EXPECT_NE(e.find(std::string("expected '") + c.key + "' to be"), std::string::npos)
        << c.key << " = " << c.value << ": " << e;
    EXPECT_NE(e.find(std::string("got '") + c.value + "'"), std::string::npos) << e;
  }
  std::string e = error_of(
      [&] { checkpoint_info(load_safetensors(with_meta(path, "num_classes", "ten")), path); });
  EXPECT_NE(e.find("expected 'num_classes' to be an integer"), std::string::npos) << e;
}

// The format tag (issue 25, README "Reading a run directory"): another tag is refused everywhere; a
// file without one (PyTorch's save_file, best.safetensors) or with PyTorch's "pt" is plain weights:
// loaded by parameter name, never resumed.
TEST(Checkpoint, FormatTagWrongIsRefusedAndAbsentMeansPlainWeights) {
  const std::string path = saved_checkpoint("fmt.safetensors", mid_epoch_state());
  const std::string wrong = with_meta(path, "format", "zkd-checkpoint-2");
  Tiny t;
  std::string e = error_of([&] { load_checkpoint(wrong, t.model, &t.opt); });
  EXPECT_NE(e.find("expected a zkd training checkpoint (metadata 'format' = 'zkd-checkpoint-1'), "
                   "got 'format' = 'zkd-checkpoint-2'"),
            std::string::npos)
      << e;
  e = error_of([&] { load_weights(wrong, t.model); });
  EXPECT_NE(e.find("expected model weights (metadata 'format' absent, 'pt' or "
                   "'zkd-checkpoint-1'), got 'format' = 'zkd-checkpoint-2'"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;

  // Plain weights as PyTorch writes them: the state dict, no metadata (or {"format": "pt"}).
  const std::string plain = temp_dir("fmt") + "/plain.safetensors";
  save_safetensors(plain, state_dict(t.model), {});
  Tiny u;
  EXPECT_EQ(error_of([&] { load_weights(plain, u.model); }), "(no error)") << "read by names";
  EXPECT_EQ(error_of([&] { load_weights(with_meta(plain, "format", "pt"), u.model); }),
            "(no error)");
  e = error_of([&] { load_checkpoint(plain, u.model, &u.opt); });
  EXPECT_NE(e.find("expected a zkd training checkpoint (metadata 'format' = 'zkd-checkpoint-1'), "
                   "got a file without it (plain weights"),
            std::string::npos)
      << e;
  e = error_of([&] { load_checkpoint(with_meta(plain, "format", "pt"), u.model, &u.opt); });
  EXPECT_NE(e.find("got 'format' = 'pt'"), std::string::npos) << e;
}

TEST(Checkpoint, ChoosesTheModelFromTheDescriptionAndRefusesContradictions) {
  CheckpointInfo i;
  i.model = "resnet20";
  i.num_classes = 10;
  ModelChoice m = choose_model(i, "P", "", "model", 0, "num-classes");
  EXPECT_EQ(m.model, "resnet20");
  EXPECT_EQ(m.num_classes, 10);
  EXPECT_EQ(
      error_of([&] { choose_model(i, "P", "resnet32x4", "teacher-model", 0, "num-classes"); }),
      "checkpoint P is resnet20 with 10 classes; --teacher-model says resnet32x4 (leave the flag "
      "out "
      "to use the checkpoint's)");
  EXPECT_NE(error_of([&] {
              choose_model(i, "P", "resnet20", "model", 100, "num-classes");
            }).find("is resnet20 with 10 classes; --num-classes says 100"),
            std::string::npos);
  CheckpointInfo old;  // a file without a description: the flags decide, 100 classes by default
  m = choose_model(old, "P", "vgg8", "model", 0, "num-classes");
  EXPECT_EQ(m.model, "vgg8");
  EXPECT_EQ(m.num_classes, 100);
  EXPECT_NE(
      error_of([&] { choose_model(old, "P", "", "model", 0, "num-classes"); }).find("give --model"),
      std::string::npos);
}

// ---- logs and plots ----

std::vector<EpochRecord> records(int n) {
  std::vector<EpochRecord> rs;
  for (int e = 1; e <= n; ++e) {
    EpochRecord r;
    r.epoch = e;
    r.train_loss = 4.6 / e;
    r.train_acc = 10 + 8.5 * e;
    r.test_loss = 4.4 / std::sqrt(e);
    r.test_top1 = 8 + 7.3 * e - 0.4 * e * e;
    r.test_top5 = 30 + 6 * e;
    r.lr = e > 5 ? 0.005 : 0.05;
    r.seconds = 1.5;
    r.images_per_s = 1000;
    rs.push_back(r);
  }
  return rs;
}

// Untrusted JSON is depth-limited before anything walks or prints it (issue 25: a config nested
// 100,000 deep overflowed the stack of nlohmann's printer inside an error message).
TEST(Checkpoint, DeeplyNestedConfigIsRefusedWithoutRecursion) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  std::string path = with_meta(saved_checkpoint("deep.safetensors", mid_epoch_state()), "config",
                               "{\"model\":" + deep + "}");
  SafetensorsFile f = load_safetensors(path);
  EXPECT_TRUE(config_metadata(f).is_null());
  f.metadata.erase("model");  // so that checkpoint_info falls back to the config
  EXPECT_EQ(checkpoint_info(f, path).model, "");
  const std::string e = error_of([&] { config_from_json("{\"model\":" + deep + "}", "cfg"); });
  EXPECT_NE(e.find("cfg: expected JSON nested at most 64 deep"), std::string::npos) << e;
  const std::string e2 = error_of([&] { config_from_json("{\"epochs\":[[[[[[1]]]]]]}", "cfg"); });
  EXPECT_LT(e2.size(), 200u) << "the value shown is cut: " << e2;
}

// log.jsonl is read as a regular file only: a FIFO is refused, never waited on (issue 25: zkd-sweep
// summarize hung).
TEST(RunLog, AFifoOrADeepLineIsAOneLineError) {
  const std::string dir = temp_dir("log_fifo");
  ASSERT_EQ(mkfifo((dir + "/log.jsonl").c_str(), 0600), 0);
  RunLog log(dir, PlotInfo{});
  std::string e = error_of([&] { log.load_existing(10); });
  EXPECT_NE(e.find("a FIFO"), std::string::npos) << e;
  fs::remove(dir + "/log.jsonl");
  write_file_atomic(dir + "/log.jsonl", std::string(100000, '[') + "\n");
  e = error_of([&] { log.load_existing(10); });
  EXPECT_NE(e.find("expected a JSON object on line 1"), std::string::npos) << e;
  EXPECT_LT(e.size(), 300u) << e;
  write_file_atomic(dir + "/log.jsonl", "{\"epoch\":1,\"test_top1\":250}\n");
  e = error_of([&] { log.load_existing(10); });
  EXPECT_NE(e.find("expected test_top1 in [0, 100] on line 1 of '" + dir + "/log.jsonl', got 250"),
            std::string::npos)
      << e;
  // A value that is not a number (null is a diverged or unmeasured epoch) was read as null.
  for (const char* v : {"\"x\"", "true", "[1]", "{\"a\":1}"}) {
    write_file_atomic(dir + "/log.jsonl", std::string("{\"epoch\":1,\"test_top1\":") + v + "}\n");
    e = error_of([&] { log.load_existing(10); });
    EXPECT_NE(e.find("expected a number or null for test_top1 on line 1 of '" + dir +
                     "/log.jsonl', got " + v),
              std::string::npos)
        << e;
  }
  write_file_atomic(dir + "/log.jsonl", "{\"epoch\":1,\"test_top1\":null}\n");
  log.load_existing(10);
  ASSERT_EQ(log.records().size(), 1u);
  EXPECT_TRUE(std::isnan(log.records()[0].test_top1));
}

TEST(RunLog, CsvHasOneRowPerEpochAndReadsBackExactly) {
  std::vector<EpochRecord> rs = records(3);
  rs[1].test_loss = NAN;
  std::string csv = log_csv(rs);
  std::stringstream ss(csv);
  std::string header, row;
  std::getline(ss, header);
  EXPECT_EQ(header,
            "epoch,train_loss,train_acc,test_loss,test_top1,test_top5,lr,seconds,images_per_s");
  std::getline(ss, row);
  EXPECT_EQ(row.substr(0, row.find(',', 2)), "1,4.6");
  std::getline(ss, row);
  EXPECT_NE(row.find(",nan,"), std::string::npos) << row;
  std::getline(ss, row);
  EXPECT_EQ(std::stod(row.substr(2, row.find(',', 2) - 2)), 4.6 / 3) << "round-trip digits";
  EXPECT_EQ(epoch_json(rs[1]).find("nan"), std::string::npos) << "JSON has no NaN: null";
}

// Memory per epoch (docs/memory.md): written when measured, read back exactly, absent in old logs
// (NaN, no column) and never taken for a distiller's value; a negative value is refused.
TEST(RunLog, MemoryColumnsAreWrittenWhenMeasuredAndReadBack) {
  std::vector<EpochRecord> rs = records(2);
  rs[1].rss_mb = 212.12890625;
  const std::string line = epoch_json(rs[1]);
  EXPECT_NE(line.find("\"rss_mb\":212.12890625"), std::string::npos) << line;
  EXPECT_EQ(line.find("gpu_"), std::string::npos) << "not measured: not written: " << line;
  EXPECT_EQ(epoch_json(rs[0]).find("rss_mb"), std::string::npos);
  std::string csv = log_csv(rs);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "epoch,train_loss,train_acc,test_loss,test_top1,test_top5,lr,seconds,images_per_s,"
            "rss_mb");
  EXPECT_EQ(log_csv(records(2)).find("rss_mb"), std::string::npos) << "an old log: no column";

  const std::string dir = temp_dir("log_memory");
  write_file_atomic(dir + "/log.jsonl", epoch_json(rs[0]) + "\n" + line + "\n");
  RunLog log(dir, PlotInfo{});
  log.load_existing(10);
  ASSERT_EQ(log.records().size(), 2u);
  EXPECT_TRUE(std::isnan(log.records()[0].rss_mb));
  EXPECT_EQ(log.records()[1].rss_mb, 212.12890625);
  EXPECT_TRUE(std::isnan(log.records()[1].gpu_reserved_mb));
  EXPECT_TRUE(log.records()[1].extra.empty()) << "rss_mb is a column, not a distiller's value";
  write_file_atomic(dir + "/log.jsonl", "{\"epoch\":1,\"gpu_reserved_mb\":-3}\n");
  std::string e = error_of([&] { log.load_existing(10); });
  EXPECT_NE(e.find("expected gpu_reserved_mb in [0, inf] on line 1"), std::string::npos) << e;
}

TEST(Plot, TicksAreRoundStepsOfOneTwoOrFive) {
  Ticks t = nice_ticks(2.61, 2.97, 5);  // the raw ticks were 2.97, 2.61
  EXPECT_DOUBLE_EQ(t.step, 0.05);
  EXPECT_NEAR(t.first, 2.6, 1e-12);
  EXPECT_NEAR(t.last, 3.0, 1e-12);
  EXPECT_EQ(t.label(t.values[1]), "2.65");
  EXPECT_EQ(t.label(t.values[2]), "2.70");
  Ticks e = nice_ticks(0, 240, 6, true);
  EXPECT_EQ(e.step, 50);
  EXPECT_EQ(e.label(e.values.back()), "250");
  Ticks small = nice_ticks(0, 4, 6, true);
  EXPECT_EQ(small.step, 1) << "epochs never get fractional ticks";
  for (auto [lo, hi] :
       {std::pair{0.0, 100.0}, {0.013, 0.0171}, {-3.0, 7.0}, {5.0, 5.0}, {1e-9, 3e-9}}) {
    Ticks k = nice_ticks(lo, hi, 5);
    double m = k.step / std::pow(10.0, std::floor(std::log10(k.step) + 1e-9));
    EXPECT_TRUE(std::abs(m - 1) < 1e-9 || std::abs(m - 2) < 1e-9 || std::abs(m - 5) < 1e-9)
        << k.step;
    EXPECT_LE(k.first, lo + 1e-9 * k.step);  // up to the rounding of first = n * step
    EXPECT_GE(k.last, hi - 1e-9 * k.step);
    EXPECT_GE(k.values.size(), 3u);
    EXPECT_LE(k.values.size(), 12u);
  }
}

TEST(Plot, SvgEscapesTheRunPathAndMarksBestAndLrDrops) {
  PlotInfo p;
  p.title = "runs/a&b<c>'\"\x01";
  p.total_epochs = 10;
  p.lr_drops = {6};
  std::string svg = curves_svg(records(8), p);
  EXPECT_NE(svg.find("runs/a&amp;b&lt;c&gt;&apos;&quot;</text>"), std::string::npos);
  EXPECT_EQ(svg.find("a&b"), std::string::npos);
  EXPECT_EQ(svg.find('\x01'), std::string::npos);
  EXPECT_NE(svg.find("best epoch 8: test top-1"), std::string::npos) << "the best epoch is marked";
  EXPECT_NE(svg.find("LR drops after epoch 5"), std::string::npos);
  EXPECT_NE(svg.find("training objective (CE)"), std::string::npos);
  EXPECT_NE(svg.find("test loss (CE)"), std::string::npos) << "the objective and test CE apart";
}

TEST(Plot, PngDecodesToTheCanvasSizeAndHasInk) {
  PlotInfo p;
  p.title = "runs/x";
  p.total_epochs = 240;
  std::string png = curves_png(records(20), p);
  int w = 0, h = 0, ch = 0;
  unsigned char* px = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()),
                                            static_cast<int>(png.size()), &w, &h, &ch, 3);
  ASSERT_NE(px, nullptr);
  EXPECT_EQ(w, kCurvesWidth);
  EXPECT_EQ(h, kCurvesHeight);
  int64_t red = 0;  // the test curves' colour
  for (int i = 0; i < w * h; ++i)
    red += px[3 * i] > 180 && px[3 * i + 1] < 90 && px[3 * i + 2] < 90;
  stbi_image_free(px);
  EXPECT_GT(red, 200) << "the curves are drawn";
}

TEST(PlotInfo, LrDropsOfAStepScheduleOnly) {
  TrainConfig c = default_config(false);
  c.epochs = 240;
  EXPECT_EQ(plot_info(c).lr_drops, (std::vector<int64_t>{151, 181, 211}));
  c.schedule = "cosine";
  EXPECT_TRUE(plot_info(c).lr_drops.empty());
}

// ---- progress ----

std::string captured(int tty, const std::function<void(Progress&)>& f) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* out = open_memstream(&buf, &len);
  {
    Progress p(out, 240, 782, tty);
    f(p);
  }
  std::fclose(out);
  std::string s(buf, len);
  std::free(buf);
  return s;
}

void a_long_epoch(Progress& p) {
  p.start_epoch(240);
  p.update(1, 15.8123, 64);
  p.update(782, 1234.5678, 50000);
  p.evaluating(10000);
  p.finish(epoch_summary(240, 240, 15.8123, 100, 123.456, 100, 100, 3600 * 99));
}

TEST(Progress, TerminalLineFitsAndRedrawsInPlace) {
  std::string s = captured(1, a_long_epoch);
  size_t start = 0;
  int lines = 0;
  while (start < s.size()) {  // every drawn state between carriage returns / newlines
    size_t end = s.find_first_of("\r\n", start);
    if (end == std::string::npos) end = s.size();
    std::string line = s.substr(start, end - start);
    if (line.rfind("\033[K", 0) == 0) line = line.substr(3);
    EXPECT_LE(line.size(), 80u) << line;
    lines += !line.empty();
    start = end + 1;
  }
  EXPECT_GE(lines, 4);
  EXPECT_NE(s.find("evaluating on 10000 test images..."), std::string::npos) << s;
  EXPECT_NE(s.find(" run "), std::string::npos) << "the whole run's ETA";
  EXPECT_NE(s.find('\r'), std::string::npos);
}

TEST(Progress, PlainLinesWithoutCarriageReturnsWhenNotATerminal) {
  std::string s = captured(0, a_long_epoch);
  EXPECT_EQ(s.find('\r'), std::string::npos);
  EXPECT_EQ(s.find('\033'), std::string::npos);
  std::stringstream ss(s);
  int n = 0;
  for (std::string line; std::getline(ss, line); ++n) EXPECT_LE(line.size(), 80u) << line;
  EXPECT_EQ(n, 4);
  EXPECT_NE(s.find("epoch 240/240 step 1/782 loss 15.8123"), std::string::npos) << s;
}

TEST(Progress, RunEtaCountsTheStepsAndEvaluationsLeft) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* out = open_memstream(&buf, &len);
  Progress p(out, 3, 10, 0);
  EXPECT_LT(p.run_eta_seconds(), 0) << "unknown before the first step";
  p.start_epoch(1);
  p.update(5, 1.0, 5);
  double eta = p.run_eta_seconds();  // 25 steps left at the speed so far, no evaluation timed yet
  EXPECT_GE(eta, 0);
  std::fclose(out);
  std::free(buf);
  EXPECT_EQ(format_duration(3725), "1:02:05");
  EXPECT_EQ(format_duration(-1), "?");
}

}  // namespace
}  // namespace zkd::app
