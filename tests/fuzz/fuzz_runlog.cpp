// libFuzzer harness: a run's log.jsonl as `--resume` and `zkd-sweep summarize` read it
// (parse_run_log, apps/report/run_log.h). It must either throw a zkd::Error or give records that
// (1) a resume at epoch 3 reads as their prefix before the first epoch >= 3, (2) epoch_json
// writes and parse_run_log reads back the same (a value that is not finite is written as null and
// read back as absent), and (3) log.csv and the curves take without a crash.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "apps/report/run_log.h"
#include "engine/core/error.h"

namespace {
using zkd::app::EpochRecord;

bool same_value(double a, double b) {
  return std::isfinite(a) ? a == b : !std::isfinite(b);
}

bool same_record(const EpochRecord& a, const EpochRecord& b) {
  if (a.epoch != b.epoch || !same_value(a.train_loss, b.train_loss) ||
      !same_value(a.train_acc, b.train_acc) || !same_value(a.test_loss, b.test_loss) ||
      !same_value(a.test_top1, b.test_top1) || !same_value(a.test_top5, b.test_top5) ||
      !same_value(a.lr, b.lr) || !same_value(a.seconds, b.seconds) ||
      !same_value(a.images_per_s, b.images_per_s))
    return false;
  std::vector<std::pair<std::string, double>> finite;  // null extras are not read back
  for (const auto& e : a.extra)
    if (std::isfinite(e.second)) finite.push_back(e);
  return finite == b.extra;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zkd::app;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<EpochRecord> all;
  try {
    all = parse_run_log(text, "fuzz/log.jsonl", INT64_MAX);
  } catch (const zkd::Error&) {
    return 0;
  }
  try {
    const std::vector<EpochRecord> head = parse_run_log(text, "fuzz/log.jsonl", 3);
    size_t n = 0;
    while (n < all.size() && all[n].epoch < 3) ++n;
    if (head.size() != n) __builtin_trap();
    for (size_t i = 0; i < n; ++i)
      if (!same_record(head[i], all[i])) __builtin_trap();
    std::string written;
    for (const EpochRecord& r : all) written += epoch_json(r) + "\n";
    const std::vector<EpochRecord> back = parse_run_log(written, "fuzz/log.jsonl", INT64_MAX);
    if (back.size() != all.size()) __builtin_trap();
    for (size_t i = 0; i < all.size(); ++i)
      if (!same_record(all[i], back[i])) __builtin_trap();
  } catch (const zkd::Error&) {
    __builtin_trap();  // what was read must read again, and what is written must read back
  }
  PlotInfo info;
  info.title = "fuzz";
  info.total_epochs = all.empty() ? 1 : all.back().epoch;
  (void)log_csv(all);
  (void)curves_svg(all, info);
  return 0;
}
