// The run's curves (curves.svg, curves.png): three panels side by side, the training objective,
// the test cross-entropy and the accuracies, per epoch; round 1-2-5 ticks, a light grid, legends
// above each panel (outside the curves), the best epoch (dashed) and LR drops (dotted) marked.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "apps/report/canvas.h"

namespace zkd::app {

// Axis ticks at round steps (1, 2 or 5 times a power of ten) covering [lo, hi] with about
// `target` intervals; `integer` keeps the step >= 1 (epochs). first/last are the axis limits.
struct Ticks {
  double first = 0, last = 1, step = 1;
  std::vector<double> values;
  std::string label(double v) const;  // as many decimals as the step needs
};
Ticks nice_ticks(double lo, double hi, int target = 5, bool integer = false);

struct CurveSeries {
  std::string name;
  Rgb color;
  std::vector<double> y;  // one per epoch of CurvesData::epochs; NaN = no point
};
struct CurvesData {
  std::string title;           // the run (its directory)
  std::string objective;       // name of the training objective, e.g. "CE" or "KD+LS"
  int64_t total_epochs = 0;    // the x axis spans [0, max(total, last epoch)]
  std::vector<double> epochs;  // x of every point
  std::vector<CurveSeries> objective_series, test_loss_series, accuracy_series;
  int64_t best_epoch = 0;  // 0: none
  double best_top1 = 0;
  std::vector<int64_t> lr_drops;  // epochs whose LR is lower than the epoch before's
};

constexpr int kCurvesWidth = 1200, kCurvesHeight = 430;
void draw_curves(Canvas& c, const CurvesData& d);  // on a kCurvesWidth x kCurvesHeight canvas

}  // namespace zkd::app
