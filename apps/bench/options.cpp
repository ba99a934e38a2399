// zkd-bench's command-line options (see options.h).
#include "apps/bench/options.h"

#include <sstream>

#include "apps/config/cli.h"
#include "apps/config/settings.h"
#include "engine/io/atomic_file.h"

namespace zkd::app::bench {

void add_options(CLI::App& cli, Options& o) {
  cli.add_option("--train", o.train,
                 "models to time a cross-entropy training step for (comma list)")
      ->option_text("NAMES")
      ->group("model");
  cli.add_option("--kd", o.kd, "teacher:student pairs to time a KD+LS step for (comma list)")
      ->option_text("PAIRS")
      ->group("model");
  cli.add_flag("--teacher-cache", o.teacher_cache,
               "also time each --kd pair with the teacher's logits gathered from a teacher-logit "
               "cache instead of its forward (docs/teacher-cache.md)")
      ->group("model");
  cli.add_option("--infer", o.infer, "models to time inference for (comma list)")
      ->option_text("NAMES")
      ->group("model");
  cli.add_option("--sweep", o.sweep,
                 "member counts of a KD+LS sweep stepping together, one shared teacher forward "
                 "per step (comma list, e.g. 1,2,4,8; default none)")
      ->option_text("COUNTS")
      ->group("model");
  cli.add_option("--sweep-pair", o.sweep_pair,
                 "teacher:student of the --sweep members (default resnet32x4:resnet8x4)")
      ->option_text("PAIR")
      ->group("model");
  add_int(cli, "--batch-size", o.batch, 1, 65536, "N",
          "batch size of the training and KD steps (per member)")
      ->group("optimization");
  add_int(cli, "--infer-batch", o.infer_batch, 0, 65536, "N",
          "batch size of inference (0: --batch-size)")
      ->group("optimization");
  add_int(cli, "--warmup", o.warmup, 0, 1000000, "STEPS", "untimed steps first")
      ->group("optimization");
  add_int(cli, "--steps", o.steps, 1, 1000000, "STEPS", "timed steps per repeat")
      ->group("optimization");
  add_int(cli, "--repeats", o.repeats, 1, 1000, "N", "repeats (the median is reported)")
      ->group("optimization");
  cli.add_option("--math", o.math, "fast (TF32 allowed) or strict (fp32) (default fast)")
      ->option_text("MODE")
      ->group("device");
  cli.add_option("--json", o.json,
                 "also write the rows as JSON to FILE (device, precision, layout, graph, "
                 "version; memory after each repeat)")
      ->option_text("FILE")
      ->group("output");
  add_schema_options(cli, o.shared, {"device", "threads", "precision"});  // as zkd-train's
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::pair<std::string, std::string> split_pair(const std::string& pair, const std::string& flag) {
  size_t colon = pair.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == pair.size())
    throw UsageError(flag + " expects teacher:student pairs, got '" + pair + "'");
  return {pair.substr(0, colon), pair.substr(colon + 1)};
}

std::vector<int64_t> member_counts(const std::string& list) {
  std::vector<int64_t> out;
  for (const std::string& item : split_list(list))
    out.push_back(parse_int(item, 1, 64, "--sweep member count"));
  return out;
}

void check_options(Options& o) {
  if (o.math != "fast" && o.math != "strict")
    throw UsageError("--math expects fast or strict, got '" + o.math + "'" +
                     did_you_mean(o.math, {"fast", "strict"}));
  for (const std::string& pair : split_list(o.kd)) split_pair(pair, "--kd");
  if (!o.sweep.empty()) {
    member_counts(o.sweep);
    split_pair(o.sweep_pair, "--sweep-pair");
  }
  if (!o.json.empty()) {  // checked before the cases run, not after minutes of timing
    size_t slash = o.json.find_last_of('/');
    std::string folder = slash == std::string::npos ? "." : o.json.substr(0, slash + 1);
    if (file_kind(folder) != "a directory")
      throw UsageError("--json expects a file in an existing folder, got '" + o.json + "' ('" +
                       folder + "' is " + file_kind(folder) + ")");
  }
  if (o.infer_batch == 0) o.infer_batch = o.batch;
}

}  // namespace zkd::app::bench
