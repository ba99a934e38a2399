// Progress output of a training run: on a terminal one line redrawn in place (epoch, step bar,
// loss, images/s, the epoch's and the whole run's ETA; "evaluating..." while the test set runs),
// at most kProgressColumns wide; otherwise plain lines without carriage returns, one per report,
// so logs stay readable. The whole-run ETA counts the steps and evaluations still to come at the
// speeds measured so far in this process.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace zkd::app {

constexpr int kProgressColumns = 79;  // below 80, so a full line never wraps

class Progress {
 public:
  // tty: 1 / 0 force the terminal / plain form (tests); -1 asks isatty(out).
  Progress(std::FILE* out, int64_t epochs, int64_t steps_per_epoch, int tty = -1);
  // An epoch begins at step first_step (0-based: > 0 when resuming mid-epoch).
  void start_epoch(int64_t epoch, int64_t first_step = 0);
  // Reports step (1-based) with the mean loss so far and images seen this epoch.
  void update(int64_t step, double loss, int64_t images);
  void evaluating(int64_t test_images);     // the test set is being evaluated
  void finish(const std::string& summary);  // ends the line (terminal) and prints the summary
  double run_eta_seconds() const;           // the rest of the run; < 0 while unknown

 private:
  void show(const std::string& line);
  std::FILE* out_;
  bool tty_;
  int64_t epochs_, steps_, epoch_ = 0, first_step_ = 0, step_ = 0;
  std::chrono::steady_clock::time_point epoch_start_, eval_start_;
  double train_secs_ = 0;    // training time of the epochs finished in this process
  int64_t train_steps_ = 0;  // and their steps
  double eval_secs_ = -1;    // the last evaluation's duration
  bool evaluating_ = false;
};

// One line per finished epoch, at most 80 columns.
std::string epoch_summary(int64_t epoch, int64_t epochs, double train_loss, double train_acc,
                          double test_loss, double top1, double top5, double seconds);
std::string format_duration(double seconds);  // "1:02:03" / "2:03"; "?" when unknown

}  // namespace zkd::app
