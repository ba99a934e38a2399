// zkd-bench's settings: which cases to time (training, KD+LS, inference, sweep members stepping
// together), batch sizes, the timing protocol of docs/performance.md, device, math mode, compute
// precision and the optional JSON file; declared once here (--precision and --threads: the
// training settings' rows), read from the command line by add_options.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "apps/config/config.h"

namespace zkd::app::bench {

struct Options {
  std::string train = "resnet32x4";                              // --train NAMES
  std::string kd = "resnet32x4:resnet8x4,resnet32x4:ShuffleV2";  // --kd PAIRS
  std::string infer = "resnet32x4,resnet8x4,ShuffleV2";          // --infer NAMES
  std::string sweep = "";                                        // --sweep COUNTS ("1,2,4,8")
  std::string sweep_pair = "resnet32x4:resnet8x4";               // --sweep-pair PAIR
  std::string math = "fast", json;                               // --math, --json FILE
  bool teacher_cache = false;  // --teacher-cache: each --kd pair also with cached teacher logits
  int64_t batch = 64, infer_batch = 0, warmup = 30, steps = 200, repeats = 3;
  TrainConfig shared;  // .device, .threads, .precision: the training schema's rows, declared there
};

void add_options(CLI::App& cli, Options& o);
// After parsing: checks --math, --kd / --sweep-pair pairs and --sweep counts (UsageError naming
// what was expected and found); --infer-batch 0 becomes --batch-size.
void check_options(Options& o);

std::vector<std::string> split_list(const std::string& s);  // "a,b,,c" -> {a, b, c}
// "teacher:student" -> {teacher, student}; flag names the option in the error.
std::pair<std::string, std::string> split_pair(const std::string& pair, const std::string& flag);
std::vector<int64_t> member_counts(const std::string& list);  // "1,2,4,8" -> {1, 2, 4, 8}

}  // namespace zkd::app::bench
