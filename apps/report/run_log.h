// The run directory's record of training, rewritten atomically every epoch: one JSON line per
// epoch (log.jsonl), the same as a table (log.csv, for spreadsheets and pandas), and the curves
// (curves.svg and curves.png, see plot.h).
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "apps/config/config.h"
#include "apps/report/plot.h"

namespace zkd::app {

struct EpochRecord {
  int64_t epoch = 0;
  double train_loss = 0, train_acc = 0;  // acc in %
  double test_loss = 0, test_top1 = 0, test_top5 = 0;
  double lr = 0, seconds = 0, images_per_s = 0;
  // Memory at the end of the epoch's evaluation, in MiB (apps/report/memory_use.h; NaN = not
  // measured: GPU columns on the CPU, logs written before they were recorded). Written only when
  // measured.
  double rss_mb = NAN, gpu_allocated_mb = NAN, gpu_reserved_mb = NAN;
  std::vector<std::pair<std::string, double>>
      extra;  // the distiller's named values (loss terms, ...)
};

// What the plot needs besides the records.
struct PlotInfo {
  std::string title;             // the run directory
  std::string objective = "CE";  // the training objective's name
  int64_t total_epochs = 0;
  std::vector<int64_t> lr_drops;  // epochs whose LR is below the previous epoch's (step schedules)
};
PlotInfo plot_info(const TrainConfig& cfg);

// The largest log.jsonl read back: one line of a few hundred bytes per epoch, for the most epochs
// a run may have (100,000), with room to spare.
constexpr uint64_t kMaxLogBytes = 128u << 20;

class RunLog {
 public:
  RunLog(std::string dir, PlotInfo info);
  // Reads an existing log.jsonl (resume), keeping the records of epochs < next_epoch; none when
  // absent. A FIFO, device or folder, or a file over kMaxLogBytes, is a one-line error.
  void load_existing(int64_t next_epoch);
  void append(const EpochRecord& r);  // rewrites log.jsonl, log.csv, curves.svg and curves.png
  const std::vector<EpochRecord>& records() const { return records_; }

 private:
  std::string dir_;
  PlotInfo info_;
  std::vector<EpochRecord> records_;
};

// The records of a log.jsonl's text (one JSON object per line, blank lines skipped), those of
// epochs < next_epoch; path names the file in the one-line errors. What load_existing reads.
std::vector<EpochRecord> parse_run_log(const std::string& text, const std::string& path,
                                       int64_t next_epoch);

std::string epoch_json(const EpochRecord& r);                  // one line, no newline; NaN as null
std::string log_csv(const std::vector<EpochRecord>& records);  // header + one row per epoch
CurvesData curves_data(const std::vector<EpochRecord>& records, const PlotInfo& info);
std::string curves_svg(const std::vector<EpochRecord>& records, const PlotInfo& info);
std::string curves_png(const std::vector<EpochRecord>& records, const PlotInfo& info);

}  // namespace zkd::app
