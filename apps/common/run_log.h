// The run directory's record of training: one JSON line per epoch (log.jsonl) and an SVG plot of
// loss and accuracy per epoch (curves.svg), rewritten atomically every epoch.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace zkd::app {

struct EpochRecord {
  int64_t epoch = 0;
  double train_loss = 0, train_acc = 0;      // acc in %
  double test_loss = 0, test_top1 = 0, test_top5 = 0;
  double lr = 0, seconds = 0, images_per_s = 0;
};

class RunLog {
 public:
  explicit RunLog(std::string dir);
  // Reads an existing log.jsonl (resume), keeping the records of epochs < next_epoch.
  void load_existing(int64_t next_epoch);
  void append(const EpochRecord& r);  // writes the JSON line and the SVG
  const std::vector<EpochRecord>& records() const { return records_; }

 private:
  std::string dir_;
  std::vector<EpochRecord> records_;
};

std::string epoch_json(const EpochRecord& r);
// Two panels side by side: losses (train, test) and accuracies (train, test top-1, top-5).
std::string curves_svg(const std::vector<EpochRecord>& records, const std::string& title);

}  // namespace zkd::app
