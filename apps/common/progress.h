// Progress output of a training epoch: on a terminal one line redrawn in place (epoch, step,
// loss, images/s, ETA); otherwise plain lines, one per report, so logs stay readable.
#pragma once
#include <cstdint>
#include <chrono>
#include <cstdio>
#include <string>

namespace zkd::app {

class Progress {
 public:
  Progress(std::FILE* out, int64_t epoch, int64_t epochs, int64_t steps);
  // Reports step (1-based) with the mean loss so far and images seen this epoch.
  void update(int64_t step, double loss, int64_t images);
  void finish(const std::string& summary);  // ends the line (terminal) and prints the summary

 private:
  std::FILE* out_;
  bool tty_;
  int64_t epoch_, epochs_, steps_;
  std::chrono::steady_clock::time_point start_;
};

std::string format_duration(double seconds);  // "1:02:03" / "2:03"

}  // namespace zkd::app
